from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import BaseModel, ConfigDict


class AccountOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    tenant_id: UUID
    family_number: str
    name: str
    balance_cents: int
    quotient: int | None = None
    quotient_valid_until: date | None = None
