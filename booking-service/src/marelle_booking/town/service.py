from __future__ import annotations

from uuid import UUID

from marelle_booking.models import TownPolicy
from marelle_booking.town.repository import TownPolicyRepository
from marelle_booking.town.schemas import TownPolicyIn
from marelle_kit.database import ReadSession


class TownPolicyService:
    def __init__(self, session: ReadSession) -> None:
        self.policies = TownPolicyRepository(session)

    async def get(self, tenant_id: UUID) -> TownPolicy:
        """The tenant's settings; the defaults while none were saved."""
        return await self.policies.find(tenant_id) or TownPolicy(tenant_id=tenant_id)

    async def update(self, tenant_id: UUID, data: TownPolicyIn) -> TownPolicy:
        policy = await self.policies.find(tenant_id) or TownPolicy(tenant_id=tenant_id)
        for name, value in data.model_dump().items():
            setattr(policy, name, value)
        return await self.policies.save(policy)
