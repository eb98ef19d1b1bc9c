from __future__ import annotations

from uuid import UUID

from marelle_contracts import TenantCreated
from marelle_family import catalogue
from marelle_family.models import Tenant, events
from marelle_family.tenants.profile import TenantProfile
from marelle_family.tenants.repository import TenantRepository
from marelle_family.tenants.schemas import TenantCreate
from marelle_kit.database import ReadSession, WriteSession
from marelle_kit.errors import NotFound
from marelle_kit.events import record_event


async def tenant_of(session: ReadSession, tenant_id: UUID) -> Tenant:
    tenant = await TenantRepository(session).by_id(tenant_id)
    if tenant is None:
        raise NotFound(catalogue.TENANT_NOT_FOUND)
    return tenant


async def tenant_by_slug(session: ReadSession, slug: str) -> Tenant:
    tenant = await TenantRepository(session).by_slug(slug)
    if tenant is None:
        raise NotFound(catalogue.SLUG_NOT_FOUND)
    return tenant


async def every_tenant(session: ReadSession) -> list[Tenant]:
    return await TenantRepository(session).every()


class TenantService:
    def __init__(self, session: WriteSession) -> None:
        self.session = session
        self.tenants = TenantRepository(session)

    async def create(self, data: TenantCreate) -> Tenant:
        if await self.tenants.by_slug(data.slug) is not None:
            raise catalogue.SlugTaken(catalogue.SLUG_TAKEN.format(slug=data.slug))
        tenant = await self.tenants.add(Tenant(slug=data.slug, name=data.name))
        await record_event(
            self.session,
            events,
            TenantCreated(tenant_id=tenant.id, slug=tenant.slug, name=tenant.name),
            tenant_id=tenant.id,
            key=tenant.id,
        )
        return tenant

    async def save_rules(
        self,
        tenant: Tenant,
        *,
        diets: dict[str, str],
        editing: dict[str, str],
        criteria: list[dict[str, object]],
    ) -> Tenant:
        tenant.diets = diets
        tenant.editing = editing
        tenant.criteria = criteria
        return await self.tenants.save(tenant)

    async def update_profile(self, tenant_id: UUID, profile: TenantProfile) -> Tenant:
        """The whole profile replaces the previous one (a field left empty is cleared)."""
        tenant = await tenant_of(self.session, tenant_id)
        for name, value in profile.model_dump().items():
            setattr(tenant, name, value)
        return await self.tenants.save(tenant)
