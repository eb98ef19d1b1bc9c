from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict


class MailSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    template: str
    to_address: str
    subject: str
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None


class MailOut(MailSummary):
    html: str
    text: str
