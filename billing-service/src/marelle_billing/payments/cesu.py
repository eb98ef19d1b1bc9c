"""CESU (chèque emploi service universel) rules, pure: what part of an invoice CESU may pay.

Accepted for before/after-school care at any age and for leisure centres for children under 6
(on the day of the service); never for school meals; and only where the town opted in."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

CARE = frozenset({"morning_care", "evening_care"})
LEISURE = frozenset({"leisure_day", "leisure_half_day"})


@dataclass(frozen=True)
class CesuLine:
    activity_kind: str
    fiscal_share: str
    birth_date: date | None
    service_day: date | None
    amount_cents: int


def under_six(birth: date, day: date) -> bool:
    try:
        sixth = birth.replace(year=birth.year + 6)
    except ValueError:  # born on 29 February
        sixth = date(birth.year + 6, 3, 1)
    return day < sixth


def eligible(line: CesuLine) -> bool:
    if line.fiscal_share == "meal" or line.activity_kind == "meal":
        return False
    if line.activity_kind in CARE:
        return True
    if line.activity_kind in LEISURE:
        return (
            line.birth_date is not None
            and line.service_day is not None
            and under_six(line.birth_date, line.service_day)
        )
    return False


def eligible_cents(lines: Iterable[CesuLine]) -> int:
    return max(sum(line.amount_cents for line in lines if eligible(line)), 0)
