from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from marelle_family.adults.schemas import AdultOut
from marelle_family.children.schemas import ChildOut
from marelle_family.guardians.schemas import GuardianIn, GuardianOut
from marelle_kit.validation import PhoneNumber, ShortText

Postcode = Annotated[str, StringConstraints(pattern=r"^[0-9]{5}$")]
BenefitsNumber = Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z]{1,20}$")]


class HouseholdCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=2, max_length=200, description="Nom d'usage du foyer")
    guardians: list[GuardianIn] = Field(default_factory=list, max_length=2)

    @field_validator("guardians")
    @classmethod
    def _distinct(cls, guardians: list[GuardianIn]) -> list[GuardianIn]:
        if len({g.rank for g in guardians}) != len(guardians):
            raise ValueError("un seul responsable légal par rang (1 et 2)")
        emails = [g.email for g in guardians if g.email]
        if len(set(emails)) != len(emails):
            raise ValueError("les deux responsables légaux ont la même adresse e-mail")
        return guardians


class HouseholdPatch(BaseModel):
    """The household's details; a field sent as null is cleared."""

    model_config = ConfigDict(extra="forbid")

    address_street: ShortText | None = None
    address_complement: ShortText | None = None
    postcode: Postcode | None = None
    city: Annotated[ShortText, StringConstraints(max_length=100)] | None = None
    phone: PhoneNumber | None = None
    email_authorised: bool = True
    sms_authorised: bool = False
    quotient: int | None = Field(default=None, ge=0, le=100_000, description="QF en euros")
    quotient_valid_until: date | None = None
    benefits_scheme: Literal["caf", "msa"] | None = None
    benefits_number: BenefitsNumber | None = None
    insurer: Annotated[ShortText, StringConstraints(max_length=100)] | None = None
    insurance_number: Annotated[ShortText, StringConstraints(max_length=50)] | None = None
    insurance_valid_until: date | None = None
    # The tenant's criteria, by code (see /settings/records); null clears one.
    criteria_values: dict[str, bool | str | None] | None = Field(default=None, max_length=30)


class HouseholdSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    tenant_id: UUID
    family_number: str
    name: str


class GuardianName(BaseModel):
    rank: int
    first_name: str
    last_name: str


class HouseholdListing(HouseholdSummary):
    """A row of the staff's household list: the summary, who the guardians are, how many
    children the household has."""

    guardians: list[GuardianName] = Field(default_factory=list)
    children_count: int = 0


class HouseholdDetails(HouseholdSummary):
    address_street: str | None
    address_complement: str | None
    postcode: str | None
    city: str | None
    phone: str | None
    email_authorised: bool
    sms_authorised: bool
    quotient: int | None
    quotient_valid_until: date | None
    benefits_scheme: str | None
    benefits_number: str | None
    insurer: str | None
    insurance_number: str | None
    insurance_valid_until: date | None
    certified_at: datetime | None
    criteria_values: dict[str, Any] | None = None


class HouseholdOut(HouseholdDetails):
    guardians: list[GuardianOut]
    adults: list[AdultOut] = Field(default_factory=list)
    children: list[ChildOut] = Field(default_factory=list)
