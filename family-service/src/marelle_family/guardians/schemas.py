from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, StringConstraints, field_validator

from marelle_kit.validation import EmailAddress, PersonName, PhoneNumber, ShortText

Rank = Literal[1, 2]
ParentalAuthority = Literal["yes", "no", "unknown"]
Job = Annotated[ShortText, StringConstraints(max_length=100)]


class GuardianIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rank: Rank
    first_name: PersonName
    last_name: PersonName
    email: EmailAddress | None = None
    phone: PhoneNumber | None = None
    work_phone: PhoneNumber | None = None
    profession: Job | None = None
    employer: Job | None = None
    parental_authority: ParentalAuthority = "unknown"


class GuardianPatch(BaseModel):
    """A field sent as null is cleared (names cannot be)."""

    model_config = ConfigDict(extra="forbid")

    first_name: PersonName | None = None
    last_name: PersonName | None = None
    email: EmailAddress | None = None
    phone: PhoneNumber | None = None
    work_phone: PhoneNumber | None = None
    profession: Job | None = None
    employer: Job | None = None
    parental_authority: ParentalAuthority = "unknown"

    @field_validator("first_name", "last_name", mode="before")
    @classmethod
    def _names_stay(cls, value: object) -> object:
        if value is None:
            raise ValueError("le nom et le prénom ne peuvent pas être effacés")
        return value


class GuardianOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    household_id: UUID
    rank: int
    first_name: str
    last_name: str
    email: str | None
    phone: str | None = None
    work_phone: str | None = None
    profession: str | None = None
    employer: str | None = None
    parental_authority: str = "unknown"
