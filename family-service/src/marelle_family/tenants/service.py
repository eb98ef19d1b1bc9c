from __future__ import annotations

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from marelle_contracts import TenantCreated
from marelle_family.models import Tenant, events
from marelle_family.tenants.profile import TenantProfile
from marelle_family.tenants.repository import TenantRepository
from marelle_family.tenants.schemas import TenantCreate
from marelle_kit.errors import Conflict, NotFound
from marelle_kit.events import record_event


class TenantService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.tenants = TenantRepository(session)

    async def create(self, data: TenantCreate) -> Tenant:
        if await self.tenants.by_slug(data.slug) is not None:
            raise Conflict(f"L'identifiant « {data.slug} » est déjà utilisé par une structure.")
        tenant = Tenant(slug=data.slug, name=data.name)
        await self.tenants.add(tenant)
        await record_event(
            self.session,
            events,
            TenantCreated(tenant_id=tenant.id, slug=tenant.slug, name=tenant.name),
            tenant_id=tenant.id,
            key=tenant.id,
        )
        return tenant

    async def get(self, tenant_id: UUID) -> Tenant:
        tenant = await self.tenants.get(tenant_id)
        if tenant is None:
            raise NotFound("Cette structure n'existe pas.")
        return tenant

    async def list(self) -> list[Tenant]:
        return await self.tenants.list()

    async def by_slug(self, slug: str) -> Tenant:
        tenant = await self.tenants.by_slug(slug)
        if tenant is None:
            raise NotFound("Aucune structure ne porte cet identifiant.")
        return tenant

    async def update_profile(self, tenant_id: UUID, profile: TenantProfile) -> Tenant:
        tenant = await self.get(tenant_id)
        for name, value in profile.model_dump().items():
            setattr(tenant, name, value)
        await self.tenants.add(tenant)
        return tenant
