"""CSV for spreadsheets (French Excel: UTF-8 with BOM, « ; », decimal comma). Every text cell
that a spreadsheet would read as a formula (= + - @, tab, carriage return first) is
neutralised with a leading apostrophe; numbers are written by us and left as they are."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def amount(cents: int) -> Decimal:
    return Decimal(cents) / 100


def cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, int | Decimal):
        return f"{value}".replace(".", ",")
    return neutralise(str(value))


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow([cell(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
