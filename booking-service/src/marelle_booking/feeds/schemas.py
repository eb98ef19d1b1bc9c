from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class FeedOut(BaseModel):
    exists: bool
    created_at: datetime | None = None
    path: str | None = Field(
        default=None,
        description="Chemin secret du flux (donné une seule fois, à la création ou au "
        "renouvellement) : /calendar-feeds/<jeton>.ics",
    )
