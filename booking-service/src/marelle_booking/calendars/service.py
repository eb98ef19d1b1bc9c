from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from marelle_booking.calendars.days import HolidaySpan, SchoolYearSpan, TownCalendar
from marelle_booking.calendars.reference import school_year_bounds
from marelle_booking.calendars.repository import ReferenceRepository, SchoolYearRepository
from marelle_booking.calendars.schemas import SchoolYearIn
from marelle_booking.models import SchoolYear, TownPolicy
from marelle_booking.problems import CalendarIncomplete, SettingsConflict
from marelle_kit.database import ReadSession
from marelle_kit.errors import NotFound


@dataclass(frozen=True)
class _Reference:
    holidays: dict[str, tuple[HolidaySpan, ...]]  # by zone
    national: dict[date, str]
    alsace_moselle: dict[date, str]  # national + the two regional days


# The national calendars never change while a process runs (they are loaded at start from
# the packages): read them from the tables once per database.
_REFERENCE: dict[str, _Reference] = {}


class CalendarService:
    def __init__(self, session: ReadSession) -> None:
        self.session = session
        self.years = SchoolYearRepository(session)
        self.reference = ReferenceRepository(session)

    async def _reference(self) -> _Reference:
        key = str(self.session.get_bind().engine.url)
        cached = _REFERENCE.get(key)
        if cached is not None:
            return cached
        by_zone: dict[str, list[HolidaySpan]] = {}
        for row in await self.reference.school_holidays():
            by_zone.setdefault(row.zone, []).append(
                HolidaySpan(name=row.name, first_day=row.first_day, last_day=row.last_day)
            )
        national: dict[date, str] = {}
        regional: dict[date, str] = {}
        for day in await self.reference.public_holidays():
            regional[day.day] = day.name
            if not day.alsace_moselle_only:
                national[day.day] = day.name
        loaded = _Reference(
            holidays={zone: tuple(spans) for zone, spans in by_zone.items()},
            national=national,
            alsace_moselle=regional,
        )
        if by_zone and national:  # never cache an empty read (before the first load)
            _REFERENCE[key] = loaded
        return loaded

    async def town_calendar(self, tenant_id: UUID, policy: TownPolicy) -> TownCalendar:
        reference = await self._reference()
        years = await self.years.of_tenant(tenant_id)
        return TownCalendar(
            school_years=tuple(_span(year) for year in years),
            holidays=reference.holidays.get(policy.zone or "", ()),
            public_holidays=reference.alsace_moselle
            if policy.alsace_moselle
            else reference.national,
        )

    async def school_years(self, tenant_id: UUID) -> list[SchoolYear]:
        return await self.years.of_tenant(tenant_id)

    async def school_year(self, tenant_id: UUID, school_year_id: UUID) -> SchoolYear:
        year = await self.years.get(tenant_id, school_year_id)
        if year is None:
            raise NotFound("Cette année scolaire n'existe pas.")
        return year

    async def add_school_year(
        self, tenant_id: UUID, policy: TownPolicy, data: SchoolYearIn
    ) -> SchoolYear:
        if await self.years.by_label(tenant_id, data.label) is not None:
            raise SettingsConflict(f"L'année scolaire {data.label} existe déjà.")
        first, classes_end, last = data.first_day, data.classes_end, data.last_day
        if first is None or classes_end is None or last is None:
            if policy.zone is None:
                raise CalendarIncomplete(
                    "Choisissez d'abord la zone des vacances scolaires dans les réglages, ou "
                    "donnez les dates de l'année."
                )
            bounds = school_year_bounds(policy.zone, data.label)
            if bounds is None:
                raise CalendarIncomplete(
                    f"Le calendrier national de {data.label} n'est pas connu : donnez les dates "
                    "de l'année."
                )
            first = first or bounds[0]
            classes_end = classes_end or bounds[1]
            last = last or bounds[2]
        if not first <= classes_end <= last:
            raise SettingsConflict(
                "Les dates de l'année ne se suivent pas (rentrée, fin des cours, dernier jour)."
            )
        overlapping = await self.years.overlapping(tenant_id, first, last)
        if overlapping:
            raise SettingsConflict(f"Ces dates chevauchent l'année {overlapping[0].label}.")
        return await self.years.add(
            SchoolYear(
                tenant_id=tenant_id,
                label=data.label,
                first_day=first,
                classes_end=classes_end,
                last_day=last,
            )
        )


def _span(year: SchoolYear) -> SchoolYearSpan:
    return SchoolYearSpan(
        id=year.id,
        label=year.label,
        first_day=year.first_day,
        last_day=year.last_day,
        classes_end=year.classes_end,
    )
