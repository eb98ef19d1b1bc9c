from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from marelle_contracts import AbsenceCharge
from marelle_kit.validation import ShortText

ReasonCode = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,40}$")]


class ReasonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: Annotated[ShortText, StringConstraints(max_length=100)]
    excused: bool = True
    charge: AbsenceCharge = Field(
        default=AbsenceCharge.FREE, description="Après la date limite : gratuit, facturé, pénalité"
    )
    penalty_percent: int | None = Field(default=None, ge=1, le=100)
    proof_required: bool = False
    proof_days: int | None = Field(
        default=None, ge=0, le=60, description="Délai pour le justificatif"
    )
    waiting_days: int = Field(
        default=0,
        ge=0,
        le=10,
        description="Jours de carence, jour de l'avis compris, encore facturés",
    )
    in_time_free: bool = Field(default=True, description="Déclarée dans les délais : gratuite")
    staff_only: bool = Field(default=False, description="Motif réservé aux agents (grève…)")
    position: int = Field(default=0, ge=0, le=1000)
    active: bool = True

    @model_validator(mode="after")
    def _check(self) -> ReasonIn:
        if self.charge is AbsenceCharge.PENALTY and self.penalty_percent is None:
            raise ValueError("une pénalité a besoin de son pourcentage")
        if self.proof_required and self.proof_days is None:
            raise ValueError("indiquez le délai pour fournir le justificatif")
        return self


class ReasonOut(ReasonIn):
    model_config = ConfigDict(from_attributes=True)

    code: str


class AbsenceIn(BaseModel):
    """An absence over days, for some activities (all the booked ones by default)."""

    model_config = ConfigDict(extra="forbid")

    child_id: UUID
    first_day: date
    last_day: date
    reason: ReasonCode
    activity_ids: list[UUID] | None = Field(default=None, max_length=20)
    note: str | None = Field(default=None, max_length=300)

    @model_validator(mode="after")
    def _ordered(self) -> AbsenceIn:
        if self.last_day < self.first_day:
            raise ValueError("le dernier jour précède le premier")
        if (self.last_day - self.first_day).days > 92:
            raise ValueError("une absence se déclare pour trois mois au plus")
        return self


class AbsenceCell(BaseModel):
    cell_id: UUID
    activity_id: UUID
    day: date
    state: str
    charge: AbsenceCharge | None
    penalty_percent: int | None
    in_time: bool
    pending: bool
    proof_due: date | None


class AbsenceResult(BaseModel):
    cells: list[AbsenceCell]
    message: str


class ValidationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cell_ids: list[UUID] = Field(min_length=1, max_length=300)
    decision: Literal["accept", "reject"]
    proof_received: bool = Field(default=False, description="Le justificatif est arrivé")
    note: str | None = Field(default=None, max_length=300)
