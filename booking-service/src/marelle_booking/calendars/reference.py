"""National calendars, loaded into the booking-service's own tables from packages it ships.

- School holidays by zone (A, B, C): ``vacances-scolaires-france`` carries its dates in a CSV
  file inside the package (no network); consecutive days with the same holiday name make one
  span.
- Public holidays: ``holidays`` computes them (France, and Moselle's two more days, which
  Alsace shares: Vendredi saint and Saint-Étienne).

Loading runs at every start and only inserts what is missing, so a newer package adds its
new years without touching what is there.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays
from vacances_scolaires_france import SchoolHolidayDates

from marelle_booking.calendars.repository import ReferenceRepository
from marelle_booking.models import PublicHoliday, SchoolHoliday
from marelle_kit.database import WriteSession

ZONES = ("A", "B", "C")
PUBLIC_HOLIDAY_YEARS = range(2020, 2036)


@dataclass(frozen=True)
class Span:
    zone: str
    name: str
    first_day: date
    last_day: date


@lru_cache(maxsize=1)
def school_holiday_spans() -> tuple[Span, ...]:
    """Every zone's holidays as spans (parsed once per process: the data is the package's)."""
    return tuple(_spans(SchoolHolidayDates()))


def _spans(data: SchoolHolidayDates) -> Iterator[Span]:
    for zone in ZONES:
        days = sorted(day for day in data.data if data.is_holiday_for_zone(day, zone))
        current: Span | None = None
        for day in days:
            name = str(data.data[day]["nom_vacances"])
            if (
                current is not None
                and current.name == name
                and day - current.last_day == timedelta(days=1)
            ):
                current = Span(zone, name, current.first_day, day)
                continue
            if current is not None:
                yield current
            current = Span(zone, name, day, day)
        if current is not None:
            yield current


@lru_cache(maxsize=1)
def public_holiday_days() -> dict[date, tuple[str, bool]]:
    """{day: (name, only in Alsace-Moselle)}."""
    years = list(PUBLIC_HOLIDAY_YEARS)
    national = holidays.country_holidays("FR", years=years, language="fr")
    moselle = holidays.country_holidays("FR", subdiv="57", years=years, language="fr")
    found: dict[date, tuple[str, bool]] = {
        day: (str(name), False) for day, name in national.items()
    }
    for day, name in moselle.items():
        if day not in found:
            found[day] = (str(name), True)
    return found


async def load_reference_calendars(session: WriteSession) -> int:
    """Insert the spans and days not yet in the tables; the number of rows added."""
    reference = ReferenceRepository(session)
    known_spans = await reference.school_holiday_keys()
    spans = [
        SchoolHoliday(zone=s.zone, name=s.name, first_day=s.first_day, last_day=s.last_day)
        for s in school_holiday_spans()
        if (s.zone, s.first_day) not in known_spans
    ]
    known_days = await reference.public_holiday_days()
    days = [
        PublicHoliday(day=day, name=name, alsace_moselle_only=regional)
        for day, (name, regional) in sorted(public_holiday_days().items())
        if day not in known_days
    ]
    await reference.add_reference(spans, days)
    return len(spans) + len(days)


def school_year_bounds(zone: str, school_year: str) -> tuple[date, date, date] | None:
    """(rentrée, last day of classes, last day) of ``2026-2027`` for a zone, from the holiday
    data: the day after the summer holidays of the first year, the day before those of the
    second, and the last day of those (the summer belongs to the year it ends)."""
    start_year = int(school_year[:4])
    summers = {
        s.first_day.year: s
        for s in school_holiday_spans()
        if s.zone == zone and s.name == "Vacances d'été"
    }
    before, after = summers.get(start_year), summers.get(start_year + 1)
    if before is None or after is None:
        return None
    return (
        before.last_day + timedelta(days=1),
        after.first_day - timedelta(days=1),
        after.last_day,
    )
