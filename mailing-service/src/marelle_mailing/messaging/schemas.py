from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from marelle_kit.validation import normalize_text
from marelle_mailing import catalogue


def _body(value: str) -> str:
    """A message: several lines allowed, no control or invisible characters but line breaks
    and tabs, at most 10 000 characters once trimmed."""
    lines = [normalize_text(line) for line in value.replace("\r\n", "\n").split("\n")]
    cleaned = "\n".join(lines).strip()
    if not cleaned:
        raise ValueError(catalogue.MESSAGE_EMPTY)
    return cleaned


MessageBody = Annotated[str, StringConstraints(max_length=10_000), AfterValidator(_body)]
Subject = Annotated[
    str, StringConstraints(min_length=1, max_length=200), AfterValidator(normalize_text)
]
Side = Literal["household", "staff"]


class AttachmentOut(BaseModel):
    id: UUID
    name: str
    content_type: str
    size: int


class MessageOut(BaseModel):
    id: UUID
    author_side: Side
    author_name: str = Field(description="Le service pour un message d'agent, vu de la famille.")
    body: str
    created_at: datetime
    read_at: datetime | None = Field(description="Quand l'autre côté l'a ouvert.")
    attachments: list[AttachmentOut]


class ConversationSummary(BaseModel):
    id: UUID
    household_id: UUID
    household_name: str | None = Field(default=None, description="Pour les agents.")
    family_number: str | None = None
    desk_id: UUID
    desk_name: str
    subject: str
    status: Literal["open", "closed"]
    assigned_to: str | None
    last_message_at: datetime
    unread: int = Field(description="Messages de l'autre côté pas encore lus par le lecteur.")


class ConversationPage(BaseModel):
    items: list[ConversationSummary]
    total: int
    limit: int
    offset: int


class ConversationOut(ConversationSummary):
    created_at: datetime
    closed_at: datetime | None
    messages: list[MessageOut]


class ReadIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    up_to: UUID | None = Field(
        default=None,
        description="Dernier message affiché : les suivants (arrivés depuis) restent non lus.",
    )


class UnreadOut(BaseModel):
    unread: int


class AssignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    staff_subject: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = Field(
        description="L'agent chargé de la conversation, ou null pour la libérer."
    )


class DeskCounts(BaseModel):
    desk_id: UUID
    desk_name: str
    open: int
    unread: int = Field(description="Messages des familles non lus par le service.")
