from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlmodel import col, select

from marelle_family.adults.schemas import AdultIn
from marelle_family.models import Adult
from marelle_kit.database import WriteSession
from marelle_kit.errors import NotFound


class AdultService:
    """Other adults of a household: kept for contact, never a login."""

    def __init__(self, session: WriteSession) -> None:
        self.session = session

    async def add(self, tenant_id: UUID, household_id: UUID, data: AdultIn) -> Adult:
        adult = Adult(tenant_id=tenant_id, household_id=household_id, **data.model_dump())
        self.session.add(adult)
        await self.session.flush()
        return adult

    async def get(self, tenant_id: UUID, household_id: UUID, adult_id: UUID) -> Adult:
        adult = await self.session.scalar(
            select(Adult).where(
                col(Adult.tenant_id) == tenant_id,
                col(Adult.household_id) == household_id,
                col(Adult.id) == adult_id,
            )
        )
        if adult is None:
            raise NotFound("Cet adulte n'existe pas.")
        return adult

    async def of_household(self, tenant_id: UUID, household_id: UUID) -> list[Adult]:
        return list(
            await self.session.scalars(
                select(Adult)
                .where(col(Adult.tenant_id) == tenant_id, col(Adult.household_id) == household_id)
                .order_by(col(Adult.created_at))
            )
        )

    async def apply(self, adult: Adult, changes: dict[str, Any]) -> None:
        for name, value in changes.items():
            setattr(adult, name, value)
        self.session.add(adult)
        await self.session.flush()

    async def remove(self, adult: Adult) -> None:
        await self.session.delete(adult)
        await self.session.flush()
