"""Other adults of a household: kept for contact, never a login."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from marelle_family import catalogue
from marelle_family.adults.repository import AdultRepository
from marelle_family.adults.schemas import AdultIn
from marelle_family.models import Adult
from marelle_kit.database import ReadSession, WriteSession
from marelle_kit.errors import NotFound


async def adults_of(session: ReadSession, tenant_id: UUID, household_id: UUID) -> list[Adult]:
    return await AdultRepository(session).of_household(tenant_id, household_id)


async def adult_in(
    session: ReadSession, tenant_id: UUID, household_id: UUID, adult_id: UUID
) -> Adult:
    adult = await AdultRepository(session).in_household(tenant_id, household_id, adult_id)
    if adult is None:
        raise NotFound(catalogue.ADULT_NOT_FOUND)
    return adult


class AdultService:
    def __init__(self, session: WriteSession) -> None:
        self.session = session
        self.adults = AdultRepository(session)

    async def add(self, tenant_id: UUID, household_id: UUID, data: AdultIn) -> Adult:
        return await self.adults.add(
            Adult(tenant_id=tenant_id, household_id=household_id, **data.model_dump())
        )

    async def get(self, tenant_id: UUID, household_id: UUID, adult_id: UUID) -> Adult:
        return await adult_in(self.session, tenant_id, household_id, adult_id)

    async def apply(self, adult: Adult, changes: dict[str, Any]) -> None:
        for name, value in changes.items():
            setattr(adult, name, value)
        await self.adults.save(adult)

    async def remove(self, adult: Adult) -> None:
        await self.adults.delete(adult)
