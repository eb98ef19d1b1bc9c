"""The national calendars shipped with the packages, a town's calendar and opening days."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

from marelle_booking.calendars.days import (
    ActivityDays,
    HolidaySpan,
    Period,
    SchoolYearSpan,
    Season,
    TownCalendar,
    Unavailable,
    unavailability,
    week_label,
)
from marelle_booking.calendars.reference import (
    public_holiday_days,
    school_holiday_spans,
    school_year_bounds,
)


def test_zone_holidays_come_from_the_package_data() -> None:
    spans = {(s.zone, s.name, s.first_day, s.last_day) for s in school_holiday_spans()}
    assert ("A", "Vacances de Noël", date(2026, 12, 19), date(2027, 1, 3)) in spans
    assert ("B", "Vacances d'hiver", date(2027, 2, 20), date(2027, 3, 7)) in spans
    assert ("C", "Vacances de printemps", date(2027, 4, 3), date(2027, 4, 18)) in spans


def test_the_school_year_is_derived_from_the_summer_holidays() -> None:
    assert school_year_bounds("A", "2026-2027") == (
        date(2026, 9, 1),
        date(2027, 7, 2),
        date(2027, 8, 31),
    )


def test_alsace_moselle_has_two_more_public_holidays() -> None:
    days = public_holiday_days()
    assert days[date(2027, 5, 6)] == ("Ascension", False)
    assert days[date(2027, 3, 26)][1] is True  # Vendredi saint
    assert days[date(2026, 12, 26)][1] is True  # Saint-Étienne
    assert sum(1 for _, regional in days.values() if regional) == 2 * 16


YEAR = SchoolYearSpan(
    id=uuid4(),
    label="2026-2027",
    first_day=date(2026, 9, 1),
    last_day=date(2027, 8, 31),
    classes_end=date(2027, 7, 2),
)
CALENDAR = TownCalendar(
    school_years=(YEAR,),
    holidays=(HolidaySpan("Vacances de Noël", date(2026, 12, 19), date(2027, 1, 3)),),
    public_holidays={date(2026, 11, 11): "Armistice"},
)
CANTEEN = {
    YEAR.id: Season(school_year_id=YEAR.id, weekdays=frozenset({1, 2, 4, 5}), period=Period.SCHOOL)
}


def test_opening_days_of_a_school_activity() -> None:
    assert unavailability(date(2026, 12, 1), CALENDAR, CANTEEN) is None
    assert unavailability(date(2026, 12, 2), CALENDAR, CANTEEN) is Unavailable.NOT_OPEN
    assert unavailability(date(2026, 12, 21), CALENDAR, CANTEEN) is Unavailable.SCHOOL_HOLIDAY
    assert unavailability(date(2026, 11, 11), CALENDAR, CANTEEN) is Unavailable.PUBLIC_HOLIDAY
    assert unavailability(date(2027, 7, 5), CALENDAR, CANTEEN) is Unavailable.SCHOOL_HOLIDAY
    assert unavailability(date(2026, 8, 31), CALENDAR, CANTEEN) is Unavailable.OUTSIDE_SCHOOL_YEAR


def test_a_holiday_activity_opens_only_in_the_holidays_and_exceptions_win() -> None:
    seasons = {
        YEAR.id: Season(
            school_year_id=YEAR.id,
            weekdays=frozenset({1, 2, 3, 4, 5}),
            period=Period.HOLIDAYS,
            extra_days=frozenset({date(2026, 12, 2)}),
            removed_days=frozenset({date(2026, 12, 24)}),
        )
    }
    assert unavailability(date(2026, 12, 21), CALENDAR, seasons) is None
    assert unavailability(date(2026, 12, 1), CALENDAR, seasons) is Unavailable.NOT_OPEN
    assert unavailability(date(2026, 12, 2), CALENDAR, seasons) is None
    assert unavailability(date(2026, 12, 24), CALENDAR, seasons) is Unavailable.NOT_OPEN


def test_an_activity_without_a_season_for_the_year_does_not_open() -> None:
    days = ActivityDays(calendar=CALENDAR, seasons={})
    assert not days.is_opening_day(date(2026, 12, 1))
    assert days.is_working_day(date(2026, 12, 1))
    assert not days.is_working_day(date(2026, 11, 11))


def test_the_week_label_is_the_iso_week() -> None:
    assert week_label(date(2027, 1, 25)) == "Semaine 04 / 2027"
    assert week_label(date(2027, 1, 1)) == "Semaine 53 / 2026"
