from __future__ import annotations

from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, StringConstraints, field_validator

from marelle_kit.validation import EmailAddress, PersonName, PhoneNumber, ShortText

Relationship = Annotated[ShortText, StringConstraints(max_length=50)]


class AdultIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    first_name: PersonName
    last_name: PersonName
    relationship: Relationship
    phone: PhoneNumber | None = None
    email: EmailAddress | None = None


class AdultPatch(BaseModel):
    """A field sent as null is cleared (names and relationship cannot be)."""

    model_config = ConfigDict(extra="forbid")

    first_name: PersonName | None = None
    last_name: PersonName | None = None
    relationship: Relationship | None = None
    phone: PhoneNumber | None = None
    email: EmailAddress | None = None

    @field_validator("first_name", "last_name", "relationship", mode="before")
    @classmethod
    def _required_stay(cls, value: object) -> object:
        if value is None:
            raise ValueError("ce champ ne peut pas être effacé")
        return value


class AdultOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    household_id: UUID
    first_name: str
    last_name: str
    relationship: str
    phone: str | None
    email: str | None
