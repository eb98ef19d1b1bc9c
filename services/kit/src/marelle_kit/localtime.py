"""Local time, in one place: calendar days are Europe/Paris days, instants are UTC.

Services store instants as timezone-aware UTC datetimes and dates as plain ``date`` values meant
in Paris time (a booking for "Tuesday" is Tuesday in France whatever the server's zone). Every
conversion between the two goes through these functions, so DST changes are handled once.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from marelle_kit.clock import utcnow

PARIS = ZoneInfo("Europe/Paris")


def as_utc(instant: datetime) -> datetime:
    """An aware instant in UTC; a naive one is refused (it has no meaning)."""
    if instant.tzinfo is None:
        raise ValueError("naive datetime: say which zone it is in")
    return instant.astimezone(UTC)


def to_local(instant: datetime) -> datetime:
    """The Paris wall-clock time of an instant (aware, in Europe/Paris)."""
    return as_utc(instant).astimezone(PARIS)


def local_day(instant: datetime) -> date:
    """The Paris calendar day an instant falls on (23:30 UTC in winter is the next day)."""
    return to_local(instant).date()


def local_today(now: datetime | None = None) -> date:
    return local_day(now or utcnow())


def local_instant(day: date, at: time) -> datetime:
    """The UTC instant of a Paris wall-clock time on a day.

    In the spring gap (02:00-03:00 does not exist) the time is moved forward by the gap; in the
    autumn fold (02:00-03:00 happens twice) the first occurrence is taken: a deadline at 02:30
    on those days is the earlier, stricter one.
    """
    # zoneinfo gives a wall time in the gap the offset from before the gap (so it lands one hour
    # later on the clock) and, with fold=0, the first of two repeated wall times.
    return datetime.combine(day, at.replace(tzinfo=None), tzinfo=PARIS).astimezone(UTC)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC instants [start, end) of a Paris calendar day (23 or 25 hours on DST days)."""
    return local_instant(day, time(0)), local_instant(day + timedelta(days=1), time(0))
