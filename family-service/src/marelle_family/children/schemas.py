from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from marelle_kit.localtime import local_today
from marelle_kit.validation import PersonName, PhoneNumber, ShortText

SchoolYear = Annotated[str, StringConstraints(pattern=r"^20[0-9]{2}-20[0-9]{2}$")]
Level = Annotated[ShortText, StringConstraints(max_length=20)]
DietCode = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,30}$")]
OLDEST_CHILD_YEARS = 25


def _plausible_birth_date(value: date | None) -> date | None:
    if value is None:
        return value
    today = local_today()  # the Paris calendar day, not the UTC one
    if value > today:
        raise ValueError("la date de naissance est dans le futur")
    if value.year < today.year - OLDEST_CHILD_YEARS:
        raise ValueError(f"la date de naissance a plus de {OLDEST_CHILD_YEARS} ans")
    return value


def _consecutive_years(value: str | None) -> str | None:
    if value is not None and int(value[5:]) != int(value[:4]) + 1:
        raise ValueError("une année scolaire s'écrit 2026-2027")
    return value


class ContactIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    first_name: PersonName
    last_name: PersonName
    relationship: Annotated[ShortText, StringConstraints(max_length=50)]
    phone: PhoneNumber
    pick_up: bool = False
    emergency: bool = False

    @model_validator(mode="after")
    def _has_a_role(self) -> ContactIn:
        if not self.emergency and not self.pick_up:
            raise ValueError("cochez « peut venir chercher l'enfant » ou « à prévenir en urgence »")
        return self


class ContactOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    first_name: str
    last_name: str
    relationship: str
    phone: str
    pick_up: bool
    emergency: bool


class ChildIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    first_name: PersonName
    last_name: PersonName
    birth_date: date
    birth_place: Annotated[ShortText, StringConstraints(max_length=100)] | None = None
    school: ShortText | None = None
    level: Level | None = None
    school_year: SchoolYear | None = None
    diet: DietCode | None = None
    pai: bool = False
    vaccinations_up_to_date: bool = False
    consent_photo: bool | None = None
    consent_outings: bool | None = None
    consent_leave_alone: bool | None = None
    consent_hospitalisation: bool | None = None
    contacts: list[ContactIn] = Field(default_factory=list, max_length=10)

    _birth = field_validator("birth_date")(_plausible_birth_date)
    _year = field_validator("school_year")(_consecutive_years)


class ChildPatch(BaseModel):
    """A field sent as null is cleared (names and birth date cannot be)."""

    model_config = ConfigDict(extra="forbid")

    first_name: PersonName | None = None
    last_name: PersonName | None = None
    birth_date: date | None = None
    birth_place: Annotated[ShortText, StringConstraints(max_length=100)] | None = None
    school: ShortText | None = None
    level: Level | None = None
    school_year: SchoolYear | None = None
    diet: DietCode | None = None
    pai: bool = False
    vaccinations_up_to_date: bool = False
    consent_photo: bool | None = None
    consent_outings: bool | None = None
    consent_leave_alone: bool | None = None
    consent_hospitalisation: bool | None = None
    contacts: list[ContactIn] | None = Field(default=None, max_length=10)

    _birth = field_validator("birth_date")(_plausible_birth_date)
    _year = field_validator("school_year")(_consecutive_years)

    @field_validator("first_name", "last_name", "birth_date", "contacts", mode="before")
    @classmethod
    def _required_stay(cls, value: object) -> object:
        if value is None:
            raise ValueError("ce champ ne peut pas être effacé")
        return value


class ChildOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    household_id: UUID
    first_name: str
    last_name: str
    birth_date: date
    birth_place: str | None
    school: str | None
    level: str | None
    school_year: str | None
    diet: str | None
    pai: bool
    vaccinations_up_to_date: bool
    consent_photo: bool | None
    consent_outings: bool | None
    consent_leave_alone: bool | None
    consent_hospitalisation: bool | None
    validated_at: datetime | None
    contacts: list[ContactOut] = Field(default_factory=list)
