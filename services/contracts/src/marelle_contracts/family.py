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
