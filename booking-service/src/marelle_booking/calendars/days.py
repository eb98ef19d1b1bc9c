"""A tenant's calendar and an activity's opening days, as pure values (no I/O).

The service loads them once per request (school years, the zone's holidays, public holidays,
the activity's seasons) and asks these objects; the deadline rules count working or opening
days through them.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from uuid import UUID


class Period(enum.StrEnum):
    SCHOOL = "school"  # jours d'école (hors vacances) : cantine, accueils du matin et du soir
    HOLIDAYS = "holidays"  # vacances scolaires seulement : accueil de loisirs des vacances
    ALL = "all"  # toute l'année scolaire : mercredis, par exemple


class Unavailable(enum.StrEnum):
    """Why a day cannot be booked at all (before any deadline or capacity question)."""

    OUTSIDE_SCHOOL_YEAR = "outside-school-year"
    PUBLIC_HOLIDAY = "public-holiday"
    SCHOOL_HOLIDAY = "school-holiday"
    NOT_OPEN = "not-open"
    NO_SEASON = "no-season"  # the activity has no opening days for this school year


@dataclass(frozen=True)
class SchoolYearSpan:
    id: UUID
    label: str
    first_day: date  # la rentrée
    last_day: date  # la veille de la rentrée suivante (l'été compte dans l'année)
    classes_end: date  # le dernier jour de classe

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.first_day <= day <= self.last_day


@dataclass(frozen=True)
class HolidaySpan:
    name: str
    first_day: date
    last_day: date


@dataclass(frozen=True)
class TownCalendar:
    school_years: tuple[SchoolYearSpan, ...] = ()
    holidays: tuple[HolidaySpan, ...] = ()  # the tenant's zone
    public_holidays: Mapping[date, str] = field(default_factory=dict)

    def school_year_of(self, day: date) -> SchoolYearSpan | None:
        for year in self.school_years:
            if day in year:
                return year
        return None

    def holiday_of(self, day: date) -> str | None:
        for span in self.holidays:
            if span.first_day <= day <= span.last_day:
                return span.name
        year = self.school_year_of(day)
        if year is not None and day > year.classes_end:
            return "Vacances d'été"
        return None

    def public_holiday_of(self, day: date) -> str | None:
        return self.public_holidays.get(day)

    def is_working_day(self, day: date) -> bool:
        return day.isoweekday() <= 5 and day not in self.public_holidays


@dataclass(frozen=True)
class Season:
    """The opening days of one activity for one school year."""

    school_year_id: UUID
    weekdays: frozenset[int]  # ISO weekdays, 1 = Monday
    period: Period
    extra_days: frozenset[date] = frozenset()  # opened although the rule says no
    removed_days: frozenset[date] = frozenset()  # closed although the rule says yes
    capacity: int | None = None


def unavailability(
    day: date, calendar: TownCalendar, seasons: Mapping[UUID, Season]
) -> Unavailable | None:
    """None when the activity opens on ``day``; otherwise why not."""
    year = calendar.school_year_of(day)
    if year is None:
        return Unavailable.OUTSIDE_SCHOOL_YEAR
    season = seasons.get(year.id)
    if season is None:
        return Unavailable.NO_SEASON
    if calendar.public_holiday_of(day) is not None:
        return Unavailable.PUBLIC_HOLIDAY
    if day in season.removed_days:
        return Unavailable.NOT_OPEN
    if day in season.extra_days:
        return None
    holiday = calendar.holiday_of(day) is not None
    if season.period is Period.SCHOOL and holiday:
        return Unavailable.SCHOOL_HOLIDAY
    if season.period is Period.HOLIDAYS and not holiday:
        return Unavailable.NOT_OPEN
    if day.isoweekday() not in season.weekdays:
        return Unavailable.NOT_OPEN
    return None


@dataclass(frozen=True)
class ActivityDays:
    """The calendar of one activity: what its deadline rules count back through."""

    calendar: TownCalendar
    seasons: Mapping[UUID, Season]

    def is_working_day(self, day: date) -> bool:
        return self.calendar.is_working_day(day)

    def is_opening_day(self, day: date) -> bool:
        return unavailability(day, self.calendar, self.seasons) is None

    def season_of(self, day: date) -> Season | None:
        year = self.calendar.school_year_of(day)
        return None if year is None else self.seasons.get(year.id)


def days_between(first: date, last: date) -> Iterable[date]:
    current = first
    while current <= last:
        yield current
        current += timedelta(days=1)


def iso_week_bounds(year: int, week: int) -> tuple[date, date]:
    monday = date.fromisocalendar(year, week, 1)
    return monday, monday + timedelta(days=6)


def week_label(day: date) -> str:
    """« Semaine 04 / 2027 » (the ISO week and its year, as the seeds show it)."""
    iso = day.isocalendar()
    return f"Semaine {iso.week:02d} / {iso.year}"
