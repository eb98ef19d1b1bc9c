"""The one envelope every event travels in, whatever the transport."""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from marelle_contracts import Event, event_class, topic_for

E = TypeVar("E", bound=Event)


class EventEnvelope(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: UUID  # UUIDv7: unique and sortable by time
    type: str
    version: int
    tenant_id: UUID
    key: str  # the household id when there is one: one household's events stay ordered
    occurred_at: datetime
    correlation_id: str
    causation_id: str | None
    payload: dict[str, Any]

    @property
    def topic(self) -> str:
        return topic_for(self.type)

    def to_bytes(self) -> bytes:
        return self.model_dump_json().encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> EventEnvelope:
        return cls.model_validate_json(raw)

    def event(self) -> Event:
        """The typed payload; raises LookupError for a type no contract declares."""
        model = event_class(self.type)
        if model is None:
            raise LookupError(f"unknown event type {self.type}")
        return model.model_validate(self.payload)

    def event_as(self, model: builtins.type[E]) -> E:
        if model.event_type != self.type:
            raise TypeError(f"envelope holds {self.type}, not {model.event_type}")
        return model.model_validate(self.payload)
