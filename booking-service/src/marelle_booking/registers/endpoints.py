from __future__ import annotations

from datetime import date
from uuid import UUID

from marelle_booking.access import OFFICE, ROLL_CALL
from marelle_booking.cells.writer import Actor
from marelle_booking.openapi import PROBLEMS
from marelle_booking.registers.schemas import CloseIn, MarksIn, RegisterOut, UnexpectedIn
from marelle_booking.registers.service import RegisterService
from marelle_contracts import ChangeOrigin
from marelle_kit.security import CurrentPrincipal, Principal
from marelle_kit.tenancy import TenantId
from marelle_kit.unit_of_work import ReadSessionDep, SessionDep, transactional_router

roll_call = transactional_router(
    prefix="/registers/{activity_id}/{day}",
    tags=["appel"],
    dependencies=[ROLL_CALL],
    responses=PROBLEMS,
)
office = transactional_router(
    prefix="/registers/{activity_id}/{day}",
    tags=["appel"],
    dependencies=[OFFICE],
    responses=PROBLEMS,
)


def _actor(principal: Principal) -> Actor:
    return Actor(principal.subject, ChangeOrigin.ROLL_CALL, staff=True)


@roll_call.get("", response_model=RegisterOut, summary="Le registre d'une activité un jour")
async def get_register(
    activity_id: UUID, day: date, tenant_id: TenantId, session: ReadSessionDep
) -> RegisterOut:
    """Les enfants attendus (réservés), présents ou absents, avec les personnes autorisées à
    venir les chercher et le PAI."""
    return await RegisterService(session).view(tenant_id, activity_id, day)


@roll_call.post("/marks", response_model=RegisterOut, summary="Pointer présents et absents")
async def mark(
    activity_id: UUID,
    day: date,
    data: MarksIn,
    principal: CurrentPrincipal,
    tenant_id: TenantId,
    session: SessionDep,
) -> RegisterOut:
    """Présent (avec heures d'arrivée et de départ pour un accueil facturé à l'heure) ou
    absent ; une erreur se corrige tant que le registre est ouvert."""
    return await RegisterService(session).mark(_actor(principal), tenant_id, activity_id, day, data)


@roll_call.post(
    "/unexpected", response_model=RegisterOut, summary="Ajouter un enfant venu sans réservation"
)
async def add_unexpected(
    activity_id: UUID,
    day: date,
    data: UnexpectedIn,
    principal: CurrentPrincipal,
    tenant_id: TenantId,
    session: SessionDep,
) -> RegisterOut:
    return await RegisterService(session).unexpected(
        _actor(principal), tenant_id, activity_id, day, data
    )


@roll_call.post("/close", response_model=RegisterOut, summary="Clore le registre")
async def close(
    activity_id: UUID,
    day: date,
    data: CloseIn,
    principal: CurrentPrincipal,
    tenant_id: TenantId,
    session: SessionDep,
) -> RegisterOut:
    """Publie ``booking.register.closed`` avec toutes ses lignes : la facturation « au réel »
    l'attend."""
    return await RegisterService(session).close(
        _actor(principal), tenant_id, activity_id, day, data
    )


@office.post(
    "/reopen", response_model=RegisterOut, summary="Rouvrir un registre clos pour le corriger"
)
async def reopen(
    activity_id: UUID,
    day: date,
    principal: CurrentPrincipal,
    tenant_id: TenantId,
    session: SessionDep,
) -> RegisterOut:
    return await RegisterService(session).reopen(_actor(principal), tenant_id, activity_id, day)
