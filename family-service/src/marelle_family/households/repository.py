from __future__ import annotations

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from marelle_family.models import Household


class HouseholdRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, tenant_id: UUID, household_id: UUID) -> Household | None:
        """Always scoped by tenant: an id from another tenant is simply not found."""
        return await self.session.scalar(
            select(Household).where(
                col(Household.tenant_id) == tenant_id,
                col(Household.id) == household_id,
            )
        )

    async def list(self, tenant_id: UUID, *, limit: int, offset: int) -> list[Household]:
        return list(
            await self.session.scalars(
                select(Household)
                .where(col(Household.tenant_id) == tenant_id)
                .order_by(col(Household.name), col(Household.family_number))
                .limit(limit)
                .offset(offset)
            )
        )

    async def add(self, household: Household) -> None:
        self.session.add(household)
        await self.session.flush()
