from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field


class HouseholdCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=2, max_length=200, description="Nom d'usage du foyer")


class HouseholdOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    tenant_id: UUID
    family_number: str
    name: str
