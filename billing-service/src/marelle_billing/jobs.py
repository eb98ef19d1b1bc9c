"""The billing-service's jobs (marelle_kit.jobs): PDFs, the reconciliation of online payments
left running, the expiry of prepaid baskets.

In-process in embedded mode, on the service's Celery workers in distributed mode (``python -m
marelle_billing jobs worker`` and ``jobs beat``). The rows are the queue: a periodic sweep
claims pending PDFs in batches (``FOR UPDATE SKIP LOCKED``, leased) and enqueues one render
per batch, so several workers render in parallel and a lost run is claimed again when its lease
ends (the sweep runs every few seconds: an issued run's PDFs start within one interval). Every
body is idempotent."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from marelle_billing.baskets.service import BasketService
from marelle_billing.documents.jobs import claim, render_batch
from marelle_billing.payments.repository import TransactionRepository
from marelle_billing.payments.service import IncidentLog, PaymentService
from marelle_billing.settings import BillingSettings
from marelle_kit.clock import utcnow
from marelle_kit.database import Database
from marelle_kit.jobs import InProcessJobRunner, JobContext, one_shot, periodic

# Claimed batches per sweep: enough to keep every worker busy until the next sweep.
BATCHES_PER_SWEEP = 20


def _settings(ctx: JobContext) -> BillingSettings:
    assert isinstance(ctx.settings, BillingSettings)
    return ctx.settings


@one_shot("billing.render-pdfs")
async def render_pdfs(ctx: JobContext, invoice_ids: str) -> None:
    """Render and store one claimed batch (ids comma-separated)."""
    ids = [UUID(value) for value in invoice_ids.split(",") if value]
    # In-process (embedded), off the event loop; a Celery worker thread is its own.
    await render_batch(ctx.database, ids, in_thread=isinstance(ctx.jobs, InProcessJobRunner))


def _pdf_interval(settings: BillingSettings) -> timedelta:
    return timedelta(seconds=settings.jobs_poll_interval)


@periodic("billing.pdf-sweep", every=_pdf_interval)
async def pdf_sweep(ctx: JobContext) -> None:
    settings = _settings(ctx)
    for _ in range(BATCHES_PER_SWEEP):
        ids = await claim(ctx.database, settings.pdf_batch)
        if not ids:
            return
        await ctx.jobs.enqueue(render_pdfs, invoice_ids=",".join(str(i) for i in ids))


async def reconcile_running(database: Database, settings: BillingSettings, limit: int = 50) -> int:
    """Ask the providers about transactions left running (a lost notification)."""
    cutoff = utcnow() - timedelta(minutes=settings.reconcile_after_minutes)
    async with database.transaction() as session:
        pending = await TransactionRepository(session).unsettled_before(cutoff, limit)
    for transaction in pending:
        async with database.transaction() as session:
            await PaymentService(session, settings, IncidentLog(database)).reconcile_one(
                transaction
            )
    return len(pending)


@periodic("billing.reconcile-payments", every=timedelta(minutes=1))
async def reconcile_payments(ctx: JobContext) -> None:
    await reconcile_running(ctx.database, _settings(ctx))


async def expire_baskets(database: Database, settings: BillingSettings) -> int:
    async with database.transaction() as session:
        return await BasketService(session, settings, IncidentLog(database)).expire_due()


@periodic("billing.expire-baskets", every=timedelta(seconds=30))
async def expire_baskets_job(ctx: JobContext) -> None:
    await expire_baskets(ctx.database, _settings(ctx))


JOBS = (pdf_sweep, render_pdfs, reconcile_payments, expire_baskets_job)
