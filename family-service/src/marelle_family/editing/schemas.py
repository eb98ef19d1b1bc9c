from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator

from marelle_family import catalogue
from marelle_family.field_groups import FIELD_GROUPS
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
            label=catalogue.FIELD_GROUP_LABELS.get(row.field_group, row.field_group),
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

    @field_validator("diets")
    @classmethod
    def _diet_codes(cls, diets: dict[str, str]) -> dict[str, str]:
        if not diets or any(
            not code.replace("_", "").isalnum() or not code.islower() or len(code) > 30
            for code in diets
        ):
            raise ValueError(catalogue.DIET_CODES)
        return {code: label.strip()[:100] for code, label in diets.items()}

    @field_validator("editing")
    @classmethod
    def _known_groups_and_modes(cls, editing: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(editing) - set(FIELD_GROUPS))
        if unknown:
            raise ValueError(catalogue.UNKNOWN_FIELD_GROUPS.format(groups=", ".join(unknown)))
        if any(mode not in ("direct", "request") for mode in editing.values()):
            raise ValueError(catalogue.EDITING_MODES)
        return editing

    @field_validator("criteria")
    @classmethod
    def _distinct_codes(cls, criteria: list[Criterion]) -> list[Criterion]:
        if len({c.code for c in criteria}) != len(criteria):
            raise ValueError(catalogue.DUPLICATE_CRITERIA)
        return criteria
