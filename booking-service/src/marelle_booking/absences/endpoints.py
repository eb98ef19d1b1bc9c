from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Path, Query

from marelle_booking.absences.schemas import (
    AbsenceIn,
    AbsenceResult,
    ReasonIn,
    ReasonOut,
    ValidationIn,
)
from marelle_booking.absences.service import AbsenceService
from marelle_booking.access import OFFICE, SUPERVISORS, check_household, is_staff
from marelle_booking.cells.endpoints import actor_of
from marelle_booking.cells.schemas import CellOut
from marelle_booking.cells.writer import Actor
from marelle_booking.openapi import PROBLEMS
from marelle_contracts import ChangeOrigin
from marelle_kit.security import CurrentPrincipal
from marelle_kit.tenancy import TenantId
from marelle_kit.unit_of_work import ReadSessionDep, SessionDep, transactional_router

members = transactional_router(tags=["absences"], responses=PROBLEMS)
office = transactional_router(tags=["absences"], dependencies=[OFFICE], responses=PROBLEMS)
supervisors = transactional_router(
    tags=["absences"], dependencies=[SUPERVISORS], responses=PROBLEMS
)


@members.get("/absence-reasons", response_model=list[ReasonOut], summary="Les motifs d'absence")
async def list_reasons(
    principal: CurrentPrincipal, tenant_id: TenantId, session: ReadSessionDep
) -> list[ReasonOut]:
    """Les familles voient les motifs qu'elles peuvent choisir ; les agents, tous."""
    reasons = await AbsenceService(session).reasons_of(tenant_id)
    staff = is_staff(principal)
    return [
        ReasonOut.model_validate(r) for r in reasons if staff or (r.active and not r.staff_only)
    ]


@supervisors.put(
    "/absence-reasons/{code}",
    response_model=ReasonOut,
    summary="Créer ou modifier un motif d'absence",
)
async def set_reason(
    code: Annotated[str, Path(pattern=r"^[a-z0-9_]{1,40}$")],
    data: ReasonIn,
    tenant_id: TenantId,
    session: SessionDep,
) -> ReasonOut:
    return ReasonOut.model_validate(await AbsenceService(session).set_reason(tenant_id, code, data))


@members.post(
    "/households/{household_id}/absences",
    response_model=AbsenceResult,
    summary="Déclarer une absence (jours réservés d'un enfant, avec un motif)",
)
async def declare_absence(
    household_id: UUID,
    data: AbsenceIn,
    principal: CurrentPrincipal,
    tenant_id: TenantId,
    session: SessionDep,
) -> AbsenceResult:
    """Dans les délais (avant la date limite d'annulation) l'absence est gratuite sauf si le
    motif dit autrement ; après, le motif décide (gratuit, facturé, pénalité) et ses jours de
    carence restent facturés. Publie ``booking.absence.declared``."""
    await check_household(session, principal, tenant_id, household_id)
    return await AbsenceService(session).declare(actor_of(principal), tenant_id, household_id, data)


@members.post(
    "/households/{household_id}/children/{child_id}/sick-today",
    response_model=AbsenceResult,
    summary="« Enfant malade aujourd'hui » : tous ses jours réservés d'aujourd'hui",
)
async def sick_today(
    household_id: UUID,
    child_id: UUID,
    principal: CurrentPrincipal,
    tenant_id: TenantId,
    session: SessionDep,
) -> AbsenceResult:
    await check_household(session, principal, tenant_id, household_id)
    return await AbsenceService(session).sick_today(
        actor_of(principal), tenant_id, household_id, child_id
    )


@office.get(
    "/absences/pending",
    response_model=list[CellOut],
    summary="Absences à valider ou justificatifs attendus",
)
async def pending_absences(
    tenant_id: TenantId, session: ReadSessionDep, limit: Annotated[int, Query(ge=1, le=500)] = 200
) -> list[CellOut]:
    return [
        CellOut.model_validate(c) for c in await AbsenceService(session).pending(tenant_id, limit)
    ]


@office.post(
    "/absences/validation", response_model=list[CellOut], summary="Valider ou refuser des absences"
)
async def validate_absences(
    data: ValidationIn, principal: CurrentPrincipal, tenant_id: TenantId, session: SessionDep
) -> list[CellOut]:
    """Refusée (ou sans justificatif) : l'absence devient non excusée et facturée. Publie
    ``booking.absence.validated``."""
    cells = await AbsenceService(session).validate(
        Actor(principal.subject, ChangeOrigin.STAFF, staff=True), tenant_id, data
    )
    return [CellOut.model_validate(c) for c in cells]
