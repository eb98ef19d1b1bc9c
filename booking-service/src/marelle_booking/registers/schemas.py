from __future__ import annotations

from datetime import date, datetime, time
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator


class RegisterLine(BaseModel):
    cell_id: UUID
    version: int
    child_id: UUID
    household_id: UUID
    first_name: str
    last_name: str
    school: str | None
    level: str | None
    diet: str | None
    pai: bool
    pick_up: list[dict[str, Any]]
    state: str
    marked: bool = Field(description="Présence ou absence relevée")
    arrival: time | None
    departure: time | None
    absence_reason: str | None
    late: bool


class RegisterOut(BaseModel):
    register_id: UUID | None
    activity_id: UUID
    activity_name: str
    site_name: str
    day: date
    status: Literal["open", "closed"]
    hourly: bool = Field(description="Accueil facturé à l'heure : heures d'arrivée et de départ")
    closed_at: datetime | None
    lines: list[RegisterLine]
    counts: dict[str, int]


class Mark(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cell_id: UUID
    mark: Literal["present", "absent"]
    arrival: time | None = None
    departure: time | None = None

    @model_validator(mode="after")
    def _times(self) -> Mark:
        if self.mark == "absent" and (self.arrival or self.departure):
            raise ValueError("un enfant absent n'a pas d'heure d'arrivée ni de départ")
        if self.arrival and self.departure and self.departure <= self.arrival:
            raise ValueError("le départ suit l'arrivée")
        return self


class MarksIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    marks: list[Mark] = Field(min_length=1, max_length=500)


class UnexpectedIn(BaseModel):
    """A child who came without a booking."""

    model_config = ConfigDict(extra="forbid")

    child_id: UUID
    arrival: time | None = None
    departure: time | None = None


class CloseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    absent_unmarked: bool = Field(
        default=False, description="Les enfants non pointés sont notés absents (non excusés)"
    )
