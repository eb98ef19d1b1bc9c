from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from marelle_billing.payments.schemas import OnlinePaymentOut


class BasketItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    child_id: UUID
    activity_id: UUID
    day: date


class BasketIn(BaseModel):
    """Meals to prepay (seed 001: « réserver et pré-payer les repas via votre panier »)."""

    model_config = ConfigDict(extra="forbid")

    household_id: UUID
    items: list[BasketItemIn] = Field(min_length=1, max_length=200)


class BasketItemOut(BaseModel):
    id: UUID
    child_id: UUID
    activity_id: UUID
    day: date
    unit_price: Decimal
    amount_cents: int
    rule: str


class BasketOut(BaseModel):
    id: UUID
    household_id: UUID
    state: Literal["open", "to_be_paid", "completed", "expired", "cancelled"]
    total_cents: int
    expires_at: datetime = Field(description="Ouvert : libéré après ; en paiement : + 60 min")
    transaction_id: UUID | None
    items: list[BasketItemOut]
    created_at: datetime


class BasketPaymentOut(BaseModel):
    basket: BasketOut
    payment: OnlinePaymentOut
