from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator


class MealLine(BaseModel):
    day: date
    site_id: UUID
    site_name: str
    diet: str = Field(description="Code du régime ; « normal » sans régime")
    diet_label: str
    count: int


class MealCounts(BaseModel):
    """Meals per day x site x diet, for the caterer (booked or present, absences left out)."""

    first_day: date
    last_day: date
    lines: list[MealLine]
    total: int


class CountPeriod(BaseModel):
    """The period of a count (query parameters): one month at most."""

    model_config = ConfigDict(extra="forbid")

    first_day: date
    last_day: date
    site_id: UUID | None = None

    @model_validator(mode="after")
    def _period(self) -> CountPeriod:
        if self.last_day < self.first_day or (self.last_day - self.first_day).days > 31:
            raise ValueError("choisissez une période d'un mois au plus, qui finit après son début")
        return self


class MealOrderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    first_day: date
    last_day: date

    @model_validator(mode="after")
    def _period(self) -> MealOrderIn:
        if self.last_day < self.first_day or (self.last_day - self.first_day).days > 31:
            raise ValueError("une commande couvre au plus un mois, du premier au dernier jour")
        return self


class MealOrderOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    first_day: date
    last_day: date
    version: int
    total: int
    created_by: str
    created_at: datetime
    lines: list[dict[str, Any]]


class ExpectedChild(BaseModel):
    child_id: UUID
    first_name: str
    last_name: str
    school: str | None
    level: str | None
    diet: str | None
    pai: bool
    state: str
    pick_up: list[str] = Field(description="Personnes autorisées à venir chercher l'enfant")


class ExpectedList(BaseModel):
    activity_id: UUID
    activity_name: str
    site_name: str
    day: date
    children: list[ExpectedChild]
