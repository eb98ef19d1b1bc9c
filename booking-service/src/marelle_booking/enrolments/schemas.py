from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

EnrolmentStatus = Literal["pending", "approved", "refused", "ended"]


class EnrolmentRequest(BaseModel):
    """A family asks to enrol a child (approved at once where the activity needs no approval)."""

    model_config = ConfigDict(extra="forbid")

    child_id: UUID
    activity_id: UUID
    school_year_id: UUID
    group_code: str = Field(default="", max_length=30)


class EnrolmentIn(EnrolmentRequest):
    """Staff enrol a child directly."""

    household_id: UUID
    documents_complete: bool = False
    priority_class: int = Field(
        default=3, ge=1, le=9, description="Liste d'attente : 1 passe en premier"
    )


class EnrolmentPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    documents_complete: bool | None = Field(
        default=None, description="Dossier complet (pièces reçues)"
    )
    priority_class: int | None = Field(default=None, ge=1, le=9)
    group_code: str | None = Field(default=None, max_length=30)
    ended: bool | None = Field(default=None, description="Mettre fin à l'inscription")


class EnrolmentDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "refuse"]
    note: str | None = Field(default=None, max_length=500, description="Motif, lu par la famille")


class EnrolmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    household_id: UUID
    child_id: UUID
    child_name: str
    activity_id: UUID
    activity_name: str
    school_year_id: UUID
    school_year: str
    group_code: str
    status: EnrolmentStatus
    documents_complete: bool
    priority_class: int
    note: str | None
    created_at: datetime
    decided_at: datetime | None
