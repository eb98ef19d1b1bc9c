"""A tenant's public profile, set by its administrators in « Réglages »: the article its name
takes in a sentence («les services de la Mairie de…», «donnée à la Commune de…»), its own
home-page text, its contact details (postal address, phone, e-mail, opening hours), its data
protection officer, and how long a household's record is kept. The portal shows them to anyone
(they are the town's public facts), so they come with the tenant's public read."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from marelle_kit.validation import EmailAddress, PhoneNumber, normalize_text

Article = Literal["", "la", "le", "l'", "les"]


def normalize_lines(value: str) -> str:
    """Text of several lines (an address, opening hours): each line normalised, the line
    breaks kept, empty lines at the ends dropped."""
    lines = [normalize_text(line) for line in value.replace("\r\n", "\n").split("\n")]
    return "\n".join(lines).strip("\n")


def _lines(max_length: int) -> StringConstraints:
    return StringConstraints(max_length=max_length)


HomeText = Annotated[str, _lines(2000), AfterValidator(normalize_lines)]
ShortLines = Annotated[str, _lines(300), AfterValidator(normalize_lines)]
LongLines = Annotated[str, _lines(500), AfterValidator(normalize_lines)]


class TenantProfile(BaseModel):
    """What administrators set; an empty or null field is cleared."""

    model_config = ConfigDict(extra="forbid")

    article: Article = ""
    home_text: HomeText | None = None
    contact_address: ShortLines | None = None
    contact_phone: PhoneNumber | None = None
    contact_email: EmailAddress | None = None
    contact_hours: ShortLines | None = None
    dpo_contact: LongLines | None = None
    retention_years: int = Field(default=3, ge=1, le=10)

    @field_validator("*", mode="after")
    @classmethod
    def _empty_is_cleared(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("article", mode="after")
    @classmethod
    def _article_stays(cls, value: str | None) -> str:
        return value or ""
