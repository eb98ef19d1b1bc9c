from __future__ import annotations

from uuid import UUID

from sqlmodel import col

from marelle_family.models import ChangeRequest
from marelle_kit.repository import Repository


class ChangeRequestRepository(Repository[ChangeRequest]):
    model = ChangeRequest

    async def pending_for(
        self, tenant_id: UUID, target_id: UUID, group: str
    ) -> list[ChangeRequest]:
        """The pending requests on one field group of one record (one, normally)."""
        return await self.all(
            self.scoped(tenant_id).where(
                col(ChangeRequest.target_id) == target_id,
                col(ChangeRequest.field_group) == group,
                col(ChangeRequest.status) == "pending",
            )
        )

    async def of_household(self, tenant_id: UUID, household_id: UUID) -> list[ChangeRequest]:
        return await self.all(
            self.scoped(tenant_id)
            .where(col(ChangeRequest.household_id) == household_id)
            .order_by(col(ChangeRequest.created_at).desc())
        )

    async def inbox(
        self, tenant_id: UUID, *, status: str, limit: int, offset: int
    ) -> list[ChangeRequest]:
        """Oldest first: the order staff answer them in."""
        query = (
            self.scoped(tenant_id)
            .where(col(ChangeRequest.status) == status)
            .order_by(col(ChangeRequest.created_at))
        )
        return await self.window(query, limit=limit, offset=offset)
