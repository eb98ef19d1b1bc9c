from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator

from marelle_family.guardians.schemas import GuardianIn, GuardianOut


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


class HouseholdSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    tenant_id: UUID
    family_number: str
    name: str


class HouseholdOut(HouseholdSummary):
    guardians: list[GuardianOut]
