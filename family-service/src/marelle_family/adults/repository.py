from __future__ import annotations

from uuid import UUID

from sqlmodel import col

from marelle_family.models import Adult
from marelle_kit.repository import Repository


class AdultRepository(Repository[Adult]):
    model = Adult

    async def of_household(self, tenant_id: UUID, household_id: UUID) -> list[Adult]:
        return await self.all(
            self.scoped(tenant_id)
            .where(col(Adult.household_id) == household_id)
            .order_by(col(Adult.created_at))
        )

    async def in_household(
        self, tenant_id: UUID, household_id: UUID, adult_id: UUID
    ) -> Adult | None:
        return await self.get_one_or_none(
            self.scoped(tenant_id).where(
                col(Adult.household_id) == household_id, col(Adult.id) == adult_id
            )
        )
