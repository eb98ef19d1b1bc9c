"""Who may do what: the role sets each router requires, and the object-level check.

Routers apply a set from ``marelle_kit.roles`` at router level; inside, a parent (a token
bound to a household) reaches only their own household's children, whatever the ids say.
"""

from __future__ import annotations

from uuid import UUID

from fastapi import Depends

from marelle_booking.families.repository import HouseholdViewRepository
from marelle_kit import roles
from marelle_kit.database import ReadSession
from marelle_kit.errors import NotFound
from marelle_kit.security import Principal, require_roles

# Staff work on families' bookings (book for them, cancel, validate, close days).
OFFICE = Depends(require_roles(*roles.OFFICE, *roles.OPERATORS))
# Reading bookings, day views and lists (readers included).
READERS = Depends(require_roles(*roles.RECORD_READERS, *roles.ROLL_CALL, *roles.OPERATORS))
# The roll call and the day's lists.
ROLL_CALL = Depends(require_roles(*roles.ROLL_CALL, *roles.OPERATORS))
# The town's booking settings: activities, calendars, deadlines, capacity, reasons.
SUPERVISORS = Depends(require_roles(*roles.SUPERVISORS, *roles.OPERATORS))


def is_staff(principal: Principal) -> bool:
    return bool(principal.roles & (roles.STAFF | roles.OPERATORS))


async def check_household(
    session: ReadSession, principal: Principal, tenant_id: UUID, household_id: UUID
) -> None:
    """A parent reaches only their own household (their token binds it to the tenant); staff
    only the households of their tenant. Another one is "not found", as if it did not exist."""
    if is_staff(principal):
        household = await HouseholdViewRepository(session).get(tenant_id, household_id)
        if household is None:
            raise NotFound("Ce foyer n'existe pas.")
        return
    if principal.household_id is None or principal.household_id != household_id:
        raise NotFound("Ce foyer n'existe pas.")
