"""Idempotent consumers: processed-message table, retries with back-off, dead letters.

A handler runs in one transaction of the consumer's own database together with the row that
records (consumer, event id) as processed, so an event delivered twice is applied once. A handler
that keeps failing is parked in the dead-letter table; ``deliver`` returns only once the event is
either applied or parked, and the transport acknowledges it only then.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Awaitable, Callable, Mapping, Sequence
from uuid import UUID

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.dialects import postgresql, sqlite

from marelle_contracts import topic_for
from marelle_kit.clock import utcnow
from marelle_kit.context import causation_id_var, correlation_id_var
from marelle_kit.database import Database, WriteSession
from marelle_kit.events.envelope import EventEnvelope
from marelle_kit.events.outbox import OUTBOX_WRITTEN
from marelle_kit.events.tables import EventTables
from marelle_kit.ids import new_id

log = logging.getLogger(__name__)

Handler = Callable[[WriteSession, EventEnvelope], Awaitable[None]]

DEFAULT_BACKOFF = (0.2, 1.0, 5.0, 15.0)


class ReplayFailed(Exception):
    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


class EventConsumer:
    def __init__(
        self,
        name: str,
        database: Database,
        tables: EventTables,
        handlers: Mapping[str, Handler],
        *,
        max_attempts: int = 5,
        backoff: Sequence[float] = DEFAULT_BACKOFF,
        on_commit: Callable[[], None] | None = None,
    ) -> None:
        self.name = name
        self.database = database
        self.tables = tables
        self.handlers = dict(handlers)
        self.max_attempts = max_attempts
        self.backoff = tuple(backoff)
        self.on_commit = on_commit

    @property
    def topics(self) -> list[str]:
        return sorted({topic_for(event_type) for event_type in self.handlers})

    async def deliver(self, envelope: EventEnvelope) -> None:
        handler = self.handlers.get(envelope.type)
        if handler is None:
            return  # a fact this consumer does not use
        error = ""
        for attempt in range(1, self.max_attempts + 1):
            try:
                await self._apply(handler, envelope)
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                error = "".join(traceback.format_exception_only(exc)).strip()
                log.warning(
                    "consumer %s: %s %s failed (attempt %d/%d): %s",
                    self.name,
                    envelope.type,
                    envelope.id,
                    attempt,
                    self.max_attempts,
                    error,
                )
                if attempt < self.max_attempts:
                    await asyncio.sleep(self.backoff[min(attempt - 1, len(self.backoff) - 1)])
        await self._park(envelope, error)

    async def deliver_unreadable(self, raw: bytes, error: str) -> None:
        """Bytes that are not an envelope cannot be handled, but are never dropped."""
        async with self.database.transaction() as session:
            await session.execute(
                self.tables.dead_letter.insert().values(
                    id=new_id(),
                    consumer=self.name,
                    event_id=None,
                    event_type=None,
                    tenant_id=None,
                    envelope=raw.decode("utf-8", errors="replace"),
                    error=error,
                    attempts=1,
                    parked_at=utcnow(),
                    replayed_at=None,
                )
            )

    async def _apply(self, handler: Handler, envelope: EventEnvelope) -> None:
        correlation = correlation_id_var.set(envelope.correlation_id)
        causation = causation_id_var.set(str(envelope.id))
        try:
            async with self.database.transaction() as session:
                if await self._mark_processed(session, envelope.id):
                    await handler(session, envelope)
                wrote_outbox = session.info.get(OUTBOX_WRITTEN, False)
            if wrote_outbox and self.on_commit is not None:
                self.on_commit()
        finally:
            correlation_id_var.reset(correlation)
            causation_id_var.reset(causation)

    async def _mark_processed(self, session: WriteSession, event_id: UUID) -> bool:
        """Insert (consumer, event id); False when it was already there (a redelivery)."""
        dialect = self.database.dialect
        table = self.tables.processed
        values = {"consumer": self.name, "event_id": event_id, "processed_at": utcnow()}
        statement: sa.Executable
        if dialect == "postgresql":
            statement = postgresql.insert(table).values(values).on_conflict_do_nothing()
        elif dialect == "sqlite":
            statement = sqlite.insert(table).values(values).on_conflict_do_nothing()
        else:  # pragma: no cover - only the two supported backends
            raise RuntimeError(f"unsupported database {dialect}")
        result = await session.execute(statement)
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def _park(self, envelope: EventEnvelope, error: str) -> None:
        log.error(
            "consumer %s: parking %s %s after %d attempts",
            self.name,
            envelope.type,
            envelope.id,
            self.max_attempts,
        )
        table = self.tables.dead_letter
        async with self.database.transaction() as session:
            existing = await session.scalar(
                sa.select(table.c.id).where(
                    table.c.consumer == self.name, table.c.event_id == envelope.id
                )
            )
            if existing is not None:  # parked before, replayed, failed again
                await session.execute(
                    table.update()
                    .where(table.c.id == existing)
                    .values(
                        error=error,
                        attempts=table.c.attempts + self.max_attempts,
                        parked_at=utcnow(),
                        replayed_at=None,
                    )
                )
                return
            await session.execute(
                table.insert().values(
                    id=new_id(),
                    consumer=self.name,
                    event_id=envelope.id,
                    event_type=envelope.type,
                    tenant_id=envelope.tenant_id,
                    envelope=envelope.model_dump_json(),
                    error=error,
                    attempts=self.max_attempts,
                    parked_at=utcnow(),
                    replayed_at=None,
                )
            )

    async def replay(self, dead_letter_id: UUID) -> None:
        """Apply a parked event once more (exactly once, thanks to the processed table).

        On success the dead letter is marked replayed; on failure it stays parked."""
        table = self.tables.dead_letter
        async with self.database.transaction() as session:
            raw = await session.scalar(
                sa.select(table.c.envelope).where(
                    table.c.id == dead_letter_id,
                    table.c.consumer == self.name,
                    table.c.replayed_at.is_(None),
                )
            )
        if raw is None:
            raise LookupError(dead_letter_id)
        try:
            envelope = EventEnvelope.model_validate_json(raw)
        except ValidationError as exc:
            raise ReplayFailed("message illisible : pas une enveloppe d'événement") from exc
        handler = self.handlers.get(envelope.type)
        if handler is None:
            raise ReplayFailed(f"no handler for {envelope.type} in {self.name}")
        try:
            await self._apply(handler, envelope)
        except Exception as exc:
            error = "".join(traceback.format_exception_only(exc)).strip()
            async with self.database.transaction() as session:
                await session.execute(
                    table.update()
                    .where(table.c.id == dead_letter_id)
                    .values(error=error, attempts=table.c.attempts + 1)
                )
            raise ReplayFailed(error) from exc
        async with self.database.transaction() as session:
            await session.execute(
                table.update().where(table.c.id == dead_letter_id).values(replayed_at=utcnow())
            )
