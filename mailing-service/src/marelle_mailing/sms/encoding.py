"""How many SMS a text costs (3GPP TS 23.038): GSM 7-bit when every character is in the GSM
alphabet (160 characters, 153 per part once split; the extension characters « € [ ] { } ~ ^
\\ | » take two), else UCS-2 (70, 67 per part; characters outside the BMP, e.g. emoji, take two
units). Pure functions."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

# The GSM 03.38 default alphabet (one septet each) and its extension table (escape + one).
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = frozenset("^{}\\[~]|€\f")

Encoding = Literal["gsm7", "ucs2"]


@dataclass(frozen=True)
class SmsSize:
    encoding: Encoding
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int

    def cost(self, recipients: int, segment_price: Decimal) -> Decimal:
        """The estimate in euros, to the cent (half up is the caller's rounding)."""
        return segment_price * self.segments * recipients


def size_of(text: str) -> SmsSize:
    if all(c in GSM_BASIC or c in GSM_EXTENSION for c in text):
        units = sum(2 if c in GSM_EXTENSION else 1 for c in text)
        single, part = 160, 153
        encoding: Encoding = "gsm7"
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, part = 70, 67
        encoding = "ucs2"
    segments = 1 if units <= single else math.ceil(units / part)
    return SmsSize(encoding=encoding, units=units, segments=max(segments, 1))


def international(phone: str) -> str | None:
    """A number as E.164 (+33612345678), French numbers written nationally included; None
    when it cannot receive an SMS (a French landline, an unknown shape)."""
    compact = "".join(c for c in phone if c.isdigit() or c == "+")
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if compact.startswith("0") and len(compact) == 10:
        compact = "+33" + compact[1:]
    if not compact.startswith("+") or not 8 <= len(compact) <= 16:
        return None
    if compact.startswith("+33"):
        # French mobiles only (06, 07): a landline cannot receive an SMS.
        return compact if len(compact) == 12 and compact[3] in "67" else None
    return compact
