from __future__ import annotations

from datetime import date, datetime
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

from marelle_kit.validation import ShortText

SchoolYearLabel = Annotated[str, StringConstraints(pattern=r"^20[0-9]{2}-20[0-9]{2}$")]
ClosureReason = Literal[
    "strike", "bridge_day", "staff_training", "absent_teacher", "school_trip", "other"
]
CLOSURE_REASONS: dict[str, str] = {
    "strike": "Grève",
    "bridge_day": "Pont",
    "staff_training": "Formation du personnel",
    "absent_teacher": "Absence de l'enseignant",
    "school_trip": "Sortie ou voyage scolaire",
    "other": "Autre",
}


class SchoolYearIn(BaseModel):
    """Dates left out come from the national calendar of the town's zone."""

    model_config = ConfigDict(extra="forbid")

    label: SchoolYearLabel = Field(description="2026-2027")
    first_day: date | None = Field(default=None, description="Rentrée")
    classes_end: date | None = Field(default=None, description="Dernier jour de classe")
    last_day: date | None = Field(default=None, description="Veille de la rentrée suivante")

    @field_validator("label")
    @classmethod
    def _consecutive(cls, label: str) -> str:
        if int(label[5:]) != int(label[:4]) + 1:
            raise ValueError("une année scolaire s'écrit 2026-2027")
        return label


class CalendarPeriod(BaseModel):
    """A period of the calendar page (query parameters), two years at most."""

    model_config = ConfigDict(extra="forbid")

    first_day: date | None = Field(default=None, description="Défaut : aujourd'hui")
    last_day: date | None = Field(default=None, description="Défaut : un an plus tard")

    @model_validator(mode="after")
    def _period(self) -> CalendarPeriod:
        first, last = self.first_day, self.last_day
        if first and last and (last < first or (last - first).days > 731):
            raise ValueError(
                "choisissez une période de deux ans au plus, qui finit après son début"
            )
        return self


class SchoolYearOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    label: str
    first_day: date
    classes_end: date
    last_day: date


class CalendarDay(BaseModel):
    day: date
    name: str


class HolidayOut(BaseModel):
    name: str
    first_day: date
    last_day: date


class CalendarOut(BaseModel):
    """The town's calendar for a period: school holidays of its zone, public holidays,
    closures (the page « calendrier des vacances scolaires »)."""

    zone: str | None
    first_day: date
    last_day: date
    school_holidays: list[HolidayOut]
    public_holidays: list[CalendarDay]
    closures: list[ClosureOut]


class ClosureIn(BaseModel):
    """A closure of a site, an activity or a class (school and level) over days; with no
    scope it closes every activity of the town. Booked cells it covers are cancelled free of
    charge."""

    model_config = ConfigDict(extra="forbid")

    site_id: UUID | None = None
    activity_id: UUID | None = None
    school: ShortText | None = Field(
        default=None, description="Seulement les enfants de cette école"
    )
    level: Annotated[ShortText, StringConstraints(max_length=20)] | None = Field(
        default=None, description="… et de cette classe (CP, CE1…)"
    )
    first_day: date
    last_day: date
    reason: ClosureReason
    label: ShortText = Field(description="Ce que les familles liront : « Grève du 12 mars »")

    @model_validator(mode="after")
    def _ordered(self) -> ClosureIn:
        if self.last_day < self.first_day:
            raise ValueError("le dernier jour précède le premier")
        if (self.last_day - self.first_day).days > 366:
            raise ValueError("une fermeture dure au plus un an")
        if self.level is not None and self.school is None:
            raise ValueError("une classe se désigne avec son école")
        return self


class ClosureOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    site_id: UUID | None
    activity_id: UUID | None
    school: str | None
    level: str | None
    first_day: date
    last_day: date
    reason: str
    label: str
    cancelled_cells: int
    created_by: str
    created_at: datetime


class ClosurePreview(BaseModel):
    """What declaring the closure would do (nothing is written)."""

    cells_to_cancel: int
    households: int
    by_day: dict[date, int]


CalendarOut.model_rebuild()
