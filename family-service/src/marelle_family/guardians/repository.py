from __future__ import annotations

from uuid import UUID

from sqlmodel import col, select

from marelle_family.models import Guardian
from marelle_kit.database import WriteSession


class GuardianRepository:
    def __init__(self, session: WriteSession) -> None:
        self.session = session

    async def of_household(self, tenant_id: UUID, household_id: UUID) -> list[Guardian]:
        return list(
            await self.session.scalars(
                select(Guardian)
                .where(col(Guardian.tenant_id) == tenant_id)
                .where(col(Guardian.household_id) == household_id)
                .order_by(col(Guardian.rank))
            )
        )

    async def get(self, tenant_id: UUID, household_id: UUID, guardian_id: UUID) -> Guardian | None:
        return await self.session.scalar(
            select(Guardian)
            .where(col(Guardian.tenant_id) == tenant_id)
            .where(col(Guardian.household_id) == household_id)
            .where(col(Guardian.id) == guardian_id)
        )

    async def email_taken(self, tenant_id: UUID, email: str, *, except_id: UUID | None) -> bool:
        query = select(Guardian.id).where(
            col(Guardian.tenant_id) == tenant_id, col(Guardian.email) == email
        )
        if except_id is not None:
            query = query.where(col(Guardian.id) != except_id)
        return await self.session.scalar(query) is not None

    async def add(self, guardian: Guardian) -> None:
        self.session.add(guardian)
        await self.session.flush()

    async def remove(self, guardian: Guardian) -> None:
        await self.session.delete(guardian)
        await self.session.flush()
