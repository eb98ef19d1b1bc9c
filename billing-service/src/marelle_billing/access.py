"""Who may see what: the billing office and the town's staff see their tenant's households, a
parent only their own (object-level check on every household-scoped read)."""

from __future__ import annotations

from uuid import UUID

from fastapi import Depends

from marelle_kit.errors import NotFound
from marelle_kit.roles import ADMINS, BILLING_OFFICE, OPERATORS, STAFF
from marelle_kit.security import Principal, require_roles

# Router-level dependencies.
billing_office = [Depends(require_roles(*BILLING_OFFICE))]
administrators = [Depends(require_roles(*ADMINS))]
town_staff = [Depends(require_roles(*STAFF, *OPERATORS))]


def is_billing_office(principal: Principal) -> bool:
    return bool(principal.roles & BILLING_OFFICE)


def is_staff(principal: Principal) -> bool:
    return bool(principal.roles & (STAFF | OPERATORS))


def may_read_household(principal: Principal, household_id: UUID) -> bool:
    return is_staff(principal) or principal.household_id == household_id


def check_household(principal: Principal, household_id: UUID) -> None:
    """Another household's data is not found (it does not exist for this caller)."""
    if not may_read_household(principal, household_id):
        raise NotFound("Ce foyer n'existe pas.")


def actor(principal: Principal) -> str:
    return principal.subject
