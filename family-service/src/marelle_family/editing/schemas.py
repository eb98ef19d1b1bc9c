from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from marelle_family.editing.groups import LABELS
from marelle_family.models import ChangeRequest
from marelle_family.tenants.criteria import Criterion


class ChangeRequestOut(BaseModel):
    """A change request with its group's French label, as the portal and back office show it."""

    id: UUID
    household_id: UUID
    target: str
    target_id: UUID
    field_group: str
    changes: dict[str, Any]
    status: str
    reason: str | None
    created_at: datetime
    decided_at: datetime | None
    label: str

    @classmethod
    def of(cls, row: ChangeRequest) -> ChangeRequestOut:
        return cls(
            id=row.id,
            household_id=row.household_id,
            target=row.target,
            target_id=row.target_id,
            field_group=row.field_group,
            changes=row.changes,
            status=row.status,
            reason=row.reason,
            created_at=row.created_at,
            decided_at=row.decided_at,
            label=LABELS.get(row.field_group, row.field_group),
        )


class EditOutcome(BaseModel):
    """What became of an edit: the field groups changed at once, and those sent to staff."""

    applied: list[str]
    requests: list[ChangeRequestOut]


class Refusal(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(min_length=3, max_length=500, description="Motif montré au parent")


class EditingRules(BaseModel):
    """A tenant's choices: its diets and, per field group, direct edit or change request."""

    model_config = ConfigDict(extra="forbid")

    diets: dict[str, str] = Field(max_length=30)
    editing: dict[str, str]
    criteria: list[Criterion] = Field(default_factory=list, max_length=30)
