"""French formats, in one place for pages, mails and PDFs: days as ``01/12/2026`` or
``1 déc. 2026``, times as ``14 h 30`` in Europe/Paris, amounts as ``12,50 €``.

Instants are converted to Paris time here (through :mod:`marelle_kit.localtime`); a calendar
day is shown as it is (it is already a Paris day)."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal

from marelle_kit.localtime import to_local

MONTHS_SHORT = (
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
NARROW_NBSP = "\u202f"  # between thousands, and before « € » (French typography)
NBSP = "\u00a0"


def day(value: date) -> str:
    """01/12/2026 (a datetime is first taken to its Paris day)."""
    if isinstance(value, datetime):
        value = to_local(value).date()
    return value.strftime("%d/%m/%Y")


def day_short(value: date) -> str:
    """1 déc. 2026."""
    if isinstance(value, datetime):
        value = to_local(value).date()
    return f"{value.day} {MONTHS_SHORT[value.month - 1]} {value.year}"


def clock(value: time | datetime) -> str:
    """14 h 30, 9 h 05 (an instant is first taken to Paris time)."""
    if isinstance(value, datetime):
        value = to_local(value).time()
    return f"{value.hour}{NBSP}h{NBSP}{value.minute:02d}"


def moment(value: datetime) -> str:
    """01/12/2026 à 14 h 30, Paris time."""
    local = to_local(value)
    return f"{day(local.date())} à {clock(local.time())}"


def money(amount: Decimal | int, *, cents: bool = False) -> str:
    """12,50 € ; 1 250,00 € ; ``cents=True`` reads an integer amount in cents."""
    value = Decimal(amount) / 100 if cents else Decimal(amount)
    value = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "-" if value < 0 else ""
    units, _, decimals = f"{abs(value):.2f}".partition(".")
    groups: list[str] = []
    while units:
        groups.insert(0, units[-3:])
        units = units[:-3]
    return f"{sign}{NARROW_NBSP.join(groups)},{decimals}{NARROW_NBSP}€"


_WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
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


def long_day(value: date) -> str:
    """« lundi 1er décembre 2026 » (a datetime is first taken to its Paris day)."""
    if isinstance(value, datetime):
        value = to_local(value).date()
    first = "1er" if value.day == 1 else str(value.day)
    return f"{_WEEKDAYS[value.weekday()]} {first} {_MONTHS[value.month - 1]} {value.year}"


def names(items: list[str]) -> str:
    """« Théo, Anna et Lou »."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " et " + items[-1]
