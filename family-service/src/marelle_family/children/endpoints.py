"""The children (records): staff add them and validate their records; parents and staff read
them; they are edited through editing/ (the PATCH routes live there)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends, Query

from marelle_family.children.repository import AccessLogRepository
from marelle_family.children.schemas import ChildIn, ChildOut
from marelle_family.children.service import ChildService
from marelle_family.households.service import household_for
from marelle_family.models import ChildRecordRead
from marelle_family.tenants.service import tenant_of
from marelle_kit import roles
from marelle_kit.repository import MAX_LIMIT, MAX_OFFSET
from marelle_kit.security import CurrentPrincipal, require_roles
from marelle_kit.tenancy import TenantId
from marelle_kit.unit_of_work import ReadSessionDep, SessionDep, transactional_router

office = transactional_router(
    prefix="/households/{household_id}/children",
    tags=["children"],
    dependencies=[Depends(require_roles(*roles.OFFICE, roles.OPERATOR))],
)
members = transactional_router(prefix="/households/{household_id}/children", tags=["children"])
supervisors = transactional_router(
    prefix="/access-log",
    tags=["children"],
    dependencies=[Depends(require_roles(*roles.SUPERVISORS, roles.OPERATOR))],
)


@office.post("", response_model=ChildOut, status_code=201)
async def add_child(
    household_id: UUID,
    data: ChildIn,
    principal: CurrentPrincipal,
    tenant_id: TenantId,
    session: SessionDep,
) -> ChildOut:
    household = await household_for(session, principal, tenant_id, household_id)
    service = ChildService(session)
    child = await service.add(await tenant_of(session, tenant_id), household.id, data)
    return (await service.views([child]))[0]


@members.get("/{child_id}", response_model=ChildOut)
async def get_child(
    household_id: UUID,
    child_id: UUID,
    principal: CurrentPrincipal,
    tenant_id: TenantId,
    session: SessionDep,
) -> ChildOut:
    """A staff reader is written to the access log."""
    await household_for(session, principal, tenant_id, household_id)
    service = ChildService(session)
    child = await service.get(tenant_id, household_id, child_id)
    return (await service.views([child], principal))[0]


@office.post("/{child_id}/validation", response_model=ChildOut)
async def validate_child(
    household_id: UUID,
    child_id: UUID,
    principal: CurrentPrincipal,
    tenant_id: TenantId,
    session: SessionDep,
) -> ChildOut:
    """« Fiche validée »: staff checked the record; a parent's later change clears it."""
    service = ChildService(session)
    child = await service.validate(await service.get(tenant_id, household_id, child_id), principal)
    return (await service.views([child], principal))[0]


@supervisors.get("", response_model=list[ChildRecordRead])
async def access_log(
    tenant_id: TenantId,
    session: ReadSessionDep,
    child_id: UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> list[ChildRecordRead]:
    """Who read which child's record, newest first (managers, admins, operators)."""
    return await AccessLogRepository(session).reads(
        tenant_id, child_id=child_id, limit=limit, offset=offset
    )
