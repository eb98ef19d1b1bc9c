from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends, Path

from marelle_family.tenants.profile import TenantProfile
from marelle_family.tenants.schemas import SLUG_PATTERN, TenantCreate, TenantOut
from marelle_family.tenants.service import TenantService, every_tenant, tenant_by_slug, tenant_of
from marelle_kit import roles
from marelle_kit.security import require_roles
from marelle_kit.tenancy import TenantId
from marelle_kit.unit_of_work import ReadSessionDep, SessionDep, transactional_router

# Public facts about a tenant (its name on the login page): the gateway resolves hosts with them.
public = transactional_router(prefix="/tenants", tags=["tenants"])
operators = transactional_router(
    prefix="/tenants", tags=["tenants"], dependencies=[Depends(require_roles(*roles.OPERATORS))]
)
# The tenant's own administrators set its profile (and an operator may, for any tenant).
admins = transactional_router(
    prefix="/settings/tenant",
    tags=["settings"],
    dependencies=[Depends(require_roles(*roles.ADMINS, *roles.OPERATORS))],
)


@public.get("/by-slug/{slug}", response_model=TenantOut)
async def tenant_with_slug(
    slug: Annotated[str, Path(max_length=63, pattern=SLUG_PATTERN)], session: ReadSessionDep
) -> TenantOut:
    return TenantOut.model_validate(await tenant_by_slug(session, slug))


@public.get("/{tenant_id}", response_model=TenantOut)
async def tenant_by_id(tenant_id: UUID, session: ReadSessionDep) -> TenantOut:
    return TenantOut.model_validate(await tenant_of(session, tenant_id))


@operators.post("", response_model=TenantOut, status_code=201)
async def create_tenant(data: TenantCreate, session: SessionDep) -> TenantOut:
    return TenantOut.model_validate(await TenantService(session).create(data))


@operators.get("", response_model=list[TenantOut])
async def list_tenants(session: ReadSessionDep) -> list[TenantOut]:
    return [TenantOut.model_validate(t) for t in await every_tenant(session)]


@admins.get("", response_model=TenantOut)
async def read_profile(tenant_id: TenantId, session: ReadSessionDep) -> TenantOut:
    return TenantOut.model_validate(await tenant_of(session, tenant_id))


@admins.put("", response_model=TenantOut)
async def write_profile(data: TenantProfile, tenant_id: TenantId, session: SessionDep) -> TenantOut:
    """The article, home-page text, contact details, DPO and retention period."""
    return TenantOut.model_validate(await TenantService(session).update_profile(tenant_id, data))
