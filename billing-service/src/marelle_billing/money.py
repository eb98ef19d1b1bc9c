"""Money: exact decimals, rounded half-up to the cent only where a line is made, French formats."""

from __future__ import annotations

import functools
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
NARROW_NBSP = "\u202f"

_MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def to_cent(value: Decimal) -> Decimal:
    """Round half-up to the cent (2.345 -> 2.35, -2.345 -> -2.35)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def line_cents(quantity: Decimal, unit_price: Decimal) -> int:
    """A line's amount: quantity x unit price rounded half-up to the cent, in cents."""
    return int(to_cent(quantity * unit_price) * HUNDRED)


def cents_to_decimal(cents: int) -> Decimal:
    return Decimal(cents) / HUNDRED


def decimal_to_cents(value: Decimal) -> int:
    """Exact euros to cents; a value with fractions of a cent is refused (never rounded)."""
    cents = value * HUNDRED
    if cents != cents.to_integral_value():
        raise ValueError("un montant ne peut pas avoir de fraction de centime")
    return int(cents)


def euros(value: Decimal | int, *, cents: bool = False) -> str:
    """French format: 1 234,50 € (a narrow no-break space groups thousands)."""
    amount = cents_to_decimal(int(value)) if cents else Decimal(value)
    sign = "−" if amount < 0 else ""
    quantized = abs(amount).quantize(CENT, rounding=ROUND_HALF_UP)
    whole, _, fraction = f"{quantized:f}".partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return f"{sign}{NARROW_NBSP.join(groups)},{fraction or '00'} €"


def price(value: Decimal) -> str:
    """A unit price: cents shown, more decimals only when the price has them (0,1234 €)."""
    if value == to_cent(value):
        return euros(value)
    text = f"{value.normalize():f}".replace(".", ",")
    return f"{text} €"


def quantity(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text.replace(".", ",")


def french_date(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def long_date(day: date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def month_label(day: date) -> str:
    return f"{_MONTHS[day.month - 1]} {day.year}"


def percent(value: Decimal) -> str:
    return f"{value.normalize():f}".replace(".", ",") + " %"


_SHORT_MONTHS = (
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
)


def grouped_dates(days: list[date]) -> str:
    """Days grouped by month, runs of three days or more as ranges: « 2 au 4, 6, 9 nov. 2026 ;
    1er déc. 2026 »."""
    return _grouped(tuple(sorted(set(days))))


@functools.lru_cache(maxsize=4096)
def _grouped(ordered: tuple[date, ...]) -> str:
    if not ordered:
        return ""
    months: list[str] = []
    index = 0
    while index < len(ordered):
        month = (ordered[index].year, ordered[index].month)
        in_month = []
        while index < len(ordered) and (ordered[index].year, ordered[index].month) == month:
            in_month.append(ordered[index])
            index += 1
        parts: list[str] = []
        start = 0
        while start < len(in_month):
            end = start
            while end + 1 < len(in_month) and (in_month[end + 1] - in_month[end]).days == 1:
                end += 1
            first, last = in_month[start], in_month[end]
            if end - start >= 2:
                parts.append(f"{_day(first)} au {_day(last)}")
            else:
                parts.extend(_day(day) for day in in_month[start : end + 1])
            start = end + 1
        months.append(f"{', '.join(parts)} {_SHORT_MONTHS[month[1] - 1]} {month[0]}")
    return " ; ".join(months)


def _day(day: date) -> str:
    return "1er" if day.day == 1 else str(day.day)
