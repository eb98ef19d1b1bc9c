"""A tenant's own criteria on households ("commune de résidence", "agent communal"...): their
definitions live on the tenant, their values on each household."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from marelle_family import catalogue
from marelle_family.catalogue import InvalidCriterion
from marelle_family.models import Tenant
from marelle_kit.validation import normalize_text


class Criterion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,30}$")]
    label: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    kind: Literal["yes_no", "text", "choice"]
    choices: list[Annotated[str, StringConstraints(min_length=1, max_length=100)]] = Field(
        default_factory=list, max_length=30
    )

    @model_validator(mode="after")
    def _choices_for_choice(self) -> Criterion:
        if self.kind == "choice" and not self.choices:
            raise ValueError("un critère à choix a besoin de ses choix")
        return self


def criteria_of(tenant: Tenant) -> list[Criterion]:
    return [Criterion.model_validate(c) for c in tenant.criteria or []]


def check_criteria(tenant: Tenant, values: dict[str, Any]) -> dict[str, Any]:
    """The values, checked against the tenant's definitions (None clears a value)."""
    known = {c.code: c for c in criteria_of(tenant)}
    checked: dict[str, Any] = {}
    for code, value in values.items():
        criterion = known.get(code)
        if criterion is None:
            raise InvalidCriterion(
                catalogue.UNKNOWN_CRITERION.format(code=code), field="criteria_values"
            )
        if value is None:
            checked[code] = None
        elif (criterion.kind == "yes_no" and isinstance(value, bool)) or (
            criterion.kind == "choice" and value in criterion.choices
        ):
            checked[code] = value
        elif criterion.kind == "text" and isinstance(value, str) and len(value) <= 200:
            try:
                checked[code] = normalize_text(value) or None
            except ValueError as exc:
                raise InvalidCriterion(
                    catalogue.CRITERION_CHARACTER.format(label=criterion.label),
                    field="criteria_values",
                ) from exc
        else:
            raise InvalidCriterion(
                catalogue.CRITERION_VALUE.format(label=criterion.label), field="criteria_values"
            )
    return checked
