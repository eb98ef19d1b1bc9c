from __future__ import annotations

from uuid import UUID

from sqlmodel import col

from marelle_family.models import Guardian
from marelle_kit.repository import Repository


class GuardianRepository(Repository[Guardian]):
    model = Guardian

    async def of_household(self, tenant_id: UUID, household_id: UUID) -> list[Guardian]:
        return await self.all(
            self.scoped(tenant_id)
            .where(col(Guardian.household_id) == household_id)
            .order_by(col(Guardian.rank))
        )

    async def in_household(
        self, tenant_id: UUID, household_id: UUID, guardian_id: UUID
    ) -> Guardian | None:
        return await self.get_one_or_none(
            self.scoped(tenant_id).where(
                col(Guardian.household_id) == household_id, col(Guardian.id) == guardian_id
            )
        )

    async def email_taken(self, tenant_id: UUID, email: str, *, except_id: UUID | None) -> bool:
        query = self.scoped(tenant_id).where(col(Guardian.email) == email)
        if except_id is not None:
            query = query.where(col(Guardian.id) != except_id)
        return await self.get_one_or_none(query) is not None
