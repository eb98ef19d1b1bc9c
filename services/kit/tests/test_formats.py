"""French formats: days, Paris times across DST and midnight, money to the cent."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal

from marelle_kit.formats import NARROW_NBSP, NBSP, clock, day, day_short, moment, money


def test_days_are_french() -> None:
    assert day(date(2026, 12, 1)) == "01/12/2026"
    assert day_short(date(2026, 12, 1)) == "1 déc. 2026"
    assert day_short(date(2027, 2, 14)) == "14 févr. 2027"


def test_an_instant_after_midnight_in_paris_is_the_next_day() -> None:
    # 23:30 UTC on 30 November is 00:30 on 1 December in Paris (winter, UTC+1).
    late = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    assert day(late) == "01/12/2026"
    assert moment(late) == f"01/12/2026 à 0{NBSP}h{NBSP}30"


def test_times_follow_summer_time() -> None:
    summer = datetime(2026, 7, 14, 12, 5, tzinfo=UTC)  # UTC+2
    assert clock(summer) == f"14{NBSP}h{NBSP}05"
    assert clock(time(9, 0)) == f"9{NBSP}h{NBSP}00"


def test_money_is_exact_with_french_separators() -> None:
    assert money(Decimal("12.5")) == f"12,50{NARROW_NBSP}€"
    assert money(125000, cents=True) == f"1{NARROW_NBSP}250,00{NARROW_NBSP}€"
    assert money(Decimal("-0.005")) == f"-0,01{NARROW_NBSP}€"
    assert money(0) == f"0,00{NARROW_NBSP}€"
