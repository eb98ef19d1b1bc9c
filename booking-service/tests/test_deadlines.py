"""Deadlines in every form of BOOKING.md, computed in Europe/Paris and stored in UTC, across the
DST changes, around public holidays, and the towns' own rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

import pytest

from marelle_booking.deadlines.rules import (
    Counting,
    DayOfPreviousMonth,
    DaysBefore,
    RuleCannotBeMet,
    WeekdayOfWeekBefore,
    cutoff,
    cutoff_day,
    describe,
)


@dataclass
class Days:
    """A test calendar: weekdays are working days but for the public holidays given; the
    activity opens on ``open_weekdays`` but for ``closed``."""

    public_holidays: set[date] = field(default_factory=set)
    open_weekdays: set[int] = field(default_factory=lambda: {1, 2, 4, 5})
    closed: set[date] = field(default_factory=set)

    def is_working_day(self, day: date) -> bool:
        return day.isoweekday() <= 5 and day not in self.public_holidays

    def is_opening_day(self, day: date) -> bool:
        return (
            day.isoweekday() in self.open_weekdays
            and day not in self.public_holidays
            and day not in self.closed
        )


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_the_same_day_before_8_30_is_7_30_utc_in_winter_and_6_30_in_summer() -> None:
    rule = DaysBefore(days=0, at=time(8, 30))
    assert cutoff(rule, date(2027, 1, 14), Days()) == utc(2027, 1, 14, 7, 30)
    assert cutoff(rule, date(2027, 6, 14), Days()) == utc(2027, 6, 14, 6, 30)


def test_j_minus_n_in_calendar_days() -> None:
    rule = DaysBefore(days=2, at=time(10, 0))
    assert cutoff_day(rule, date(2027, 1, 11), Days()) == date(2027, 1, 9)  # a Saturday: kept


def test_j_minus_n_in_working_days_skips_weekends_and_public_holidays() -> None:
    # 11 November 2026 (Armistice) is a Wednesday.
    days = Days(public_holidays={date(2026, 11, 11)})
    rule = DaysBefore(days=2, at=time(12, 0), counting=Counting.WORKING)
    # Friday 13 November: Thursday 12th (1), Wednesday 11th is a holiday, Tuesday 10th (2).
    assert cutoff_day(rule, date(2026, 11, 13), days) == date(2026, 11, 10)
    # Monday 16 November: Friday 13th (1), Thursday 12th (2): the weekend does not count.
    assert cutoff_day(rule, date(2026, 11, 16), days) == date(2026, 11, 12)


def test_j_minus_n_in_opening_days_counts_the_activity_s_days_only() -> None:
    wednesdays = Days(open_weekdays={3}, closed={date(2027, 1, 13)})
    rule = DaysBefore(days=1, at=time(18, 0), counting=Counting.OPENING)
    # The opening day before Wednesday 20 January is the 6th: the 13th is closed.
    assert cutoff_day(rule, date(2027, 1, 20), wednesdays) == date(2027, 1, 6)


def test_a_calendar_without_any_opening_day_is_reported_not_looped_on() -> None:
    never = Days(open_weekdays=set())
    with pytest.raises(RuleCannotBeMet):
        cutoff(DaysBefore(days=1, at=time(8), counting=Counting.OPENING), date(2027, 1, 20), never)


def test_thursday_23_59_of_the_week_before() -> None:
    rule = WeekdayOfWeekBefore(weekday=4, weeks_before=1, at=time(23, 59))
    # Wednesday 20 January 2027 (week 3): Thursday 14 January, 23:59 Paris = 22:59 UTC.
    assert cutoff(rule, date(2027, 1, 20), Days()) == utc(2027, 1, 14, 22, 59)
    # Any day of the same week shares the deadline.
    assert cutoff(rule, date(2027, 1, 18), Days()) == cutoff(rule, date(2027, 1, 24), Days())


def test_weekday_of_the_week_s_minus_2() -> None:
    rule = WeekdayOfWeekBefore(weekday=1, weeks_before=2, at=time(12, 0))
    assert cutoff_day(rule, date(2027, 1, 20), Days()) == date(2027, 1, 4)


def test_week_before_across_the_new_year() -> None:
    rule = WeekdayOfWeekBefore(weekday=5, weeks_before=1, at=time(17, 0))
    # Monday 4 January 2027: the Friday of the week before is 1 January.
    assert cutoff_day(rule, date(2027, 1, 4), Days()) == date(2027, 1, 1)


def test_day_x_of_the_previous_month() -> None:
    rule = DayOfPreviousMonth(day_of_month=20, at=time(23, 59))
    assert cutoff_day(rule, date(2027, 3, 3), Days()) == date(2027, 2, 20)
    assert cutoff_day(rule, date(2027, 1, 15), Days()) == date(2026, 12, 20)


def test_day_31_of_a_short_previous_month_is_its_last_day() -> None:
    rule = DayOfPreviousMonth(day_of_month=31, at=time(12, 0))
    assert cutoff_day(rule, date(2027, 3, 10), Days()) == date(2027, 2, 28)
    assert cutoff_day(rule, date(2028, 3, 10), Days()) == date(2028, 2, 29)


def test_march_dst_change_the_day_before_is_in_winter_the_day_in_summer() -> None:
    rule = DaysBefore(days=1, at=time(8, 30))
    # Monday 29 March 2027: J-1 is Sunday 28th, the change day, already summer time at 08:30.
    assert cutoff(rule, date(2027, 3, 29), Days()) == utc(2027, 3, 28, 6, 30)
    # Sunday 28th: J-1 is Saturday 27th, still winter time.
    assert cutoff(rule, date(2027, 3, 28), Days()) == utc(2027, 3, 27, 7, 30)


def test_march_dst_a_deadline_in_the_missing_hour_moves_forward() -> None:
    rule = DaysBefore(days=0, at=time(2, 30))
    assert cutoff(rule, date(2027, 3, 28), Days()) == utc(2027, 3, 28, 1, 30)


def test_october_dst_change_six_o_clock_after_the_fold() -> None:
    rule = DaysBefore(days=0, at=time(6, 0))
    # Sunday 31 October 2027: 06:00 is winter time again (UTC+1).
    assert cutoff(rule, date(2027, 10, 31), Days()) == utc(2027, 10, 31, 5, 0)
    # Saturday 30th: still summer time (UTC+2).
    assert cutoff(rule, date(2027, 10, 30), Days()) == utc(2027, 10, 30, 4, 0)


def test_october_dst_the_repeated_hour_takes_the_first_earlier_instant() -> None:
    rule = DaysBefore(days=0, at=time(2, 30))
    assert cutoff(rule, date(2027, 10, 31), Days()) == utc(2027, 10, 31, 0, 30)


def test_week_before_rule_across_the_october_change() -> None:
    rule = WeekdayOfWeekBefore(weekday=4, weeks_before=1, at=time(23, 59))
    # Wednesday 3 November 2027: Thursday 28 October, still summer time: 21:59 UTC.
    assert cutoff(rule, date(2027, 11, 3), Days()) == utc(2027, 10, 28, 21, 59)


# --- The towns' rules (BOOKING.md) ---------------------------------------------------------


def test_le_cres_books_or_cancels_eight_days_ahead() -> None:
    rule = DaysBefore(days=8, at=time(23, 59))
    assert cutoff_day(rule, date(2027, 2, 15), Days()) == date(2027, 2, 7)


def test_les_rousses_cancels_by_nine_the_same_day() -> None:
    rule = DaysBefore(days=0, at=time(9, 0))
    assert cutoff(rule, date(2027, 2, 15), Days()) == utc(2027, 2, 15, 8, 0)


def test_illkirch_sixteen_working_days_ahead_with_public_holidays() -> None:
    # Alsace: Vendredi saint (26 March 2027) and Lundi de Pâques (29 March) are holidays.
    days = Days(public_holidays={date(2027, 3, 26), date(2027, 3, 29)})
    rule = DaysBefore(days=16, at=time(23, 59), counting=Counting.WORKING)
    # Friday 9 April 2027, counting back 16 working days skipping both holidays: 16 March.
    assert cutoff_day(rule, date(2027, 4, 9), days) == date(2027, 3, 16)
    assert cutoff_day(rule, date(2027, 4, 9), Days()) == date(2027, 3, 18)


def test_3d_ouest_care_before_six_and_meal_before_half_past_eight() -> None:
    care, meal = DaysBefore(days=0, at=time(6, 0)), DaysBefore(days=0, at=time(8, 30))
    assert cutoff(care, date(2027, 1, 19), Days()) == utc(2027, 1, 19, 5, 0)
    assert cutoff(meal, date(2027, 1, 19), Days()) == utc(2027, 1, 19, 7, 30)


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        (DaysBefore(days=0, at=time(8, 30)), "avant 8h30 le jour même"),
        (DaysBefore(days=0, at=time(6, 0)), "avant 6h le jour même"),
        (DaysBefore(days=1, at=time(18, 0)), "avant 18h la veille"),
        (DaysBefore(days=8, at=time(23, 59)), "avant 23h59, 8 jours avant"),
        (
            DaysBefore(days=16, at=time(12, 0), counting=Counting.WORKING),
            "avant 12h, 16 jours ouvrés avant",
        ),
        (
            DaysBefore(days=1, at=time(12, 0), counting=Counting.OPENING),
            "avant 12h, 1 jour d'ouverture avant",
        ),
        (
            WeekdayOfWeekBefore(weekday=4, at=time(23, 59)),
            "avant le jeudi 23h59 de la semaine précédente",
        ),
        (
            WeekdayOfWeekBefore(weekday=1, weeks_before=2, at=time(9, 0)),
            "avant le lundi 9h de deux semaines avant",
        ),
        (
            DayOfPreviousMonth(day_of_month=1, at=time(12, 0)),
            "avant le 1er du mois précédent à 12h",
        ),
    ],
)
def test_rules_read_as_the_families_read_them(rule: object, text: str) -> None:
    assert describe(rule) == text  # type: ignore[arg-type]
