from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import Query

from marelle_booking.access import OFFICE, check_household, is_staff
from marelle_booking.enrolments.schemas import (
    EnrolmentDecision,
    EnrolmentIn,
    EnrolmentOut,
    EnrolmentPatch,
    EnrolmentRequest,
)
from marelle_booking.enrolments.service import EnrolmentService
from marelle_booking.openapi import PROBLEMS
from marelle_kit.security import CurrentPrincipal
from marelle_kit.tenancy import TenantId
from marelle_kit.unit_of_work import ReadSessionDep, SessionDep, transactional_router

members = transactional_router(
    prefix="/households/{household_id}/enrolments", tags=["inscriptions"], responses=PROBLEMS
)
office = transactional_router(
    prefix="/enrolments", tags=["inscriptions"], dependencies=[OFFICE], responses=PROBLEMS
)


@members.get("", response_model=list[EnrolmentOut], summary="Les inscriptions des enfants du foyer")
async def household_enrolments(
    household_id: UUID, principal: CurrentPrincipal, tenant_id: TenantId, session: ReadSessionDep
) -> list[EnrolmentOut]:
    await check_household(session, principal, tenant_id, household_id)
    service = EnrolmentService(session)
    return await service.views(tenant_id, await service.of_household(tenant_id, household_id))


@members.post("", response_model=EnrolmentOut, status_code=201, summary="Demander une inscription")
async def request_enrolment(
    household_id: UUID,
    data: EnrolmentRequest,
    principal: CurrentPrincipal,
    tenant_id: TenantId,
    session: SessionDep,
) -> EnrolmentOut:
    """Acceptée aussitôt, sauf pour une activité dont les inscriptions sont validées par le
    service (statut ``pending``)."""
    await check_household(session, principal, tenant_id, household_id)
    service = EnrolmentService(session)
    enrolment = await service.request(
        principal, tenant_id, household_id, data, by_staff=is_staff(principal)
    )
    return (await service.views(tenant_id, [enrolment]))[0]


@office.get("", response_model=list[EnrolmentOut], summary="Inscriptions (à valider, par activité)")
async def search_enrolments(
    tenant_id: TenantId,
    session: ReadSessionDep,
    status: Literal["pending", "approved", "refused", "ended"] | None = None,
    activity_id: UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> list[EnrolmentOut]:
    service = EnrolmentService(session)
    found = await service.search(
        tenant_id, status=status, activity_id=activity_id, limit=limit, offset=offset
    )
    return await service.views(tenant_id, found)


@office.post("", response_model=EnrolmentOut, status_code=201, summary="Inscrire un enfant")
async def create_enrolment(
    data: EnrolmentIn, principal: CurrentPrincipal, tenant_id: TenantId, session: SessionDep
) -> EnrolmentOut:
    service = EnrolmentService(session)
    enrolment = await service.create(principal, tenant_id, data)
    return (await service.views(tenant_id, [enrolment]))[0]


@office.patch(
    "/{enrolment_id}",
    response_model=EnrolmentOut,
    summary="Dossier complet, priorité en liste d'attente, groupe, fin d'inscription",
)
async def patch_enrolment(
    enrolment_id: UUID, data: EnrolmentPatch, tenant_id: TenantId, session: SessionDep
) -> EnrolmentOut:
    service = EnrolmentService(session)
    enrolment = await service.patch(tenant_id, enrolment_id, data)
    return (await service.views(tenant_id, [enrolment]))[0]


@office.post(
    "/{enrolment_id}/decision",
    response_model=EnrolmentOut,
    summary="Accepter ou refuser une inscription",
)
async def decide_enrolment(
    enrolment_id: UUID,
    data: EnrolmentDecision,
    principal: CurrentPrincipal,
    tenant_id: TenantId,
    session: SessionDep,
) -> EnrolmentOut:
    service = EnrolmentService(session)
    enrolment = await service.decide(principal, tenant_id, enrolment_id, data)
    return (await service.views(tenant_id, [enrolment]))[0]
