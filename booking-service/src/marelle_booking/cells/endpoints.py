from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Annotated
from uuid import UUID

from fastapi import Query

from marelle_booking import timing
from marelle_booking.access import OFFICE, READERS, check_household, is_staff
from marelle_booking.cells.context import ContextLoader
from marelle_booking.cells.grid import build_planning
from marelle_booking.cells.repository import CellRepository
from marelle_booking.cells.schemas import (
    BatchIn,
    BatchResult,
    BulkIn,
    CellHistoryEntry,
    CellOut,
    DayView,
    Planning,
    RequestDecision,
    StaffBatchIn,
)
from marelle_booking.cells.service import BookingService, Options
from marelle_booking.cells.staff import StaffBookingService
from marelle_booking.cells.writer import Actor
from marelle_booking.openapi import PROBLEMS
from marelle_contracts import ChangeOrigin
from marelle_kit.errors import NotFound
from marelle_kit.localtime import local_day
from marelle_kit.security import CurrentPrincipal, Principal
from marelle_kit.tenancy import TenantId
from marelle_kit.unit_of_work import ReadSessionDep, SessionDep, transactional_router

members = transactional_router(prefix="/households/{household_id}", tags=["réservations"])
office = transactional_router(tags=["réservations (agents)"], dependencies=[OFFICE])
readers = transactional_router(tags=["réservations (agents)"], dependencies=[READERS])

WeekParam = Annotated[
    str | None,
    Query(
        pattern=r"^[0-9]{4}-W[0-9]{2}$",
        description="Semaine ISO, p. ex. 2027-W04 ; défaut : cette semaine",
    ),
]
MonthParam = Annotated[
    str | None,
    Query(pattern=r"^[0-9]{4}-[0-9]{2}$", description="Mois, p. ex. 2027-01 ; défaut : ce mois"),
]


def actor_of(principal: Principal) -> Actor:
    staff = is_staff(principal)
    return Actor(
        principal.subject, ChangeOrigin.STAFF if staff else ChangeOrigin.PORTAL, staff=staff
    )


def _week_bounds(week: str | None) -> tuple[date, date]:
    if week is None:
        today = local_day(timing.now())
        monday = today - timedelta(days=today.weekday())
    else:
        try:
            monday = date.fromisocalendar(int(week[:4]), int(week[6:]), 1)
        except ValueError as exc:
            raise NotFound("Cette semaine n'existe pas.") from exc
    return monday, monday + timedelta(days=6)


def _month_bounds(month: str | None) -> tuple[date, date]:
    if month is None:
        today = local_day(timing.now())
        year, number = today.year, today.month
    else:
        year, number = int(month[:4]), int(month[5:])
        if not 1 <= number <= 12:
            raise NotFound("Ce mois n'existe pas.")
    return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])


@members.get(
    "/week",
    response_model=Planning,
    summary="La semaine de réservations du foyer (la grille)",
    responses=PROBLEMS,
)
async def week_grid(
    household_id: UUID,
    principal: CurrentPrincipal,
    tenant_id: TenantId,
    session: ReadSessionDep,
    week: WeekParam = None,
) -> Planning:
    """Par enfant, par activité où il est inscrit, par jour : l'état, les dates limites, ce que
    la famille peut faire maintenant et sinon pourquoi, le hors délai ; les vacances, jours
    fériés et fermetures ; la date limite la plus proche pour le compte à rebours."""
    await check_household(session, principal, tenant_id, household_id)
    first, last = _week_bounds(week)
    context = await ContextLoader(session).household(tenant_id, household_id, first, last)
    return build_planning(context, first, last, timing.now(), period="week")


@members.put(
    "/week",
    response_model=BatchResult,
    summary="Enregistrer les changements de la grille (tout ou rien)",
    responses=PROBLEMS,
)
async def apply_week(
    household_id: UUID,
    data: BatchIn,
    principal: CurrentPrincipal,
    tenant_id: TenantId,
    session: SessionDep,
    dry_run: Annotated[bool, Query(description="Simuler sans rien enregistrer")] = False,
) -> BatchResult:
    """Réserve et annule en une transaction : si un seul jour est refusé, rien n'est
    enregistré et la réponse 409 (``cells-refused``) donne la raison de chaque jour refusé ;
    un changement hors délai permis demande ``accept_late`` (sinon 409
    ``late-confirmation-required``). Un jour complet part en liste d'attente."""
    await check_household(session, principal, tenant_id, household_id)
    return await BookingService(session).apply(
        tenant_id,
        household_id,
        data.changes,
        actor_of(principal),
        Options(strict=True, accept_late=data.accept_late, dry_run=dry_run),
    )


@members.get(
    "/month",
    response_model=Planning,
    summary="Le mois de réservations du foyer",
    responses=PROBLEMS,
)
async def month_grid(
    household_id: UUID,
    principal: CurrentPrincipal,
    tenant_id: TenantId,
    session: ReadSessionDep,
    month: MonthParam = None,
) -> Planning:
    await check_household(session, principal, tenant_id, household_id)
    first, last = _month_bounds(month)
    context = await ContextLoader(session).household(tenant_id, household_id, first, last)
    return build_planning(context, first, last, timing.now(), period="month")


@members.post(
    "/bulk/preview",
    response_model=BatchResult,
    summary="Réserver en masse : ce qui serait fait (rien n'est enregistré)",
    responses=PROBLEMS,
)
async def bulk_preview(
    household_id: UUID,
    data: BulkIn,
    principal: CurrentPrincipal,
    tenant_id: TenantId,
    session: SessionDep,
) -> BatchResult:
    """Chaque jour de la période et des jours de la semaine choisis : réservé, en liste
    d'attente, annulé (mode replace) ou refusé avec sa raison. Les jours où l'activité n'a
    pas lieu (vacances, autres jours) et les jours passés ne sont pas proposés."""
    await check_household(session, principal, tenant_id, household_id)
    return await BookingService(session).bulk(
        tenant_id, household_id, data, actor_of(principal), dry_run=True
    )


@members.post(
    "/bulk",
    response_model=BatchResult,
    summary="Réserver en masse : appliquer (même calcul que l'aperçu)",
    responses=PROBLEMS,
)
async def bulk_apply(
    household_id: UUID,
    data: BulkIn,
    principal: CurrentPrincipal,
    tenant_id: TenantId,
    session: SessionDep,
) -> BatchResult:
    await check_household(session, principal, tenant_id, household_id)
    return await BookingService(session).bulk(
        tenant_id, household_id, data, actor_of(principal), dry_run=False
    )


@members.post(
    "/cells/{cell_id}/decline",
    response_model=CellOut,
    summary="Décliner une place attribuée par la liste d'attente (gratuit)",
    responses=PROBLEMS,
)
async def decline(
    household_id: UUID,
    cell_id: UUID,
    principal: CurrentPrincipal,
    tenant_id: TenantId,
    session: SessionDep,
) -> CellOut:
    await check_household(session, principal, tenant_id, household_id)
    cell = await BookingService(session).decline(
        tenant_id, household_id, cell_id, actor_of(principal)
    )
    return CellOut.model_validate(cell)


@members.get(
    "/cells/{cell_id}/history",
    response_model=list[CellHistoryEntry],
    summary="Historique d'un jour : qui, quand, d'où",
)
async def cell_history(
    household_id: UUID,
    cell_id: UUID,
    principal: CurrentPrincipal,
    tenant_id: TenantId,
    session: ReadSessionDep,
) -> list[CellHistoryEntry]:
    await check_household(session, principal, tenant_id, household_id)
    repository = CellRepository(session)
    cell = await repository.get(tenant_id, cell_id)
    if cell is None or cell.household_id != household_id:
        raise NotFound("Ce jour n'existe pas.")
    return [
        CellHistoryEntry.model_validate(c) for c in await repository.history(tenant_id, cell_id)
    ]


@office.put(
    "/staff/households/{household_id}/week",
    response_model=BatchResult,
    summary="Agents : réserver ou annuler pour un foyer, avec dérogation aux délais",
    responses=PROBLEMS,
)
async def staff_apply(
    household_id: UUID,
    data: StaffBatchIn,
    principal: CurrentPrincipal,
    tenant_id: TenantId,
    session: SessionDep,
    dry_run: Annotated[bool, Query(description="Simuler sans rien enregistrer")] = False,
) -> BatchResult:
    """Comme la grille des familles ; ``override_deadlines`` passe outre les dates limites et
    les jours passés, et la dérogation est journalisée dans l'historique de chaque jour."""
    await check_household(session, principal, tenant_id, household_id)
    return await BookingService(session).apply(
        tenant_id,
        household_id,
        data.changes,
        Actor(principal.subject, ChangeOrigin.STAFF, staff=True),
        Options(
            strict=True,
            accept_late=data.accept_late,
            dry_run=dry_run,
            override=data.override_deadlines,
            waive_late_fee=data.waive_late_fee,
            note=data.note,
        ),
    )


@office.get("/requests", response_model=list[CellOut], summary="Demandes de réservation à valider")
async def pending_requests(
    tenant_id: TenantId,
    session: ReadSessionDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> list[CellOut]:
    cells = await StaffBookingService(session).requests(tenant_id, limit)
    return [CellOut.model_validate(c) for c in cells]


@office.post(
    "/requests/decisions",
    response_model=list[CellOut],
    summary="Accepter ou refuser des demandes de réservation",
    responses=PROBLEMS,
)
async def decide_requests(
    data: RequestDecision, principal: CurrentPrincipal, tenant_id: TenantId, session: SessionDep
) -> list[CellOut]:
    """Acceptée : la place est prise (ou la demande part en liste d'attente si le jour est
    complet) ; refusée : avec le motif, lu par la famille."""
    cells = await StaffBookingService(session).decide_requests(
        tenant_id,
        data.cell_ids,
        data.decision == "approve",
        data.reason,
        Actor(principal.subject, ChangeOrigin.STAFF, staff=True),
    )
    return [CellOut.model_validate(c) for c in cells]


@readers.get(
    "/activities/{activity_id}/days/{day}",
    response_model=DayView,
    summary="Une activité un jour : comptes, capacité, liste d'attente",
    responses=PROBLEMS,
)
async def day_view(
    activity_id: UUID, day: date, tenant_id: TenantId, session: ReadSessionDep
) -> DayView:
    return await StaffBookingService(session).day_view(tenant_id, activity_id, day)
