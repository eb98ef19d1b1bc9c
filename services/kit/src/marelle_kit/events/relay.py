"""The outbox relay: publishes committed outbox rows in order, then marks them published.

Several relays may run against one database (PostgreSQL): each claims rows with
``FOR UPDATE SKIP LOCKED`` and publishes a row only when no earlier row of the same key is still
pending, so one household's events keep their order whichever relay sends them. A relay that
dies after publishing but before marking leaves the rows pending: they are published again and
the consumers' processed-message table absorbs the duplicate. See docs/adr/0002-outbox-relay.md.

Published rows are forgotten after ``KEEP_PUBLISHED`` by the ``<service>.purge-outbox`` job
every service runs (``purge_outbox_job``), not by the relay's loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from marelle_kit.clock import utcnow
from marelle_kit.database import Database
from marelle_kit.events.envelope import EventEnvelope
from marelle_kit.events.tables import EventTables
from marelle_kit.events.transport import Transport

log = logging.getLogger(__name__)

# The broker, or the consumers' databases, hold the facts: a week is plenty to investigate.
KEEP_PUBLISHED = timedelta(days=7)


class OutboxRelay:
    def __init__(
        self,
        database: Database,
        tables: EventTables,
        transport: Transport,
        *,
        batch_size: int = 200,
        poll_interval: float = 0.5,
        max_backoff: float = 5.0,
        keep_published: timedelta = KEEP_PUBLISHED,
    ) -> None:
        self.database = database
        self.outbox = tables.outbox
        self.transport = transport
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.max_backoff = max_backoff
        self.keep_published = keep_published
        self._wakeup = asyncio.Event()

    def notify(self) -> None:
        """Called after a commit that wrote outbox rows, to publish without waiting for a poll."""
        self._wakeup.set()

    async def publish_batch(self) -> int:
        """Claim, publish and mark one batch in one transaction; returns how many were published."""
        async with self.database.transaction() as session:
            claimed = (
                await session.execute(
                    sa.select(self.outbox.c.position, self.outbox.c.key, self.outbox.c.envelope)
                    .where(self.outbox.c.published_at.is_(None))
                    .order_by(self.outbox.c.position)
                    .limit(self.batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if not claimed:
                return 0
            ready = await self._keep_key_order(session, claimed)
            if not ready:
                return 0
            await self.transport.publish(
                [EventEnvelope.model_validate_json(row.envelope) for row in ready]
            )
            await session.execute(
                self.outbox.update()
                .where(self.outbox.c.position.in_([row.position for row in ready]))
                .values(published_at=utcnow())
            )
            return len(ready)

    async def purge_published(self, batch: int = 5000) -> int:
        """Forget rows published longer ago than ``keep_published``; returns how many."""
        return await purge_published(self.database, self.outbox, self.keep_published, batch)

    async def _keep_key_order(
        self, session: AsyncSession, claimed: Sequence[sa.Row[Any, Any, Any]]
    ) -> list[sa.Row[Any, Any, Any]]:
        """Drop claimed rows that have an earlier pending row of the same key claimed by
        another relay (not in this batch): they wait for the next round."""
        mine = {row.position for row in claimed}
        last = max(mine)
        pending = await session.execute(
            sa.select(self.outbox.c.key, self.outbox.c.position)
            .where(
                self.outbox.c.published_at.is_(None),
                self.outbox.c.key.in_({row.key for row in claimed}),
                self.outbox.c.position <= last,
            )
            .order_by(self.outbox.c.position)
        )
        blocked_from: dict[str, int] = {}
        for key, position in pending:
            if key not in blocked_from and position not in mine:
                blocked_from[key] = position
        return [
            row
            for row in claimed
            if row.key not in blocked_from or row.position < blocked_from[row.key]
        ]

    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Publish until ``stop`` is set (or the task is cancelled); survives transport and
        database outages with a growing back-off."""
        stop = stop or asyncio.Event()
        backoff = self.poll_interval
        while not stop.is_set():
            self._wakeup.clear()
            try:
                published = await self.publish_batch()
                backoff = self.poll_interval
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox relay: publication failed, retrying in %.1fs", backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self.max_backoff)
                continue
            if published >= self.batch_size:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), timeout=self.poll_interval)


async def purge_published(
    database: Database, outbox: sa.Table, keep: timedelta = KEEP_PUBLISHED, batch: int = 5000
) -> int:
    """Delete, in batches of ``batch`` (each its own transaction), the outbox rows published
    longer ago than ``keep``; pending rows are never touched. Returns how many were removed."""
    cutoff = utcnow() - keep
    removed = 0
    while True:
        async with database.transaction() as session:
            positions = (
                await session.scalars(
                    sa.select(outbox.c.position)
                    .where(outbox.c.published_at < cutoff)
                    .order_by(outbox.c.position)
                    .limit(batch)
                )
            ).all()
            if not positions:
                return removed
            await session.execute(outbox.delete().where(outbox.c.position.in_(positions)))
            removed += len(positions)
