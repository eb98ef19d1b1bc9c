"""Everything the rules need to answer for one household over a few days, in a fixed number
of queries (the week grid and the batch PUT are the hot path: no query per cell)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from marelle_booking.activities.repository import ActivityRepository
from marelle_booking.activities.service import parse_rule, season_of
from marelle_booking.calendars.days import ActivityDays, Season, TownCalendar
from marelle_booking.calendars.repository import ClosureRepository
from marelle_booking.calendars.service import CalendarService
from marelle_booking.cells.repository import CapacityKey, CapacityRepository, CellRepository
from marelle_booking.cells.rules import Slot, Terms, capacity_limit
from marelle_booking.cells.states import LIVE
from marelle_booking.enrolments.repository import EnrolmentRepository
from marelle_booking.families.repository import ChildViewRepository
from marelle_booking.models import (
    Activity,
    BookingCell,
    CapacityCounter,
    ChildView,
    Closure,
    Enrolment,
    Site,
    TownPolicy,
)
from marelle_booking.town.service import TownPolicyService
from marelle_contracts import CellState
from marelle_kit.database import ReadSession

CellKey = tuple[UUID, UUID, date]  # child, activity, day


@dataclass(frozen=True)
class ActivityInfo:
    activity: Activity
    site: Site
    terms: Terms
    seasons: dict[UUID, Season]
    groups: dict[str, int | None]


def closure_applies(
    closure: Closure, activity: Activity, child: ChildView | None, day: date
) -> bool:
    if not closure.first_day <= day <= closure.last_day:
        return False
    if closure.activity_id is not None and closure.activity_id != activity.id:
        return False
    if closure.site_id is not None and closure.site_id != activity.site_id:
        return False
    if closure.school is not None and (child is None or child.school != closure.school):
        return False
    return closure.level is None or (child is not None and child.level == closure.level)


def limit_of(info: ActivityInfo, policy: TownPolicy, key: CapacityKey) -> int | None:
    """The day's limit before any override (the counter row holds the override)."""
    _, day, group_code = key
    season = info.terms.days.season_of(day)
    groups = info.groups if policy.uses_groups else {}
    return capacity_limit(season.capacity if season else None, groups, group_code)


@dataclass(frozen=True)
class TownContext:
    """The town's calendar and some of its activities (staff work across households)."""

    policy: TownPolicy
    calendar: TownCalendar
    activities: dict[UUID, ActivityInfo]

    def limit(self, key: CapacityKey) -> int | None:
        info = self.activities.get(key[0])
        return None if info is None else limit_of(info, self.policy, key)


@dataclass
class HouseholdContext:
    tenant_id: UUID
    household_id: UUID
    policy: TownPolicy
    calendar: TownCalendar
    children: dict[UUID, ChildView]
    activities: dict[UUID, ActivityInfo]
    enrolments: dict[tuple[UUID, UUID, UUID], Enrolment]
    closures: list[Closure]
    counters: dict[CapacityKey, CapacityCounter]
    live: dict[CellKey, BookingCell] = field(default_factory=dict)
    latest: dict[CellKey, BookingCell] = field(default_factory=dict)

    def add_cell(self, cell: BookingCell) -> None:
        key = (cell.child_id, cell.activity_id, cell.day)
        self.latest[key] = cell
        if CellState(cell.state) in LIVE:
            self.live[key] = cell
        elif self.live.get(key) is cell:
            del self.live[key]

    def enrolment_for(self, child_id: UUID, activity_id: UUID, day: date) -> Enrolment | None:
        year = self.calendar.school_year_of(day)
        if year is None:
            return None
        return self.enrolments.get((child_id, activity_id, year.id))

    def closure_for(self, activity: Activity, child_id: UUID, day: date) -> Closure | None:
        child = self.children.get(child_id)
        for closure in self.closures:
            if closure_applies(closure, activity, child, day):
                return closure
        return None

    def slot(self, child_id: UUID, activity_id: UUID, day: date) -> Slot:
        info = self.activities[activity_id]
        enrolment = self.enrolment_for(child_id, activity_id, day)
        closure = self.closure_for(info.activity, child_id, day)
        cell = self.live.get((child_id, activity_id, day))
        child = self.children.get(child_id)
        return Slot(
            day=day,
            child_name=child.first_name if child else "L'enfant",
            terms=info.terms,
            enrolment_status=enrolment.status if enrolment else None,
            documents_missing=bool(
                self.policy.documents_gate
                and enrolment is not None
                and not enrolment.documents_complete
            ),
            closure_label=closure.label if closure else None,
            state=CellState(cell.state) if cell else None,
        )

    def group_of(self, child_id: UUID, activity_id: UUID, day: date) -> str:
        enrolment = self.enrolment_for(child_id, activity_id, day)
        if enrolment is None or not self.policy.uses_groups:
            return ""
        return enrolment.group_code

    def limit(self, key: CapacityKey) -> int | None:
        return limit_of(self.activities[key[0]], self.policy, key)

    def available(self, key: CapacityKey) -> int | None:
        """Places left (None: no limit), from the counters as read."""
        counter = self.counters.get(key)
        limit = (
            counter.limit_override
            if counter and counter.limit_override is not None
            else self.limit(key)
        )
        if limit is None:
            return None
        return max(limit - (counter.taken if counter else 0), 0)


class ContextLoader:
    def __init__(self, session: ReadSession) -> None:
        self.session = session

    async def household(
        self,
        tenant_id: UUID,
        household_id: UUID,
        first: date,
        last: date,
        *,
        extra_activity_ids: Collection[UUID] = (),
    ) -> HouseholdContext:
        policy = await TownPolicyService(self.session).get(tenant_id)
        calendar = await CalendarService(self.session).town_calendar(tenant_id, policy)
        children = {
            c.id: c
            for c in await ChildViewRepository(self.session).of_household(tenant_id, household_id)
            if not c.erased
        }
        years = [y.id for y in calendar.school_years if y.first_day <= last and y.last_day >= first]
        enrolments = await EnrolmentRepository(self.session).of_children(
            tenant_id, list(children), years
        )
        activity_ids = {e.activity_id for e in enrolments} | set(extra_activity_ids)
        activities = await self.activities(tenant_id, calendar, policy, activity_ids)
        context = HouseholdContext(
            tenant_id=tenant_id,
            household_id=household_id,
            policy=policy,
            calendar=calendar,
            children=children,
            activities=activities,
            enrolments={(e.child_id, e.activity_id, e.school_year_id): e for e in enrolments},
            closures=await ClosureRepository(self.session).overlapping(tenant_id, first, last),
            counters=await CapacityRepository(self.session).counters(
                tenant_id, list(activities), first, last
            ),
        )
        for cell in await CellRepository(self.session).of_household(
            tenant_id, household_id, first, last
        ):
            context.add_cell(cell)
        return context

    async def town(self, tenant_id: UUID, activity_ids: Collection[UUID]) -> TownContext:
        policy = await TownPolicyService(self.session).get(tenant_id)
        calendar = await CalendarService(self.session).town_calendar(tenant_id, policy)
        return TownContext(
            policy=policy,
            calendar=calendar,
            activities=await self.activities(tenant_id, calendar, policy, activity_ids),
        )

    async def activities(
        self,
        tenant_id: UUID,
        calendar: TownCalendar,
        policy: TownPolicy,
        activity_ids: Collection[UUID],
    ) -> dict[UUID, ActivityInfo]:
        repository = ActivityRepository(self.session)
        pairs = await repository.with_sites(tenant_id, activity_ids)
        found = {activity.id: activity for activity, _ in pairs}
        sites = {site.id: site for _, site in pairs}
        seasons: dict[UUID, dict[UUID, Season]] = {}
        for row in await repository.seasons(tenant_id, list(found)):
            seasons.setdefault(row.activity_id, {})[row.school_year_id] = season_of(row)
        groups: dict[UUID, dict[str, int | None]] = {}
        if policy.uses_groups:
            for group in await repository.groups(tenant_id, list(found)):
                groups.setdefault(group.activity_id, {})[group.code] = group.capacity
        infos = {}
        for activity in sorted(found.values(), key=lambda a: (a.position, a.name)):
            activity_seasons = seasons.get(activity.id, {})
            infos[activity.id] = ActivityInfo(
                activity=activity,
                site=sites[activity.site_id],
                terms=Terms(
                    name=activity.name,
                    active=activity.active,
                    booking_approval=activity.booking_approval,
                    book_rule=parse_rule(activity.book_rule),
                    cancel_rule=parse_rule(activity.cancel_rule),
                    late_booking_allowed=activity.late_booking == "allow",
                    late_cancellation_allowed=activity.late_cancellation == "allow",
                    days=ActivityDays(calendar=calendar, seasons=activity_seasons),
                ),
                seasons=activity_seasons,
                groups=groups.get(activity.id, {}),
            )
        return infos
