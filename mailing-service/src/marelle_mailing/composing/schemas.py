from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from marelle_kit.validation import normalize_text

Line = Annotated[str, AfterValidator(normalize_text)]

TemplateKey = Annotated[
    str,
    StringConstraints(min_length=2, max_length=60, pattern=r"^[a-z][a-z0-9_\-]*$"),
]


class MergeField(BaseModel):
    name: str = Field(description="S'écrit {{ nom }} dans le modèle.")
    label: str
    sample: Any


class TemplateSummary(BaseModel):
    key: str
    purpose: Literal["notification", "mailing"]
    name: str
    customised: bool = Field(description="Vrai quand la structure a sa propre version.")


class TemplateOut(TemplateSummary):
    subject: str
    html: str
    text: str
    fields: list[MergeField]


class TemplateIn(BaseModel):
    """A template as staff write it. ``html`` is sanitised (allowed: p, br, strong, em, u,
    ul/ol/li, a, h2, h3, blockquote, hr); ``text`` is derived from it when left out. Merge
    fields are written ``{{ foyer }}``; conditions ``{% if montant_du %}…{% endif %}``."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[Line, StringConstraints(min_length=1, max_length=200)] | None = Field(
        default=None, description="Nom d'un modèle de courrier propre à la structure."
    )
    subject: Annotated[Line, StringConstraints(min_length=1, max_length=200)]
    html: Annotated[str, StringConstraints(min_length=1, max_length=100_000)]
    text: Annotated[str, StringConstraints(max_length=100_000)] | None = None


class RenderedOut(BaseModel):
    subject: str
    html: str
    text: str
