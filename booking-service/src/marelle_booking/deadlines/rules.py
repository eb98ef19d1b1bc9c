"""Booking deadlines («dates butoirs»): every form the towns use, computed in Europe/Paris.

A rule says, for a day ``D`` of an activity, the last instant at which a family may book (or
cancel) ``D``. The forms (BOOKING.md):

- ``days_before``: day J-N at HH:MM, N counted in calendar days, working days (Monday to
  Friday but public holidays) or the activity's opening days. J-0 at 08:30 is "before 08:30
  the same day"; J-16 working days is Illkirch's rule.
- ``weekday_of_week_before``: weekday W of the week S-1 (or S-2) at HH:MM, e.g. "Thursday
  23:59 of the week before" for the Wednesday leisure centre. Weeks are ISO weeks (Monday
  first).
- ``day_of_previous_month``: day X of the previous month at HH:MM (X past the month's end
  means its last day).

The rule gives a Paris wall-clock time on a Paris day; the instant is stored in UTC
(``marelle_kit.localtime.local_instant`` handles the DST gap and fold). Acting is allowed while
``now < cutoff``.
"""

from __future__ import annotations

import calendar
import enum
from datetime import date, datetime, time, timedelta
from typing import Annotated, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from marelle_kit.localtime import local_instant

# Counting back working or opening days never looks further than this: a rule that finds no
# such day within a year is a settings error, reported rather than looped on.
_LOOKBACK_DAYS = 400

WEEKDAY_NAMES = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


class Counting(enum.StrEnum):
    CALENDAR = "calendar"  # jours calendaires
    WORKING = "working"  # jours ouvrés : lundi à vendredi, hors jours fériés
    OPENING = "opening"  # jours d'ouverture de l'activité


class DayCalendar(Protocol):
    """What a rule needs to know about days (the tenant's calendar and the activity's)."""

    def is_working_day(self, day: date) -> bool: ...

    def is_opening_day(self, day: date) -> bool: ...


class _Rule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    at: time = Field(description="Heure limite (heure de Paris), exclue : « avant 08:30 »")


class DaysBefore(_Rule):
    form: Literal["days_before"] = "days_before"
    days: int = Field(ge=0, le=120, description="N de J-N (0 = le jour même)")
    counting: Counting = Counting.CALENDAR


class WeekdayOfWeekBefore(_Rule):
    form: Literal["weekday_of_week_before"] = "weekday_of_week_before"
    weekday: int = Field(ge=1, le=7, description="Jour de la semaine, 1 = lundi … 7 = dimanche")
    weeks_before: Literal[1, 2] = Field(default=1, description="Semaine S-1 ou S-2")


class DayOfPreviousMonth(_Rule):
    form: Literal["day_of_previous_month"] = "day_of_previous_month"
    day_of_month: int = Field(ge=1, le=31, description="Jour X du mois précédent")


DeadlineRule = Annotated[
    DaysBefore | WeekdayOfWeekBefore | DayOfPreviousMonth, Field(discriminator="form")
]


class RuleCannotBeMet(ValueError):
    """No working/opening day to count back to: the activity's calendar is empty."""


def _count_back(day: date, days: int, accept: DayCalendar, counting: Counting) -> date:
    if days == 0 or counting is Counting.CALENDAR:
        return day - timedelta(days=days)
    check = accept.is_working_day if counting is Counting.WORKING else accept.is_opening_day
    found = 0
    current = day
    for _ in range(_LOOKBACK_DAYS):
        current -= timedelta(days=1)
        if check(current):
            found += 1
            if found == days:
                return current
    raise RuleCannotBeMet(f"no {counting.value} day within {_LOOKBACK_DAYS} days before {day}")


def cutoff_day(
    rule: DaysBefore | WeekdayOfWeekBefore | DayOfPreviousMonth, day: date, days: DayCalendar
) -> date:
    """The Paris day on which the deadline for ``day`` falls."""
    if isinstance(rule, DaysBefore):
        return _count_back(day, rule.days, days, rule.counting)
    if isinstance(rule, WeekdayOfWeekBefore):
        monday = day - timedelta(days=day.isoweekday() - 1)
        return monday - timedelta(weeks=rule.weeks_before) + timedelta(days=rule.weekday - 1)
    first_of_month = day.replace(day=1)
    previous = first_of_month - timedelta(days=1)
    last = calendar.monthrange(previous.year, previous.month)[1]
    return previous.replace(day=min(rule.day_of_month, last))


def cutoff(
    rule: DaysBefore | WeekdayOfWeekBefore | DayOfPreviousMonth, day: date, days: DayCalendar
) -> datetime:
    """The UTC instant after which ``day`` can no longer be booked (or cancelled) in time."""
    return local_instant(cutoff_day(rule, day, days), rule.at)


def _clock(at: time) -> str:
    return f"{at.hour}h{at.minute:02d}" if at.minute else f"{at.hour}h"


def describe(rule: DaysBefore | WeekdayOfWeekBefore | DayOfPreviousMonth) -> str:
    """The rule as the families read it: « avant 8h30 le jour même »."""
    clock = _clock(rule.at)
    if isinstance(rule, DaysBefore):
        if rule.days == 0:
            return f"avant {clock} le jour même"
        if rule.days == 1 and rule.counting is Counting.CALENDAR:
            return f"avant {clock} la veille"
        one, many = {
            Counting.CALENDAR: ("jour", "jours"),
            Counting.WORKING: ("jour ouvré", "jours ouvrés"),
            Counting.OPENING: ("jour d'ouverture", "jours d'ouverture"),
        }[rule.counting]
        return f"avant {clock}, {rule.days} {one if rule.days == 1 else many} avant"
    if isinstance(rule, WeekdayOfWeekBefore):
        week = "la semaine précédente" if rule.weeks_before == 1 else "deux semaines avant"
        return f"avant le {WEEKDAY_NAMES[rule.weekday - 1]} {clock} de {week}"
    ordinal = "1er" if rule.day_of_month == 1 else str(rule.day_of_month)
    return f"avant le {ordinal} du mois précédent à {clock}"
