from __future__ import annotations

from uuid import UUID

from marelle_booking.models import TownPolicy
from marelle_kit.repository import Repository


class TownPolicyRepository(Repository[TownPolicy]):
    model = TownPolicy

    async def find(self, tenant_id: UUID) -> TownPolicy | None:
        return await self.session.get(TownPolicy, tenant_id)
