"""The billing-service's background work (its worker role): PDFs, the reconciliation of online
payments left running, the expiry of prepaid baskets. Each round is one short transaction per
item; a failing round is logged and retried at the next tick, never lost (the rows are the
queue). When the kit's jobs runner lands, each loop here becomes one of its periodic jobs."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from marelle_billing.baskets.service import BasketService
from marelle_billing.documents.jobs import InlinePdfDispatcher
from marelle_billing.payments.repository import TransactionRepository
from marelle_billing.payments.service import IncidentLog, PaymentService
from marelle_billing.settings import BillingSettings
from marelle_kit.clock import utcnow
from marelle_kit.database import Database
from marelle_kit.runtime import ServiceRuntime

log = logging.getLogger(__name__)

RECONCILE_EVERY = 60.0
BASKETS_EVERY = 30.0


async def reconcile_running(database: Database, settings: BillingSettings, limit: int = 50) -> int:
    """Ask the providers about transactions left running (a lost notification)."""
    cutoff = utcnow() - timedelta(minutes=settings.reconcile_after_minutes)
    async with database.transaction() as session:
        pending = await TransactionRepository(session).unsettled_before(cutoff, limit)
    for transaction in pending:
        try:
            async with database.transaction() as session:
                await PaymentService(session, settings, IncidentLog(database)).reconcile_one(
                    transaction
                )
        except Exception:
            log.exception("reconciliation of transaction %s failed", transaction.id)
    return len(pending)


async def expire_baskets(database: Database, settings: BillingSettings) -> int:
    async with database.transaction() as session:
        return await BasketService(session, settings, IncidentLog(database)).expire_due()


async def _every(seconds: float, work: Callable[[], Awaitable[int]], name: str) -> None:
    while True:
        try:
            await work()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("%s round failed", name)
        await asyncio.sleep(seconds)


def pdf_wake(runtime: ServiceRuntime) -> asyncio.Event:
    wake = runtime.state.get("pdf_wake")
    if not isinstance(wake, asyncio.Event):
        wake = runtime.state["pdf_wake"] = asyncio.Event()
    return wake


async def run_background(runtime: ServiceRuntime) -> None:
    settings = runtime.settings
    assert isinstance(settings, BillingSettings)
    database = runtime.database
    wake = pdf_wake(runtime)
    if settings.resolved_pdf_rendering == "celery":
        from marelle_billing.documents.celery_pdf import CeleryPdfDispatcher

        pdfs: InlinePdfDispatcher | CeleryPdfDispatcher = CeleryPdfDispatcher(
            database, settings, wake
        )
    else:
        pdfs = InlinePdfDispatcher(database, settings, wake)
    await asyncio.gather(
        pdfs.run(),
        _every(RECONCILE_EVERY, lambda: reconcile_running(database, settings), "reconciliation"),
        _every(BASKETS_EVERY, lambda: expire_baskets(database, settings), "basket expiry"),
    )
