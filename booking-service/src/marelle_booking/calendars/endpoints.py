from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated
from uuid import UUID

from fastapi import Query

from marelle_booking import timing
from marelle_booking.access import OFFICE, READERS, SUPERVISORS
from marelle_booking.calendars.closures import ClosureService
from marelle_booking.calendars.schemas import (
    CalendarDay,
    CalendarOut,
    CalendarPeriod,
    ClosureIn,
    ClosureOut,
    ClosurePreview,
    HolidayOut,
    SchoolYearIn,
    SchoolYearOut,
)
from marelle_booking.calendars.service import CalendarService
from marelle_booking.openapi import PROBLEMS
from marelle_booking.town.service import TownPolicyService
from marelle_kit.localtime import local_day
from marelle_kit.security import CurrentPrincipal
from marelle_kit.tenancy import TenantId
from marelle_kit.unit_of_work import ReadSessionDep, SessionDep, transactional_router

# Anyone signed in to the tenant (families too) reads its calendar.
members = transactional_router(tags=["calendrier"])
readers = transactional_router(tags=["calendrier"], dependencies=[READERS])
supervisors = transactional_router(
    tags=["calendrier"], dependencies=[SUPERVISORS], responses=PROBLEMS
)
office = transactional_router(tags=["calendrier"], dependencies=[OFFICE], responses=PROBLEMS)


@members.get("/school-years", response_model=list[SchoolYearOut], summary="Les années scolaires")
async def school_years(
    _principal: CurrentPrincipal, tenant_id: TenantId, session: ReadSessionDep
) -> list[SchoolYearOut]:
    return [
        SchoolYearOut.model_validate(y)
        for y in await CalendarService(session).school_years(tenant_id)
    ]


@supervisors.post(
    "/school-years",
    response_model=SchoolYearOut,
    status_code=201,
    summary="Ouvrir une année scolaire",
)
async def add_school_year(
    data: SchoolYearIn, tenant_id: TenantId, session: SessionDep
) -> SchoolYearOut:
    """Les dates non données viennent du calendrier national de la zone de la structure."""
    policy = await TownPolicyService(session).get(tenant_id)
    year = await CalendarService(session).add_school_year(tenant_id, policy, data)
    return SchoolYearOut.model_validate(year)


@members.get(
    "/calendar",
    response_model=CalendarOut,
    summary="Vacances scolaires, jours fériés et fermetures d'une période",
)
async def town_calendar(
    _principal: CurrentPrincipal,
    tenant_id: TenantId,
    session: ReadSessionDep,
    period: Annotated[CalendarPeriod, Query()],
) -> CalendarOut:
    first = period.first_day or local_day(timing.now())
    last = period.last_day or first + timedelta(days=365)
    if last < first or (last - first).days > 731:
        # Only the default filled in can get here (the query model checks the rest).
        last = first + timedelta(days=365)
    policy = await TownPolicyService(session).get(tenant_id)
    calendar = await CalendarService(session).town_calendar(tenant_id, policy)
    return CalendarOut(
        zone=policy.zone,
        first_day=first,
        last_day=last,
        school_holidays=[
            HolidayOut(name=h.name, first_day=h.first_day, last_day=h.last_day)
            for h in calendar.holidays
            if h.first_day <= last and h.last_day >= first
        ],
        public_holidays=[
            CalendarDay(day=day, name=name)
            for day, name in sorted(calendar.public_holidays.items())
            if first <= day <= last
        ],
        closures=[
            ClosureOut.model_validate(c)
            for c in await ClosureService(session).in_period(tenant_id, first, last)
        ],
    )


@office.post(
    "/closures/preview",
    response_model=ClosurePreview,
    summary="Fermeture ou annulation en masse : combien de jours réservés seraient annulés",
)
async def preview_closure(
    data: ClosureIn, principal: CurrentPrincipal, tenant_id: TenantId, session: SessionDep
) -> ClosurePreview:
    return await ClosureService(session).preview(principal, tenant_id, data)


@office.post(
    "/closures",
    response_model=ClosureOut,
    status_code=201,
    summary="Déclarer une fermeture, ou annuler en masse (grève, enseignant absent, sortie)",
)
async def declare_closure(
    data: ClosureIn, principal: CurrentPrincipal, tenant_id: TenantId, session: SessionDep
) -> ClosureOut:
    """Un site, une activité ou une classe (école et niveau), sur un jour ou une période : les
    jours réservés sont annulés sans frais et ``booking.closure.declared`` est publié une fois
    pour toute la fermeture ; ces jours ne peuvent plus être réservés."""
    return ClosureOut.model_validate(
        await ClosureService(session).declare(principal, tenant_id, data)
    )


@readers.get("/closures", response_model=list[ClosureOut], summary="Les fermetures d'une période")
async def list_closures(
    tenant_id: TenantId,
    session: ReadSessionDep,
    first_day: date,
    last_day: date,
) -> list[ClosureOut]:
    return [
        ClosureOut.model_validate(c)
        for c in await ClosureService(session).in_period(tenant_id, first_day, last_day)
    ]


@office.delete("/closures/{closure_id}", status_code=204, summary="Lever une fermeture à venir")
async def lift_closure(closure_id: UUID, tenant_id: TenantId, session: SessionDep) -> None:
    await ClosureService(session).lift(tenant_id, closure_id)
