from __future__ import annotations

import re
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

_EVENT_TYPE = re.compile(r"^[a-z]+\.[a-z_]+\.[a-z_]+$")
_REGISTRY: dict[str, type[Event]] = {}

TOPIC_PREFIX = "marelle."


class Event(BaseModel):
    """Base of every event payload: ``<context>.<noun>.<past-tense-verb>``."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    event_type: ClassVar[str]
    event_version: ClassVar[int] = 1

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        event_type = cls.__dict__.get("event_type")
        if event_type is None:
            return
        if not _EVENT_TYPE.match(event_type):
            raise ValueError(f"event type {event_type!r} is not <context>.<noun>.<verb>")
        if event_type in _REGISTRY and _REGISTRY[event_type] is not cls:
            raise ValueError(f"event type {event_type!r} registered twice")
        _REGISTRY[event_type] = cls


def event_class(event_type: str) -> type[Event] | None:
    return _REGISTRY.get(event_type)


def topic_for(event_type: str) -> str:
    """One topic per bounded context: ``family.household.created`` goes to ``marelle.family``."""
    return TOPIC_PREFIX + event_type.split(".", 1)[0]
