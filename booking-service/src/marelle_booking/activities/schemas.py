from __future__ import annotations

from datetime import date, time
from itertools import pairwise
from typing import Annotated, Literal
from uuid import UUID

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from marelle_booking.calendars.days import Period
from marelle_booking.deadlines.rules import DaysBefore, DeadlineRule, describe
from marelle_contracts import ActivityKind, BillingMode, BillingUnit, FiscalShare
from marelle_kit.validation import ShortText

Code = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")]
LatePolicy = Literal["refuse", "allow"]


class SiteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: ShortText = Field(description="Nom du site : école, centre de loisirs…")
    kind: Literal["school", "centre", "other"] = "school"
    active: bool = True


class SiteOut(SiteIn):
    model_config = ConfigDict(from_attributes=True)

    id: UUID


class TimeSlot(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    start: time
    end: time

    @model_validator(mode="after")
    def _ordered(self) -> TimeSlot:
        if self.end <= self.start:
            raise ValueError("l'heure de fin doit suivre l'heure de début")
        return self


def _default_rule() -> DaysBefore:
    return DaysBefore(days=0, at=time(8, 30))


class ActivityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    site_id: UUID
    code: Code = Field(description="Code court et stable, p. ex. « cantine »")
    name: ShortText
    kind: ActivityKind
    billing_mode: BillingMode = BillingMode.ON_BOOKING
    billing_unit: BillingUnit = BillingUnit.DAY
    fiscal_share: FiscalShare = FiscalShare.CHILDCARE
    includes_meal: bool = Field(
        default=False, description="Compté dans les commandes de repas (cantine, ALSH avec repas)"
    )
    enrolment_approval: bool = Field(
        default=False, description="Les inscriptions demandées par les familles sont validées"
    )
    booking_approval: bool = Field(
        default=False, description="Chaque réservation est une demande validée par un agent"
    )
    book_rule: DeadlineRule = Field(default_factory=_default_rule)
    cancel_rule: DeadlineRule = Field(default_factory=_default_rule)
    late_booking: LatePolicy = Field(
        default="refuse",
        description="Après la date limite : refusée, ou permise au tarif hors délai",
    )
    late_cancellation: LatePolicy = Field(
        default="refuse", description="Après la date limite : refusée, ou permise (jour facturé)"
    )
    time_slots: list[TimeSlot] = Field(
        default_factory=list, max_length=8, description="Horaires (accueils facturés à l'heure)"
    )
    position: int = Field(default=0, ge=0, le=1000, description="Ordre d'affichage")
    active: bool = True

    @field_validator("time_slots")
    @classmethod
    def _no_overlap(cls, slots: list[TimeSlot]) -> list[TimeSlot]:
        ordered = sorted(slots, key=lambda slot: slot.start)
        for before, after in pairwise(ordered):
            if after.start < before.end:
                raise ValueError("les créneaux horaires se chevauchent")
        return ordered

    @model_validator(mode="after")
    def _hourly_needs_slots(self) -> ActivityIn:
        if self.billing_unit is not BillingUnit.DAY and not self.time_slots:
            raise ValueError("un accueil facturé à l'heure a besoin de ses horaires")
        return self


class GroupIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Code
    label: ShortText
    capacity: int | None = Field(default=None, ge=0, le=10_000)


class GroupOut(GroupIn):
    model_config = ConfigDict(from_attributes=True)


class ActivityOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    site_id: UUID
    site_name: str
    code: str
    name: str
    kind: ActivityKind
    billing_mode: BillingMode
    billing_unit: BillingUnit
    fiscal_share: FiscalShare
    includes_meal: bool
    enrolment_approval: bool
    booking_approval: bool
    book_rule: DeadlineRule
    cancel_rule: DeadlineRule
    book_rule_text: str = Field(
        description="La règle telle qu'affichée : « avant 8h30 le jour même »"
    )
    cancel_rule_text: str
    late_booking: LatePolicy
    late_cancellation: LatePolicy
    time_slots: list[TimeSlot]
    position: int
    active: bool
    groups: list[GroupOut] = Field(default_factory=list)

    @classmethod
    def texts(cls, book: DeadlineRule, cancel: DeadlineRule) -> dict[str, str]:
        return {"book_rule_text": describe(book), "cancel_rule_text": describe(cancel)}


class SeasonIn(BaseModel):
    """The opening days of an activity for a school year."""

    model_config = ConfigDict(extra="forbid")

    weekdays: list[int] = Field(
        min_length=1, max_length=7, description="Jours d'ouverture, 1 = lundi … 7 = dimanche"
    )
    period: Period = Field(
        description="school : jours d'école ; holidays : vacances ; all : les deux"
    )
    capacity: int | None = Field(default=None, ge=0, le=10_000, description="Places par jour")
    extra_days: list[date] = Field(default_factory=list, max_length=366)
    removed_days: list[date] = Field(default_factory=list, max_length=366)

    @field_validator("weekdays")
    @classmethod
    def _weekdays(cls, days: list[int]) -> list[int]:
        if any(day < 1 or day > 7 for day in days):
            raise ValueError("un jour de la semaine va de 1 (lundi) à 7 (dimanche)")
        if len(set(days)) != len(days):
            raise ValueError("un jour de la semaine est répété")
        return sorted(days)


class SeasonOut(SeasonIn):
    school_year_id: UUID
    school_year: str


class DayCapacityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    group_code: str = Field(default="", max_length=30)
    limit: int | None = Field(ge=0, le=10_000, description="Places ce jour-là ; null : la règle")
