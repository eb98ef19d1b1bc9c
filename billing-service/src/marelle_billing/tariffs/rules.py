"""A tariff's rules: how the unit price is found (the method) and the rules around it (sibling
rank, late booking, absences, fiscal share). Checked when a tariff is saved; stored as JSON.

Methods (BILLING.md):
- ``flat``: one unit price.
- ``qf_brackets``: inclusive [min, max] brackets of family quotient, contiguous from 0 with no
  gap or overlap, the last one open; an explicit bracket for a family with no valid QF.
- ``effort_rate``: a percentage of the QF, between a floor and a ceiling; an explicit price for
  a family with no valid QF.
- ``time_slots``: per hour or per started quarter hour, each unit priced by the time slot it
  starts in (e.g. 16:30-18:00 at 0,60 € the quarter hour, 18:00-19:00 at 0,80 €).
Any method counts hours or quarter hours when the tariff's (or the activity's) unit says so.
"""

from __future__ import annotations

import itertools
from datetime import time
from decimal import Decimal
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

Price = Annotated[Decimal, Field(ge=0, le=10_000, max_digits=10, decimal_places=4)]
Percent = Annotated[Decimal, Field(ge=0, le=100, max_digits=7, decimal_places=4)]
Label = Annotated[str, Field(min_length=1, max_length=80)]


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class QfBracket(_Rule):
    min: int = Field(ge=0, le=100_000, description="QF minimum, inclus (euros)")
    max: int | None = Field(
        default=None, ge=0, le=100_000, description="QF maximum, inclus ; vide = et plus"
    )
    unit_price: Price
    label: Label | None = Field(default=None, description="Nom de la tranche (ex. « Tranche A »)")

    @property
    def name(self) -> str:
        if self.label:
            return self.label
        if self.max is None:
            return f"QF {self.min} € et plus"
        return f"QF {self.min}–{self.max} €"


class FlatMethod(_Rule):
    method: Literal["flat"] = "flat"
    unit_price: Price


class QfBracketsMethod(_Rule):
    method: Literal["qf_brackets"] = "qf_brackets"
    brackets: list[QfBracket] = Field(min_length=1, max_length=30)
    missing_qf_bracket: int = Field(
        ge=0, description="Tranche appliquée sans QF valide (index dans brackets, 0 = la 1re)"
    )

    @model_validator(mode="after")
    def _contiguous(self) -> Self:
        brackets = self.brackets
        if brackets[0].min != 0:
            raise ValueError("la première tranche de QF doit commencer à 0")
        for previous, current in itertools.pairwise(brackets):
            if previous.max is None:
                raise ValueError("seule la dernière tranche de QF peut être sans maximum")
            if current.min <= previous.max:
                raise ValueError(f"les tranches {previous.name} et {current.name} se chevauchent")
            if current.min != previous.max + 1:
                raise ValueError(
                    f"il manque les QF de {previous.max + 1} à {current.min - 1} € entre deux "
                    "tranches"
                )
        for bracket in brackets:
            if bracket.max is not None and bracket.max < bracket.min:
                raise ValueError(f"la tranche {bracket.name} a un maximum inférieur au minimum")
        if brackets[-1].max is not None:
            raise ValueError("la dernière tranche de QF doit être sans maximum (et plus)")
        if self.missing_qf_bracket >= len(brackets):
            raise ValueError("la tranche appliquée sans QF n'existe pas")
        return self


class EffortRateMethod(_Rule):
    method: Literal["effort_rate"] = "effort_rate"
    rate_percent: Percent = Field(description="Taux d'effort : pourcentage du QF par unité")
    floor: Price
    ceiling: Price
    missing_qf_price: Price = Field(description="Prix unitaire sans QF valide")

    @model_validator(mode="after")
    def _bounds(self) -> Self:
        if self.floor > self.ceiling:
            raise ValueError("le plancher dépasse le plafond")
        return self


class TimeSlot(_Rule):
    start: time
    end: time
    unit_price: Price

    @property
    def name(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"


class TimeSlotsMethod(_Rule):
    method: Literal["time_slots"] = "time_slots"
    slots: list[TimeSlot] = Field(min_length=1, max_length=24)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        for slot in self.slots:
            if slot.end <= slot.start:
                raise ValueError(f"la plage {slot.name} finit avant de commencer")
        for previous, current in zip(self.slots, self.slots[1:], strict=False):
            if current.start != previous.end:
                raise ValueError(
                    f"les plages horaires doivent se suivre sans trou ni chevauchement "
                    f"({previous.name} puis {current.name})"
                )
        return self


Method = Annotated[
    FlatMethod | QfBracketsMethod | EffortRateMethod | TimeSlotsMethod,
    Field(discriminator="method"),
]


class SiblingRule(_Rule):
    """Reductions for brothers and sisters, eldest first: ``percents[0]`` for the eldest (or for
    a family of one child), ``percents[1]`` for the second..., the last repeating."""

    mode: Literal["rank", "count"] = Field(
        description="rank : selon le rang de l'enfant (aîné d'abord) ; count : selon le nombre "
        "d'enfants, la même réduction pour tous"
    )
    basis: Literal["household", "same_day"] = Field(
        description="household : tous les enfants du foyer ; same_day : les enfants facturés "
        "pour cette activité ce jour-là"
    )
    percents: list[Percent] = Field(min_length=1, max_length=10)


class LateRule(_Rule):
    """A booking made after the deadline (allowed late) costs more; a late cancellation is
    billed a share of the price."""

    surcharge_amount: Price | None = None
    surcharge_percent: Percent | None = None
    cancellation_percent: int = Field(default=100, ge=0, le=100)

    @model_validator(mode="after")
    def _one_surcharge(self) -> Self:
        if self.surcharge_amount is not None and self.surcharge_percent is not None:
            raise ValueError("une majoration hors délai est soit un montant, soit un pourcentage")
        return self


class AbsenceRule(_Rule):
    """How a billed absence is priced (booking says whether it is free, billed or a penalty
    percentage): by default at the day's price; ``billed_price`` replaces it by a flat amount."""

    billed_price: Price | None = None


class TariffRules(_Rule):
    pricing: Method
    unit: Literal["day", "hour", "quarter_hour"] | None = Field(
        default=None, description="Unité facturée ; vide = celle de l'activité"
    )
    default_units: Decimal = Field(
        default=Decimal(1),
        gt=0,
        le=24 * 4,
        max_digits=6,
        decimal_places=2,
        description="Unités facturées sans heures d'arrivée et de départ (réservé, absence)",
    )
    sibling: SiblingRule | None = None
    late: LateRule | None = None
    absence: AbsenceRule | None = None
    fiscal_share: Literal["childcare", "meal"] | None = Field(
        default=None, description="Part fiscale ; vide = celle de l'activité"
    )

    @model_validator(mode="after")
    def _time_slots_count_time(self) -> Self:
        if isinstance(self.pricing, TimeSlotsMethod) and self.unit == "day":
            raise ValueError("un tarif par plages horaires compte des heures ou des quarts d'heure")
        return self
