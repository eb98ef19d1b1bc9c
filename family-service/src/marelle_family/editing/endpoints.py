"""Editing the records (the workflow): the PATCH routes of households, guardians, adults and
children, the change requests inbox and the tenant's editing rules. It depends on the records'
modules; they never import it."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import Depends, Query

from marelle_family.adults.schemas import AdultPatch
from marelle_family.children.schemas import ChildPatch
from marelle_family.editing.groups import DEFAULT_MODES
from marelle_family.editing.schemas import ChangeRequestOut, EditingRules, EditOutcome, Refusal
from marelle_family.editing.service import RecordEditor, inbox, requests_of_household
from marelle_family.guardians.schemas import GuardianPatch
from marelle_family.households.schemas import HouseholdPatch
from marelle_family.households.service import household_for
from marelle_family.tenants.criteria import criteria_of
from marelle_family.tenants.diets import diets_of
from marelle_family.tenants.service import TenantService, tenant_of
from marelle_kit import roles
from marelle_kit.repository import MAX_LIMIT, MAX_OFFSET
from marelle_kit.security import CurrentPrincipal, require_roles
from marelle_kit.tenancy import TenantId
from marelle_kit.unit_of_work import ReadSessionDep, SessionDep, transactional_router

office = transactional_router(
    prefix="/change-requests",
    tags=["change requests"],
    dependencies=[Depends(require_roles(*roles.OFFICE, roles.OPERATOR))],
)
# Parents of the household and staff: the service checks who may do what.
members = transactional_router(tags=["editing"])
admins = transactional_router(
    prefix="/settings/records",
    tags=["settings"],
    dependencies=[Depends(require_roles(*roles.ADMINS, roles.OPERATOR))],
)


@members.patch("/households/{household_id}", response_model=EditOutcome)
async def edit_household(
    household_id: UUID,
    data: HouseholdPatch,
    principal: CurrentPrincipal,
    tenant_id: TenantId,
    session: SessionDep,
) -> EditOutcome:
    return await RecordEditor(session).edit(
        principal, tenant_id, household_id, "household", household_id, data
    )


@members.patch("/households/{household_id}/guardians/{guardian_id}", response_model=EditOutcome)
async def edit_guardian(
    household_id: UUID,
    guardian_id: UUID,
    data: GuardianPatch,
    principal: CurrentPrincipal,
    tenant_id: TenantId,
    session: SessionDep,
) -> EditOutcome:
    """Office staff change at once; a parent as the tenant chooses per field group."""
    return await RecordEditor(session).edit(
        principal, tenant_id, household_id, "guardian", guardian_id, data
    )


@members.patch("/households/{household_id}/adults/{adult_id}", response_model=EditOutcome)
async def edit_adult(
    household_id: UUID,
    adult_id: UUID,
    data: AdultPatch,
    principal: CurrentPrincipal,
    tenant_id: TenantId,
    session: SessionDep,
) -> EditOutcome:
    return await RecordEditor(session).edit(
        principal, tenant_id, household_id, "adult", adult_id, data
    )


@members.patch("/households/{household_id}/children/{child_id}", response_model=EditOutcome)
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


@office.get("", response_model=list[ChangeRequestOut])
async def requests_inbox(
    tenant_id: TenantId,
    session: ReadSessionDep,
    status: Literal["pending", "accepted", "refused", "replaced"] = "pending",
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> list[ChangeRequestOut]:
    """The requests inbox: oldest pending first."""
    return await inbox(session, tenant_id, status=status, limit=limit, offset=offset)


@office.post("/{request_id}/accept", response_model=ChangeRequestOut)
async def accept(
    request_id: UUID, principal: CurrentPrincipal, tenant_id: TenantId, session: SessionDep
) -> ChangeRequestOut:
    return await RecordEditor(session).accept(principal, tenant_id, request_id)


@office.post("/{request_id}/refuse", response_model=ChangeRequestOut)
async def refuse(
    request_id: UUID,
    data: Refusal,
    principal: CurrentPrincipal,
    tenant_id: TenantId,
    session: SessionDep,
) -> ChangeRequestOut:
    return await RecordEditor(session).refuse(principal, tenant_id, request_id, data.reason)


@members.get("/households/{household_id}/change-requests", response_model=list[ChangeRequestOut])
async def household_requests(
    household_id: UUID, principal: CurrentPrincipal, tenant_id: TenantId, session: ReadSessionDep
) -> list[ChangeRequestOut]:
    """« Mes demandes »: pending, accepted and refused, with dates and reasons."""
    await household_for(session, principal, tenant_id, household_id)
    return await requests_of_household(session, tenant_id, household_id)


@members.get("/settings/records", response_model=EditingRules)
async def read_rules(tenant_id: TenantId, session: ReadSessionDep) -> EditingRules:
    """The tenant's diets and editing modes (every field group named)."""
    tenant = await tenant_of(session, tenant_id)
    editing = {**DEFAULT_MODES, **(tenant.editing or {})}
    return EditingRules(diets=diets_of(tenant), editing=editing, criteria=criteria_of(tenant))


@admins.put("", response_model=EditingRules)
async def write_rules(data: EditingRules, tenant_id: TenantId, session: SessionDep) -> EditingRules:
    tenant = await TenantService(session).save_rules(
        await tenant_of(session, tenant_id),
        diets=data.diets,
        editing=dict(data.editing),
        criteria=[c.model_dump() for c in data.criteria],
    )
    return EditingRules(
        diets=diets_of(tenant),
        editing={**DEFAULT_MODES, **(tenant.editing or {})},
        criteria=criteria_of(tenant),
    )
