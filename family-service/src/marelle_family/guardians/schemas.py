from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from marelle_kit.validation import EmailAddress, PersonName

Rank = Literal[1, 2]


class GuardianIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rank: Rank
    first_name: PersonName
    last_name: PersonName
    email: EmailAddress | None = None


class GuardianPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    first_name: PersonName | None = None
    last_name: PersonName | None = None
    email: EmailAddress | None = None


class GuardianOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    household_id: UUID
    rank: int
    first_name: str
    last_name: str
    email: str | None
