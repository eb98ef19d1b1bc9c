from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal, Self
from uuid import UUID

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from marelle_kit.validation import normalize_text
from marelle_mailing import catalogue

Audience = Literal["all", "site", "activity", "school"]
Title = Annotated[
    str, StringConstraints(min_length=1, max_length=200), AfterValidator(normalize_text)
]
Description = Annotated[str, StringConstraints(max_length=1000), AfterValidator(normalize_text)]
CategoryName = Annotated[
    str, StringConstraints(min_length=1, max_length=100), AfterValidator(normalize_text)
]


class CategoryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: CategoryName
    position: int = Field(default=0, ge=0, le=1000)


class CategoryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    name: str
    position: int


class PublicationMeta(BaseModel):
    """What staff say of a published document. ``audience_ref`` is the site's or activity's id
    (booking's), or the school's name as in the children's records; empty for « all »."""

    model_config = ConfigDict(extra="forbid")

    category_id: UUID
    title: Title
    description: Description | None = None
    audience: Audience = "all"
    audience_ref: Annotated[str, StringConstraints(max_length=200)] | None = None
    published_on: date
    expires_on: date | None = None
    requires_acknowledgement: bool = False

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        if self.audience == "all":
            self.audience_ref = None
        elif not self.audience_ref:
            raise ValueError(catalogue.PUBLICATION_AUDIENCE_NEEDED)
        elif self.audience in ("site", "activity"):
            try:
                UUID(self.audience_ref)
            except ValueError as exc:
                raise ValueError(catalogue.PUBLICATION_AUDIENCE_UNKNOWN) from exc
        if self.expires_on is not None and self.expires_on < self.published_on:
            raise ValueError(catalogue.PUBLICATION_DATES)
        return self


class PublicationOut(PublicationMeta):
    model_config = ConfigDict(extra="forbid", from_attributes=True)

    id: UUID
    category_name: str
    file_name: str
    content_type: str
    size: int
    published_by: str
    withdrawn_at: datetime | None
    created_at: datetime
    acknowledgements: int = Field(default=0, description="Foyers qui ont coché « J'ai lu ».")


class PublicationPage(BaseModel):
    items: list[PublicationOut]
    total: int
    limit: int
    offset: int


class AcknowledgementOut(BaseModel):
    household_id: UUID
    household_name: str
    family_number: str
    acknowledged_at: datetime


class FamilyDocument(BaseModel):
    id: UUID
    title: str
    description: str | None
    file_name: str
    content_type: str
    size: int
    published_on: date
    expires_on: date | None
    new: bool = Field(description="Publié depuis la dernière visite de « Mes documents ».")
    requires_acknowledgement: bool
    acknowledged_at: datetime | None


class FamilyCategory(BaseModel):
    id: UUID
    name: str
    new: int = Field(description="Le chiffre devant la rubrique (seed 001 §6).")
    documents: list[FamilyDocument]


class FamilyDocumentsPage(BaseModel):
    """« Mes documents », page-shaped: the categories in order, each with its documents (newest
    first) and its counter of new ones."""

    last_visit_at: datetime | None
    new: int
    to_acknowledge: int
    categories: list[FamilyCategory]
