"""Who the caller is, for the mailing-service's object-level checks.

Routers require their role set at router level (marelle_kit.roles); these helpers answer the
finer questions: is this principal town staff, which household does a parent act for."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends

from marelle_kit.errors import NotFound
from marelle_kit.roles import ADMINS, BILLING_OFFICE, OFFICE, OPERATORS, STAFF, SUPERVISORS
from marelle_kit.security import CurrentPrincipal, Principal, require_roles
from marelle_mailing import catalogue

# Who answers families' messages: the office and the billing office (« Régie »).
MESSAGING_STAFF = OFFICE | BILLING_OFFICE
# Who publishes documents, writes mailings and SMS to families.
COMMUNICATION_STAFF = OFFICE
# Who may read the mails sent (delivery records): supervisors and operators only.
MAIL_READERS = SUPERVISORS | OPERATORS
# The tenant's communication settings, services and templates.
SETTINGS_ADMINS = ADMINS | OPERATORS

__all__ = [
    "COMMUNICATION_STAFF",
    "MAIL_READERS",
    "MESSAGING_STAFF",
    "SETTINGS_ADMINS",
    "CurrentParent",
    "is_staff",
    "require_roles",
]


def is_staff(principal: Principal) -> bool:
    return bool(principal.roles & STAFF) or bool(principal.roles & OPERATORS)


def parent_of(household_id: UUID, principal: Principal) -> Principal:
    """A member of this household (not staff acting for it): anyone else gets a 404, so
    another household's resources are indistinguishable from missing ones."""
    if principal.household_id != household_id or is_staff(principal):
        raise NotFound(catalogue.HOUSEHOLD_NOT_FOUND)
    return principal


async def _current_parent(household_id: UUID, principal: CurrentPrincipal) -> Principal:
    return parent_of(household_id, principal)


# A route under /households/{household_id}/... for the household's own parents.
CurrentParent = Annotated[Principal, Depends(_current_parent)]
