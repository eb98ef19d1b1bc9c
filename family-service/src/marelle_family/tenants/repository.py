from __future__ import annotations

from uuid import UUID

import sqlalchemy as sa
from sqlmodel import col

from marelle_family.models import Tenant
from marelle_kit.repository import Repository


class TenantRepository(Repository[Tenant]):
    """The tenants themselves (their rows have no tenant of their own)."""

    model = Tenant

    async def by_id(self, tenant_id: UUID) -> Tenant | None:
        return await self.get_one_or_none(self.unscoped().where(col(Tenant.id) == tenant_id))

    async def by_slug(self, slug: str) -> Tenant | None:
        return await self.get_one_or_none(self.unscoped().where(col(Tenant.slug) == slug))

    async def every(self) -> list[Tenant]:
        """Every tenant, by name (an instance runs tens of towns, not thousands)."""
        return await self.all(self.unscoped().order_by(col(Tenant.name)))

    async def take_family_number(self, tenant_id: UUID) -> int:
        """Atomically take the tenant's next family number (row-locked by the UPDATE)."""
        taken = await self.writer.scalar(
            sa.update(Tenant)
            .where(col(Tenant.id) == tenant_id)
            .values(next_family_number=col(Tenant.next_family_number) + 1)
            .returning(col(Tenant.next_family_number))
        )
        if taken is None:
            raise LookupError(tenant_id)
        return int(taken) - 1
