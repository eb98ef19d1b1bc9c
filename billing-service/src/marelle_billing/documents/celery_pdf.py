"""Distributed mode: PDFs rendered by Celery workers (Redis as broker), in parallel processes.

The service's worker claims batches of pending invoices (SKIP LOCKED, leased) and sends one
task per batch; a task renders and stores its batch (``render_batch``). A lost task's invoices
are claimed again when the lease ends; a task delivered twice renders its PDFs again (the same
bytes replace the first ones). Run the workers with
``celery -A marelle_billing.documents.celery_worker worker`` (ADR 0012's pattern)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from functools import cache
from uuid import UUID

from celery import Celery

from marelle_billing.documents.jobs import claim, render_batch
from marelle_billing.settings import BillingSettings
from marelle_kit.database import Database

log = logging.getLogger(__name__)

TASK_NAME = "marelle_billing.render_pdfs"


def make_celery(broker_url: str, queue: str, settings: BillingSettings | None = None) -> Celery:
    app = Celery("marelle_billing", broker=broker_url)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        task_default_queue=queue,
        broker_connection_retry_on_startup=True,
    )
    if settings is not None:

        def render_pdfs(invoice_ids: list[str]) -> int:
            return asyncio.run(_render(settings, [UUID(i) for i in invoice_ids]))

        app.task(name=TASK_NAME, max_retries=3)(render_pdfs)
    return app


async def _render(settings: BillingSettings, ids: list[UUID]) -> int:
    database = Database(settings.resolved_database_url("billing"), pool_size=1)
    try:
        return await render_batch(database, ids, in_thread=False)
    finally:
        await database.dispose()


@cache
def celery_for(broker_url: str, queue: str) -> Celery:
    return make_celery(broker_url, queue)


class CeleryPdfDispatcher:
    def __init__(self, database: Database, settings: BillingSettings, wake: asyncio.Event) -> None:
        assert settings.platform.redis_url, "Celery PDFs need MARELLE_REDIS_URL"
        self.database = database
        self.settings = settings
        self.wake = wake
        self.celery = celery_for(settings.platform.redis_url, settings.celery_queue)

    async def run_once(self) -> int:
        ids = await claim(self.database, self.settings.pdf_batch)
        if ids:
            await asyncio.to_thread(
                self.celery.send_task,
                TASK_NAME,
                args=[[str(i) for i in ids]],
                queue=self.settings.celery_queue,
            )
        return len(ids)

    async def run(self) -> None:
        while True:
            try:
                handed = await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("PDF hand-over round failed")
                handed = 0
            if not handed:
                self.wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.wake.wait(), self.settings.jobs_poll_interval)
