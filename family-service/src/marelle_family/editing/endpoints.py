from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import Depends, Query

from marelle_family.editing.groups import DEFAULT_MODES, FIELD_GROUPS
from marelle_family.editing.schemas import ChangeRequestOut, EditingRules, Refusal
from marelle_family.editing.service import RecordEditor
from marelle_family.tenants.criteria import criteria_of
from marelle_family.tenants.diets import diets_of
from marelle_family.tenants.service import TenantService
from marelle_kit import roles
from marelle_kit.errors import Problem
from marelle_kit.security import CurrentPrincipal, require_roles
from marelle_kit.tenancy import TenantId
from marelle_kit.unit_of_work import SessionDep, transactional_router

staff = transactional_router(
    prefix="/change-requests",
    tags=["change requests"],
    dependencies=[Depends(require_roles(*roles.OFFICE, roles.OPERATOR))],
)
members = transactional_router(tags=["change requests"])
admins = transactional_router(
    prefix="/settings/records",
    tags=["settings"],
    dependencies=[Depends(require_roles(*roles.ADMINS, roles.OPERATOR))],
)


class InvalidRules(Problem):
    status = 422
    type = "invalid-rules"
    title = "Réglages invalides"


@staff.get("", response_model=list[ChangeRequestOut])
async def inbox(
    tenant_id: TenantId,
    session: SessionDep,
    status: Literal["pending", "accepted", "refused", "replaced"] = "pending",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[ChangeRequestOut]:
    """The requests inbox: oldest pending first."""
    return await RecordEditor(session).inbox(tenant_id, status=status, limit=limit, offset=offset)


@staff.post("/{request_id}/accept", response_model=ChangeRequestOut)
async def accept(
    request_id: UUID, principal: CurrentPrincipal, tenant_id: TenantId, session: SessionDep
) -> ChangeRequestOut:
    return await RecordEditor(session).accept(principal, tenant_id, request_id)


@staff.post("/{request_id}/refuse", response_model=ChangeRequestOut)
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
    household_id: UUID, principal: CurrentPrincipal, tenant_id: TenantId, session: SessionDep
) -> list[ChangeRequestOut]:
    """« Mes demandes »: pending, accepted and refused, with dates and reasons."""
    editor = RecordEditor(session)
    await editor.households.get_for(principal, tenant_id, household_id)
    return await editor.of_household(tenant_id, household_id)


@members.get("/settings/records", response_model=EditingRules)
async def read_rules(tenant_id: TenantId, session: SessionDep) -> EditingRules:
    """The tenant's diets and editing modes (every field group named)."""
    tenant = await TenantService(session).get(tenant_id)
    editing = {**DEFAULT_MODES, **(tenant.editing or {})}
    return EditingRules(diets=diets_of(tenant), editing=editing, criteria=criteria_of(tenant))


@admins.put("", response_model=EditingRules)
async def write_rules(data: EditingRules, tenant_id: TenantId, session: SessionDep) -> EditingRules:
    unknown = sorted(set(data.editing) - set(FIELD_GROUPS))
    if unknown:
        raise InvalidRules(f"Groupes de champs inconnus : {', '.join(unknown)}.", field="editing")
    if any(mode not in ("direct", "request") for mode in data.editing.values()):
        raise InvalidRules("Chaque groupe est « direct » ou « request ».", field="editing")
    if not data.diets or any(
        not code.replace("_", "").isalnum() or not code.islower() or len(code) > 30
        for code in data.diets
    ):
        raise InvalidRules(
            "Les codes de régime s'écrivent en minuscules, chiffres et _ (30 au plus).",
            field="diets",
        )
    tenant = await TenantService(session).get(tenant_id)
    tenant.diets = {code: label.strip()[:100] for code, label in data.diets.items()}
    if len({c.code for c in data.criteria}) != len(data.criteria):
        raise InvalidRules("Deux critères ont le même code.", field="criteria")
    tenant.editing = dict(data.editing)
    tenant.criteria = [c.model_dump() for c in data.criteria]
    session.add(tenant)
    await session.flush()
    return EditingRules(
        diets=diets_of(tenant),
        editing={**DEFAULT_MODES, **tenant.editing},
        criteria=criteria_of(tenant),
    )
