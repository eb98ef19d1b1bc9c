from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends, Query

from marelle_family.children.repository import ChildRepository
from marelle_family.children.schemas import ChildIn, ChildOut, ChildPatch
from marelle_family.children.service import ChildService
from marelle_family.editing.schemas import EditOutcome
from marelle_family.editing.service import RecordEditor
from marelle_family.households.service import HouseholdService
from marelle_family.models import ChildRecordRead
from marelle_family.tenants.service import TenantService
from marelle_kit import roles
from marelle_kit.security import CurrentPrincipal, require_roles
from marelle_kit.tenancy import TenantId
from marelle_kit.unit_of_work import SessionDep, transactional_router

staff = transactional_router(
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


@staff.post("", response_model=ChildOut, status_code=201)
async def add_child(
    household_id: UUID,
    data: ChildIn,
    principal: CurrentPrincipal,
    tenant_id: TenantId,
    session: SessionDep,
) -> ChildOut:
    household = await HouseholdService(session).get_for(principal, tenant_id, household_id)
    tenant = await TenantService(session).get(tenant_id)
    service = ChildService(session)
    child = await service.add(tenant, household.id, data)
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
    await HouseholdService(session).get_for(principal, tenant_id, household_id)
    service = ChildService(session)
    child = await service.get(tenant_id, household_id, child_id)
    return (await service.views([child], principal))[0]


@members.patch("/{child_id}", response_model=EditOutcome)
async def edit_child(
    household_id: UUID,
    child_id: UUID,
    data: ChildPatch,
    principal: CurrentPrincipal,
    tenant_id: TenantId,
    session: SessionDep,
) -> EditOutcome:
    return await RecordEditor(session).edit(
        principal, tenant_id, household_id, "child", child_id, data
    )


@staff.post("/{child_id}/validation", response_model=ChildOut)
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
    session: SessionDep,
    child_id: UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[ChildRecordRead]:
    """Who read which child's record, newest first (managers, admins, operators)."""
    return await ChildRepository(session).reads(
        tenant_id, child_id=child_id, limit=limit, offset=offset
    )
