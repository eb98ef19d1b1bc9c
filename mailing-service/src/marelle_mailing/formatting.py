"""French formats of mails and SMS (DOMAIN: 01/12/2026, 14 h 30, 12,50 €), Paris time."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from marelle_kit.localtime import to_local

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


def day(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def long_day(value: date) -> str:
    """« lundi 20 janvier 2026 »."""
    first = "1er" if value.day == 1 else str(value.day)
    return f"{_WEEKDAYS[value.weekday()]} {first} {_MONTHS[value.month - 1]} {value.year}"


def moment(value: datetime) -> str:
    """« 23/11/2026 à 10 h 30 » in Paris time."""
    local = to_local(value)
    return f"{local:%d/%m/%Y} à {local.hour} h {local.minute:02d}"


def money(cents: int) -> str:
    """« 1 234,50 € » (a narrow no-break space between thousands, a no-break space before €)."""
    sign = "-" if cents < 0 else ""
    units, rest = divmod(abs(cents), 100)
    grouped = f"{units:,}".replace(",", "\u202f")
    return f"{sign}{grouped},{rest:02d}\u00a0€"


def euros(value: Decimal) -> str:
    """A Decimal amount in euros, rounded to the cent (half up), French style."""
    cents = int((value * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    return money(cents)


def names(items: list[str]) -> str:
    """« Théo, Anna et Lou »."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " et " + items[-1]
