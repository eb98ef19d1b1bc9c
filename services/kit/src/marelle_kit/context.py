"""Ambient request/message context: the ids that tie a chain of requests and events together."""

from __future__ import annotations

from contextvars import ContextVar

correlation_id_var: ContextVar[str | None] = ContextVar("marelle_correlation_id", default=None)
causation_id_var: ContextVar[str | None] = ContextVar("marelle_causation_id", default=None)
