"""Facts published by the family-service."""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from marelle_contracts.base import Event


class TenantCreated(Event):
    event_type: ClassVar[str] = "family.tenant.created"

    tenant_id: UUID
    slug: str
    name: str


class HouseholdCreated(Event):
    event_type: ClassVar[str] = "family.household.created"

    household_id: UUID
    family_number: str
    name: str


class GuardianAdded(Event):
    """A legal guardian ("responsable légal" 1 or 2) joined a household."""

    event_type: ClassVar[str] = "family.guardian.added"

    household_id: UUID
    guardian_id: UUID
    rank: int
    first_name: str
    last_name: str
    email: str | None


class GuardianEmailChanged(Event):
    event_type: ClassVar[str] = "family.guardian.email_changed"

    household_id: UUID
    guardian_id: UUID
    email: str | None


class GuardianRemoved(Event):
    event_type: ClassVar[str] = "family.guardian.removed"

    household_id: UUID
    guardian_id: UUID
