"""Local days and UTC instants across the DST changes (Europe/Paris)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest

from marelle_kit.localtime import (
    as_utc,
    day_bounds,
    local_day,
    local_instant,
    to_local,
)


def test_a_late_evening_instant_in_winter_is_the_next_paris_day() -> None:
    assert local_day(datetime(2026, 12, 1, 23, 30, tzinfo=UTC)) == date(2026, 12, 2)
    assert local_day(datetime(2026, 12, 1, 22, 59, tzinfo=UTC)) == date(2026, 12, 1)


def test_summer_is_two_hours_ahead_and_winter_one() -> None:
    assert local_instant(date(2027, 6, 1), time(8, 30)) == datetime(2027, 6, 1, 6, 30, tzinfo=UTC)
    assert local_instant(date(2027, 1, 5), time(8, 30)) == datetime(2027, 1, 5, 7, 30, tzinfo=UTC)


def test_the_spring_gap_moves_a_wall_time_forward() -> None:
    # 28 March 2027: 02:00 jumps to 03:00; 02:30 does not exist, it is read as 03:30 CEST.
    instant = local_instant(date(2027, 3, 28), time(2, 30))
    assert instant == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    assert to_local(instant).time() == time(3, 30)


def test_the_autumn_fold_takes_the_first_occurrence() -> None:
    # 31 October 2027: 03:00 goes back to 02:00; 02:30 happens at 00:30 and at 01:30 UTC.
    assert local_instant(date(2027, 10, 31), time(2, 30)) == datetime(
        2027, 10, 31, 0, 30, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("day", "hours"),
    [(date(2027, 3, 28), 23), (date(2027, 10, 31), 25), (date(2027, 1, 12), 24)],
)
def test_a_paris_day_lasts_23_24_or_25_hours(day: date, hours: int) -> None:
    start, end = day_bounds(day)
    assert end - start == timedelta(hours=hours)
    assert local_day(start) == day
    assert local_day(end - timedelta(microseconds=1)) == day


def test_naive_instants_are_refused_and_other_zones_converted() -> None:
    with pytest.raises(ValueError, match="naive"):
        as_utc(datetime(2027, 1, 1, 12, 0))
    plus_five = timezone(timedelta(hours=5))
    assert as_utc(datetime(2027, 1, 1, 12, 0, tzinfo=plus_five)) == datetime(
        2027, 1, 1, 7, 0, tzinfo=UTC
    )
