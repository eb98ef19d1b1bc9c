from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$"


class TenantCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    slug: str = Field(min_length=1, max_length=63, pattern=SLUG_PATTERN)
    name: str = Field(min_length=2, max_length=200)


class TenantOut(BaseModel):
    """A tenant's public facts: its name and its profile (tenants/profile.py)."""

    model_config = ConfigDict(from_attributes=True)

    id: UUID
    slug: str
    name: str
    article: str = ""
    home_text: str | None = None
    contact_address: str | None = None
    contact_phone: str | None = None
    contact_email: str | None = None
    contact_hours: str | None = None
    dpo_contact: str | None = None
    retention_years: int = 3
