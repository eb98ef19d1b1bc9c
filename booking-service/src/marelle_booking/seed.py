"""Demo data for the embedded mode: the demo town's activities, its 2026-2027 school year with
the zone's holidays, deadlines like the seeds', the demo children's enrolments and bookings
around today, so that a new user sees a full grid.

The demo tenant and children come from the family-service's seed through its events (the
embedded runner seeds the family-service first): this seed waits for them to arrive in the
booking-service's read models, then goes through the same service layer as real data.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from marelle_booking.absences.service import AbsenceService
from marelle_booking.activities.repository import ActivityRepository
from marelle_booking.activities.schemas import ActivityIn, SeasonIn, SiteIn
from marelle_booking.activities.service import ActivityService, SiteService
from marelle_booking.calendars.days import Period
from marelle_booking.calendars.schemas import SchoolYearIn
from marelle_booking.calendars.service import CalendarService
from marelle_booking.cells.schemas import CellChangeIn
from marelle_booking.cells.service import BookingService, Options
from marelle_booking.cells.writer import Actor, today
from marelle_booking.enrolments.schemas import EnrolmentIn
from marelle_booking.enrolments.service import EnrolmentService
from marelle_booking.families.repository import ChildViewRepository
from marelle_booking.models import ChildView, tenants
from marelle_booking.registers.schemas import CloseIn, Mark, MarksIn
from marelle_booking.registers.service import RegisterService
from marelle_booking.town.schemas import TownPolicyIn
from marelle_booking.town.service import TownPolicyService
from marelle_contracts import ActivityKind, BillingMode, BillingUnit, ChangeOrigin, FiscalShare
from marelle_kit.database import WriteSession
from marelle_kit.runtime import ServiceRuntime
from marelle_kit.security import Principal

log = logging.getLogger(__name__)

DEMO_SLUG = "demo"
DEMO_CHILDREN = ("Léo", "Jade", "Inès")
WAIT_SECONDS = 30.0
SEED_ACTOR = Actor("démonstration", ChangeOrigin.STAFF, staff=True)
SEED_PRINCIPAL = Principal(subject="démonstration", tenant_id=None)

SITES = ("École Jules Ferry", "École maternelle Les Lilas", "Centre de loisirs Les Marronniers")
SCHOOL_DAYS = [1, 2, 4, 5]
MEAL_RULE: dict[str, Any] = {"form": "days_before", "days": 0, "at": "08:30"}
CARE_RULE: dict[str, Any] = {"form": "days_before", "days": 0, "at": "06:00"}
WEDNESDAY_RULE: dict[str, Any] = {
    "form": "weekday_of_week_before",
    "weekday": 4,
    "weeks_before": 1,
    "at": "23:59",
}


def _activities(sites: dict[str, UUID]) -> list[tuple[ActivityIn, SeasonIn]]:
    ferry, lilas, centre = (sites[name] for name in SITES)

    def activity(**values: Any) -> ActivityIn:
        return ActivityIn.model_validate(values)

    school = SeasonIn(weekdays=SCHOOL_DAYS, period=Period.SCHOOL, capacity=120)
    return [
        (
            activity(
                site_id=ferry,
                code="cantine",
                name="Restauration scolaire",
                kind=ActivityKind.MEAL,
                fiscal_share=FiscalShare.MEAL,
                includes_meal=True,
                book_rule=MEAL_RULE,
                cancel_rule=MEAL_RULE,
                position=1,
            ),
            school,
        ),
        (
            activity(
                site_id=lilas,
                code="cantine-lilas",
                name="Restauration scolaire (maternelle)",
                kind=ActivityKind.MEAL,
                fiscal_share=FiscalShare.MEAL,
                includes_meal=True,
                book_rule=MEAL_RULE,
                cancel_rule=MEAL_RULE,
                position=2,
            ),
            SeasonIn(weekdays=SCHOOL_DAYS, period=Period.SCHOOL, capacity=60),
        ),
        (
            activity(
                site_id=ferry,
                code="accueil-matin",
                name="Accueil périscolaire du matin",
                kind=ActivityKind.MORNING_CARE,
                billing_mode=BillingMode.ON_ATTENDANCE,
                book_rule=CARE_RULE,
                cancel_rule=CARE_RULE,
                time_slots=[{"start": "07:30", "end": "08:30"}],
                position=3,
            ),
            SeasonIn(weekdays=SCHOOL_DAYS, period=Period.SCHOOL, capacity=30),
        ),
        (
            activity(
                site_id=ferry,
                code="accueil-soir",
                name="Accueil périscolaire du soir",
                kind=ActivityKind.EVENING_CARE,
                billing_mode=BillingMode.ON_ATTENDANCE,
                billing_unit=BillingUnit.QUARTER_HOUR,
                book_rule=CARE_RULE,
                cancel_rule=CARE_RULE,
                late_booking="allow",
                time_slots=[{"start": "16:30", "end": "18:30"}],
                position=4,
            ),
            SeasonIn(weekdays=SCHOOL_DAYS, period=Period.SCHOOL, capacity=40),
        ),
        (
            activity(
                site_id=centre,
                code="alsh-mercredi-repas",
                name="Mercredi au centre de loisirs, avec repas",
                kind=ActivityKind.LEISURE_DAY,
                includes_meal=True,
                book_rule=WEDNESDAY_RULE,
                cancel_rule=WEDNESDAY_RULE,
                time_slots=[{"start": "08:30", "end": "17:30"}],
                position=5,
            ),
            SeasonIn(weekdays=[3], period=Period.SCHOOL, capacity=40),
        ),
        (
            activity(
                site_id=centre,
                code="alsh-mercredi-matin",
                name="Mercredi matin au centre de loisirs, sans repas",
                kind=ActivityKind.LEISURE_HALF_DAY,
                book_rule=WEDNESDAY_RULE,
                cancel_rule=WEDNESDAY_RULE,
                time_slots=[{"start": "08:30", "end": "12:00"}],
                position=6,
            ),
            SeasonIn(weekdays=[3], period=Period.SCHOOL, capacity=24),
        ),
    ]


# child -> activities (codes) it is enrolled in
ENROLMENTS = {
    "Léo": ("cantine", "accueil-matin", "accueil-soir", "alsh-mercredi-repas"),
    "Jade": ("cantine", "accueil-soir", "alsh-mercredi-matin"),
    "Inès": ("cantine-lilas", "alsh-mercredi-repas"),
}
# child -> (activity, weekdays booked) for this week and the next
BOOKINGS = {
    "Léo": (("cantine", SCHOOL_DAYS), ("accueil-matin", [2, 4]), ("alsh-mercredi-repas", [3])),
    "Jade": (("cantine", [1, 2, 4]), ("accueil-soir", [1, 4]), ("alsh-mercredi-matin", [3])),
    "Inès": (("cantine-lilas", SCHOOL_DAYS), ("alsh-mercredi-repas", [3])),
}


async def _wait_for_demo(runtime: ServiceRuntime) -> tuple[UUID, dict[str, ChildView]] | None:
    """The demo tenant and children, once the family-service's events have arrived."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT_SECONDS
    while loop.time() < deadline:
        async with runtime.database.transaction() as session:
            tenant_id = await tenants.id_of(session, DEMO_SLUG)
            if tenant_id is not None:
                children = await _children(session, tenant_id)
                if all(name in children for name in DEMO_CHILDREN):
                    return tenant_id, children
        await asyncio.sleep(0.2)
    return None


async def _children(session: WriteSession, tenant_id: UUID) -> dict[str, ChildView]:
    repository = ChildViewRepository(session)
    found: dict[str, ChildView] = {}
    for child in await repository.all_of_tenant(tenant_id):
        found.setdefault(child.first_name, child)
    return found


async def seed_demo(runtime: ServiceRuntime) -> None:
    demo = await _wait_for_demo(runtime)
    if demo is None:
        log.warning("booking demo: the demo tenant's children did not arrive; no demo bookings")
        return
    tenant_id, children = demo
    async with runtime.database.transaction() as session:
        if await ActivityRepository(session).of_tenant(tenant_id):
            return  # seeded before
        await _seed(session, tenant_id, children)
    runtime.outbox_committed()


async def _seed(session: WriteSession, tenant_id: UUID, children: dict[str, ChildView]) -> None:
    policy = await TownPolicyService(session).update(tenant_id, TownPolicyIn(zone="A"))
    year = await CalendarService(session).add_school_year(
        tenant_id, policy, SchoolYearIn(label="2026-2027")
    )
    site_service = SiteService(session)
    sites = {name: (await site_service.create(tenant_id, SiteIn(name=name))).id for name in SITES}
    activity_service = ActivityService(session)
    codes: dict[str, UUID] = {}
    for data, season in _activities(sites):
        activity = await activity_service.create(tenant_id, data)
        await activity_service.set_season(tenant_id, activity.id, year.id, season)
        codes[data.code] = activity.id
    await AbsenceService(session).reasons_of(tenant_id)
    enrolments = EnrolmentService(session)
    for name, activity_codes in ENROLMENTS.items():
        child = children[name]
        for code in activity_codes:
            await enrolments.create(
                SEED_PRINCIPAL,
                tenant_id,
                EnrolmentIn(
                    household_id=child.household_id,
                    child_id=child.id,
                    activity_id=codes[code],
                    school_year_id=year.id,
                    documents_complete=True,
                ),
            )
    monday = today() - timedelta(days=today().weekday())
    bookings = BookingService(session)
    by_household: dict[UUID, list[CellChangeIn]] = {}
    for name, plan in BOOKINGS.items():
        child = children[name]
        for code, weekdays in plan:
            for week in (0, 1):
                for weekday in weekdays:
                    day = monday + timedelta(days=7 * week + weekday - 1)
                    by_household.setdefault(child.household_id, []).append(
                        CellChangeIn(
                            child_id=child.id, activity_id=codes[code], day=day, action="book"
                        )
                    )
    for household_id, changes in by_household.items():
        # Staff booking with the override: the demo's past days of this week are booked too.
        await bookings.apply(
            tenant_id,
            household_id,
            changes,
            SEED_ACTOR,
            Options(strict=False, accept_late=True, override=True, note="Données de démonstration"),
        )
    await _roll_call(session, tenant_id, codes["cantine"], monday)


async def _roll_call(
    session: WriteSession, tenant_id: UUID, activity_id: UUID, monday: date
) -> None:
    """Monday's canteen register, marked and closed, when Monday is already past."""
    if monday >= today():
        return
    registers = RegisterService(session)
    register = await registers.view(tenant_id, activity_id, monday)
    if not register.lines:
        return
    marks = [Mark(cell_id=line.cell_id, mark="present") for line in register.lines]
    await registers.mark(SEED_ACTOR, tenant_id, activity_id, monday, MarksIn(marks=marks))
    await registers.close(SEED_ACTOR, tenant_id, activity_id, monday, CloseIn())


__all__ = ["seed_demo"]
