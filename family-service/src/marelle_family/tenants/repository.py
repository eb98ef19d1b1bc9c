from __future__ import annotations

from uuid import UUID

from sqlalchemy import update
from sqlmodel import col, select

from marelle_family.models import Tenant
from marelle_kit.database import WriteSession


class TenantRepository:
    def __init__(self, session: WriteSession) -> None:
        self.session = session

    async def get(self, tenant_id: UUID) -> Tenant | None:
        return await self.session.get(Tenant, tenant_id)

    async def by_slug(self, slug: str) -> Tenant | None:
        return await self.session.scalar(select(Tenant).where(col(Tenant.slug) == slug))

    async def list(self) -> list[Tenant]:
        return list(await self.session.scalars(select(Tenant).order_by(col(Tenant.name))))

    async def add(self, tenant: Tenant) -> None:
        self.session.add(tenant)
        await self.session.flush()

    async def take_family_number(self, tenant_id: UUID) -> int:
        """Atomically take the tenant's next family number (row-locked by the UPDATE)."""
        taken = await self.session.scalar(
            update(Tenant)
            .where(col(Tenant.id) == tenant_id)
            .values(next_family_number=col(Tenant.next_family_number) + 1)
            .returning(col(Tenant.next_family_number))
        )
        if taken is None:
            raise LookupError(tenant_id)
        return int(taken) - 1
