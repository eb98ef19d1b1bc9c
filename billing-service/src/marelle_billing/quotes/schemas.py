from __future__ import annotations

from datetime import date, time
from decimal import Decimal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from marelle_billing.tariffs.schemas import PriceOut

MAX_QUOTE_ITEMS = 500


class QuoteItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    child_id: UUID
    activity_id: UUID
    day: date
    late: bool = Field(default=False, description="Réservé après la date butoir (hors délai)")
    arrival: time | None = Field(default=None, description="Accueils à l'heure : arrivée prévue")
    departure: time | None = None


class QuoteIn(BaseModel):
    """The cells of a booking grid, priced as booked (existing and about to be booked)."""

    model_config = ConfigDict(extra="forbid")

    household_id: UUID
    items: list[QuoteItemIn] = Field(min_length=1, max_length=MAX_QUOTE_ITEMS)


class QuoteItemOut(BaseModel):
    child_id: UUID
    activity_id: UUID
    day: date
    late: bool
    price: PriceOut


class ChildTotal(BaseModel):
    child_id: UUID
    child_name: str
    total: Decimal
    total_cents: int


class QuoteOut(BaseModel):
    household_id: UUID
    items: list[QuoteItemOut]
    children: list[ChildTotal] = Field(description="Total par enfant")
    total: Decimal = Field(description="Total du foyer (somme des cellules arrondies)")
    total_cents: int
    errors: list[str] = Field(description="Cellules sans prix (aucun tarif...)")
