from __future__ import annotations

from datetime import date, time
from decimal import Decimal
from typing import Literal, Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from marelle_billing.tariffs.rules import TariffRules

DayKind = Literal["any", "school", "holiday"]


class TariffIn(BaseModel):
    """A tariff version. Two versions with the same scope (activity, kind of day, family
    category, site) may not be valid on the same day."""

    model_config = ConfigDict(extra="forbid")

    activity_id: UUID
    label: str = Field(min_length=1, max_length=200, examples=["Repas — tarif QF 2026-2027"])
    valid_from: date
    valid_to: date | None = Field(default=None, description="Dernier jour inclus ; vide = sans fin")
    day_kind: DayKind = Field(
        default="any",
        description="any : tous les jours ; school : jours d'école ; holiday : "
        "vacances scolaires (zone de la commune)",
    )
    family_category: str | None = Field(
        default=None, min_length=1, max_length=40, description="Catégorie de foyer ; vide = tous"
    )
    site_id: UUID | None = Field(default=None, description="Site ; vide = tous")
    rules: TariffRules

    @model_validator(mode="after")
    def _dates(self) -> Self:
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError("la fin de validité précède son début")
        return self


class TariffOut(TariffIn):
    model_config = ConfigDict(extra="ignore", from_attributes=True)

    id: UUID
    activity_name: str | None = None


class SimulationIn(BaseModel):
    """What a day would cost a child: as booked (by default), or in another state."""

    model_config = ConfigDict(extra="forbid")

    household_id: UUID
    child_id: UUID
    activity_id: UUID
    day: date
    late: bool = False
    state: Literal["booked", "present", "absent_excused", "absent_unexcused", "cancelled"] = (
        "booked"
    )
    absence_charge: Literal["free", "billed", "penalty"] | None = None
    penalty_percent: int | None = Field(default=None, ge=1, le=100)
    arrival: time | None = None
    departure: time | None = None


class PricePartOut(BaseModel):
    quantity: Decimal
    unit_price: Decimal
    amount_cents: int
    rule: str = Field(description="La règle appliquée : tranche de QF, rang, hors délai...")
    bracket: str | None


class PriceOut(BaseModel):
    """A priced cell: its amount (the sum of its rounded parts), each part, and why."""

    billed: bool
    amount: Decimal = Field(description="Montant en euros (2 décimales)")
    amount_cents: int
    note: str = Field(description="Pourquoi c'est facturé ou non (réservé, absence...)")
    parts: list[PricePartOut]
    tariff_id: UUID | None
    tariff_label: str | None
    fiscal_share: str
    error: str | None = Field(default=None, description="Prix impossible (aucun tarif...)")


class SimulationOut(PriceOut):
    quotient: int | None = Field(description="QF valide ce jour-là (vide : non fourni)")
    child_name: str
    activity_name: str
