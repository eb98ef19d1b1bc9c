from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

PersonKind = Literal["household", "guardian", "child"]


class DocumentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    household_id: UUID
    person_kind: str
    person_id: UUID
    name: str
    description: str | None
    content_type: str
    size: int
    uploaded_by_staff: bool
    created_at: datetime
