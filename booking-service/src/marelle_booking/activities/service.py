from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from pydantic import TypeAdapter

from marelle_booking.activities.repository import ActivityRepository, SiteRepository
from marelle_booking.activities.schemas import (
    ActivityIn,
    ActivityOut,
    GroupIn,
    GroupOut,
    SeasonIn,
    SeasonOut,
    SiteIn,
    TimeSlot,
)
from marelle_booking.calendars.days import Period, Season
from marelle_booking.calendars.service import CalendarService
from marelle_booking.cells.repository import CapacityRepository
from marelle_booking.deadlines.rules import DeadlineRule
from marelle_booking.models import Activity, ActivityGroup, ActivitySeason, Site, events
from marelle_booking.problems import SettingsConflict, UnknownActivity
from marelle_booking.sessions import writable
from marelle_contracts import ActivityKind, ActivityPublished, BillingMode, BillingUnit, FiscalShare
from marelle_kit.database import ReadSession
from marelle_kit.errors import NotFound
from marelle_kit.events import record_event

RULE = TypeAdapter[DeadlineRule](DeadlineRule)


def parse_rule(raw: dict[str, object]) -> DeadlineRule:
    return RULE.validate_python(raw)


def season_of(row: ActivitySeason) -> Season:
    return Season(
        school_year_id=row.school_year_id,
        weekdays=frozenset(row.weekdays),
        period=Period(row.period),
        extra_days=frozenset(date.fromisoformat(d) for d in row.extra_days),
        removed_days=frozenset(date.fromisoformat(d) for d in row.removed_days),
        capacity=row.capacity,
    )


class SiteService:
    def __init__(self, session: ReadSession) -> None:
        self.sites = SiteRepository(session)

    async def all(self, tenant_id: UUID) -> list[Site]:
        return await self.sites.of_tenant(tenant_id)

    async def get(self, tenant_id: UUID, site_id: UUID) -> Site:
        site = await self.sites.get(tenant_id, site_id)
        if site is None:
            raise NotFound("Ce site n'existe pas.")
        return site

    async def create(self, tenant_id: UUID, data: SiteIn) -> Site:
        if await self.sites.by_name(tenant_id, data.name) is not None:
            raise SettingsConflict(f"Un site s'appelle déjà « {data.name} ».")
        return await self.sites.add(Site(tenant_id=tenant_id, **data.model_dump()))

    async def update(self, tenant_id: UUID, site_id: UUID, data: SiteIn) -> Site:
        site = await self.get(tenant_id, site_id)
        same_name = await self.sites.by_name(tenant_id, data.name)
        if same_name is not None and same_name.id != site.id:
            raise SettingsConflict(f"Un site s'appelle déjà « {data.name} ».")
        for name, value in data.model_dump().items():
            setattr(site, name, value)
        return await self.sites.add(site)


class ActivityService:
    def __init__(self, session: ReadSession) -> None:
        self.session = session
        self.activities = ActivityRepository(session)
        self.sites = SiteRepository(session)

    async def get(self, tenant_id: UUID, activity_id: UUID) -> Activity:
        activity = await self.activities.get(tenant_id, activity_id)
        if activity is None:
            raise UnknownActivity("Cette activité n'existe pas.")
        return activity

    async def all(self, tenant_id: UUID) -> list[Activity]:
        return await self.activities.of_tenant(tenant_id)

    async def create(self, tenant_id: UUID, data: ActivityIn) -> Activity:
        await self._site(tenant_id, data.site_id)
        if await self.activities.by_code(tenant_id, data.code) is not None:
            raise SettingsConflict(f"Une activité a déjà le code « {data.code} ».")
        activity = Activity(tenant_id=tenant_id, **_values(data))
        await self.activities.add(activity)
        await self.publish(activity)
        return activity

    async def update(self, tenant_id: UUID, activity_id: UUID, data: ActivityIn) -> Activity:
        activity = await self.get(tenant_id, activity_id)
        await self._site(tenant_id, data.site_id)
        same_code = await self.activities.by_code(tenant_id, data.code)
        if same_code is not None and same_code.id != activity.id:
            raise SettingsConflict(f"Une activité a déjà le code « {data.code} ».")
        for name, value in _values(data).items():
            setattr(activity, name, value)
        await self.activities.store(activity)
        await self.publish(activity)
        return activity

    async def publish(self, activity: Activity) -> None:
        site = await self._site(activity.tenant_id, activity.site_id)
        await record_event(
            writable(self.session),
            events,
            ActivityPublished(
                activity_id=activity.id,
                code=activity.code,
                name=activity.name,
                kind=ActivityKind(activity.kind),
                site_id=site.id,
                site_name=site.name,
                billing_mode=BillingMode(activity.billing_mode),
                billing_unit=BillingUnit(activity.billing_unit),
                fiscal_share=FiscalShare(activity.fiscal_share),
                active=activity.active,
            ),
            tenant_id=activity.tenant_id,
            key=activity.id,
        )

    async def views(self, tenant_id: UUID, activities: list[Activity]) -> list[ActivityOut]:
        sites = await self.sites.by_ids(tenant_id, {a.site_id for a in activities})
        groups: dict[UUID, list[GroupOut]] = {}
        for group in await self.activities.groups(tenant_id, [a.id for a in activities]):
            groups.setdefault(group.activity_id, []).append(GroupOut.model_validate(group))
        return [view(a, sites[a.site_id].name, groups.get(a.id, [])) for a in activities]

    async def set_season(
        self, tenant_id: UUID, activity_id: UUID, school_year_id: UUID, data: SeasonIn
    ) -> SeasonOut:
        activity = await self.get(tenant_id, activity_id)
        year = await CalendarService(self.session).school_year(tenant_id, school_year_id)
        outside = [
            d
            for d in (*data.extra_days, *data.removed_days)
            if not year.first_day <= d <= year.last_day
        ]
        if outside:
            raise SettingsConflict(
                f"Le {outside[0]:%d/%m/%Y} est en dehors de l'année scolaire {year.label}."
            )
        season = await self.activities.season(tenant_id, activity.id, year.id)
        if season is None:
            season = ActivitySeason(
                tenant_id=tenant_id, activity_id=activity.id, school_year_id=year.id, period=""
            )
        season.weekdays = data.weekdays
        season.period = data.period.value
        season.capacity = data.capacity
        season.extra_days = sorted(d.isoformat() for d in set(data.extra_days))
        season.removed_days = sorted(d.isoformat() for d in set(data.removed_days))
        await self.activities.store(season)
        return season_view(season, year.label)

    async def seasons(self, tenant_id: UUID, activity_id: UUID) -> list[SeasonOut]:
        activity = await self.get(tenant_id, activity_id)
        labels = {
            y.id: y.label for y in await CalendarService(self.session).school_years(tenant_id)
        }
        rows = await self.activities.seasons(tenant_id, [activity.id])
        return sorted(
            (season_view(row, labels.get(row.school_year_id, "")) for row in rows),
            key=lambda s: s.school_year,
        )

    async def set_groups(
        self, tenant_id: UUID, activity_id: UUID, groups: list[GroupIn]
    ) -> list[GroupOut]:
        activity = await self.get(tenant_id, activity_id)
        codes = [g.code for g in groups]
        if len(set(codes)) != len(codes):
            raise SettingsConflict("Deux groupes ont le même code.")
        rows = [
            ActivityGroup(tenant_id=tenant_id, activity_id=activity.id, **g.model_dump())
            for g in groups
        ]
        await self.activities.replace_groups(tenant_id, activity.id, rows)
        return [GroupOut.model_validate(row) for row in rows]

    async def set_day_capacity(
        self, tenant_id: UUID, activity_id: UUID, day: date, group_code: str, limit: int | None
    ) -> None:
        activity = await self.get(tenant_id, activity_id)
        await CapacityRepository(self.session).set_override(
            tenant_id, (activity.id, day, group_code), limit
        )

    async def _site(self, tenant_id: UUID, site_id: UUID) -> Site:
        site = await self.sites.get(tenant_id, site_id)
        if site is None:
            raise NotFound("Ce site n'existe pas.")
        return site


def _values(data: ActivityIn) -> dict[str, Any]:
    values = data.model_dump(mode="json")
    values["kind"] = data.kind.value
    values["site_id"] = data.site_id
    return values


def slots_of(activity: Activity) -> list[TimeSlot]:
    return [TimeSlot.model_validate(slot) for slot in activity.time_slots]


def view(activity: Activity, site_name: str, groups: list[GroupOut]) -> ActivityOut:
    book = parse_rule(activity.book_rule)
    cancel = parse_rule(activity.cancel_rule)
    return ActivityOut(
        id=activity.id,
        site_id=activity.site_id,
        site_name=site_name,
        code=activity.code,
        name=activity.name,
        kind=ActivityKind(activity.kind),
        billing_mode=BillingMode(activity.billing_mode),
        billing_unit=BillingUnit(activity.billing_unit),
        fiscal_share=FiscalShare(activity.fiscal_share),
        includes_meal=activity.includes_meal,
        enrolment_approval=activity.enrolment_approval,
        booking_approval=activity.booking_approval,
        book_rule=book,
        cancel_rule=cancel,
        late_booking="allow" if activity.late_booking == "allow" else "refuse",
        late_cancellation="allow" if activity.late_cancellation == "allow" else "refuse",
        time_slots=slots_of(activity),
        position=activity.position,
        active=activity.active,
        groups=groups,
        **ActivityOut.texts(book, cancel),
    )


def season_view(row: ActivitySeason, label: str) -> SeasonOut:
    return SeasonOut(
        school_year_id=row.school_year_id,
        school_year=label,
        weekdays=list(row.weekdays),
        period=Period(row.period),
        capacity=row.capacity,
        extra_days=[date.fromisoformat(d) for d in row.extra_days],
        removed_days=[date.fromisoformat(d) for d in row.removed_days],
    )
