"""Benchmark of an invoice run in distributed mode: N households (2 children, a month of meals,
morning and evening care) priced, numbered, PDFs rendered by Celery workers and stored, on
PostgreSQL; and the ReportLab-only ceiling (the renderer alone, 1 and 2 processes).

    MARELLE_TEST_POSTGRES_URL=... MARELLE_TEST_REDIS_URL=... \
        uv run python tests/benchmarks/billing_run.py [--households 10000] [--workers 2]

It makes its own database (dropped at the end), loads the read models with COPY (as if the
booking and family events had been consumed), then times the run through the service layer
exactly as the API runs it. Prints a Markdown table (and writes it with --output)."""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime
from datetime import time as clock
from pathlib import Path
from uuid import UUID, uuid4

import asyncpg
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
SCHOOL_DAYS = [
    date(2026, 11, d) for d in (2, 3, 5, 6, 9, 10, 12, 13, 16, 17, 19, 20, 23, 24, 26, 27, 30)
]


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def load(url: str, households: int) -> tuple[UUID, list[UUID]]:
    """The read models as the consumers would have filled them, with COPY."""
    from marelle_billing.tariffs.rules import TariffRules

    tenant = uuid4()
    site = uuid4()
    now = datetime.now(UTC)
    connection = await asyncpg.connect(_dsn(url))
    try:
        await connection.execute(
            "INSERT INTO tenant (id, slug, name, created_at, modified_at)"
            " VALUES ($1, $2, $3, $4, $4)",
            tenant,
            "bench",
            "Mairie de Banc-d'Essai",
            now,
        )
        meal, morning, evening = uuid4(), uuid4(), uuid4()
        activities = [
            (
                meal,
                tenant,
                "REPAS",
                "Repas",
                "meal",
                site,
                "École",
                "on_booking",
                "day",
                "meal",
                True,
            ),
            (
                morning,
                tenant,
                "MATIN",
                "Accueil du matin",
                "morning_care",
                site,
                "École",
                "on_booking",
                "day",
                "childcare",
                True,
            ),
            (
                evening,
                tenant,
                "SOIR",
                "Accueil du soir",
                "evening_care",
                site,
                "École",
                "on_attendance",
                "quarter_hour",
                "childcare",
                True,
            ),
        ]
        await connection.copy_records_to_table(
            "activity_fact",
            records=activities,
            columns=[
                "id",
                "tenant_id",
                "code",
                "name",
                "kind",
                "site_id",
                "site_name",
                "billing_mode",
                "billing_unit",
                "fiscal_share",
                "active",
            ],
        )
        rules = {
            meal: {
                "pricing": {
                    "method": "qf_brackets",
                    "missing_qf_bracket": 3,
                    "brackets": [
                        {"min": 0, "max": 500, "unit_price": "3.10"},
                        {"min": 501, "max": 800, "unit_price": "3.80"},
                        {"min": 801, "max": 1200, "unit_price": "4.50"},
                        {"min": 1201, "unit_price": "5.20"},
                    ],
                },
                "sibling": {"mode": "rank", "basis": "household", "percents": ["0", "10"]},
            },
            morning: {"pricing": {"method": "flat", "unit_price": "1.50"}},
            evening: {
                "pricing": {
                    "method": "time_slots",
                    "slots": [
                        {"start": "16:30", "end": "18:00", "unit_price": "0.45"},
                        {"start": "18:00", "end": "19:00", "unit_price": "0.60"},
                    ],
                },
                "unit": "quarter_hour",
            },
        }
        import json

        for activity, body in rules.items():
            TariffRules.model_validate(body)
            await connection.execute(
                "INSERT INTO tariff (id, tenant_id, activity_id, label, valid_from, day_kind,"
                " rules,"
                " created_at, modified_at) VALUES ($1, $2, $3, 'Tarif', '2026-09-01', 'any', $4,"
                " $5, $5)",
                uuid4(),
                tenant,
                activity,
                json.dumps(body),
                now,
            )
        accounts, children, quotients, cells = [], [], [], []
        household_ids = []
        for index in range(households):
            household = uuid4()
            household_ids.append(household)
            accounts.append(
                (
                    household,
                    tenant,
                    f"{index + 1:06d}",
                    f"Famille {index + 1}",
                    0,
                    None,
                    None,
                    now,
                    now,
                )
            )
            if index % 10:
                quotients.append(
                    (uuid4(), tenant, household, 300 + (index * 37) % 1500, date(2027, 8, 31), now)
                )
            for rank in range(2):
                child = uuid4()
                children.append(
                    (
                        child,
                        tenant,
                        household,
                        f"Enfant{rank + 1}",
                        f"F{index}",
                        date(2016 + rank * 3, 1 + index % 12, 1 + index % 28),
                    )
                )
                for day in SCHOOL_DAYS:
                    cells.append(
                        (
                            uuid4(),
                            tenant,
                            1,
                            household,
                            child,
                            meal,
                            day,
                            "booked",
                            False,
                            None,
                            None,
                            None,
                            None,
                            None,
                            False,
                        )
                    )
                    cells.append(
                        (
                            uuid4(),
                            tenant,
                            1,
                            household,
                            child,
                            morning,
                            day,
                            "booked",
                            False,
                            None,
                            None,
                            None,
                            None,
                            None,
                            False,
                        )
                    )
                    cells.append(
                        (
                            uuid4(),
                            tenant,
                            1,
                            household,
                            child,
                            evening,
                            day,
                            "present",
                            False,
                            None,
                            None,
                            None,
                            clock(16, 30),
                            clock(17 + index % 2, 5 + 10 * (index % 4)),
                            False,
                        )
                    )
        await connection.copy_records_to_table(
            "billing_account",
            records=accounts,
            columns=[
                "id",
                "tenant_id",
                "family_number",
                "name",
                "balance_cents",
                "quotient",
                "quotient_valid_until",
                "created_at",
                "modified_at",
            ],
        )
        await connection.copy_records_to_table(
            "child_fact",
            records=children,
            columns=["id", "tenant_id", "household_id", "first_name", "last_name", "birth_date"],
        )
        await connection.copy_records_to_table(
            "quotient_fact",
            records=quotients,
            columns=["id", "tenant_id", "household_id", "quotient", "valid_until", "recorded_at"],
        )
        await connection.copy_records_to_table(
            "cell_fact",
            records=cells,
            columns=[
                "id",
                "tenant_id",
                "version",
                "household_id",
                "child_id",
                "activity_id",
                "day",
                "state",
                "late",
                "absence_reason",
                "absence_charge",
                "penalty_percent",
                "arrival",
                "departure",
                "free_of_charge",
            ],
        )
        registers = [(uuid4(), tenant, evening, day, True, now) for day in SCHOOL_DAYS]
        await connection.copy_records_to_table(
            "register_fact",
            records=registers,
            columns=["id", "tenant_id", "activity_id", "day", "closed", "changed_at"],
        )
        await connection.execute("ANALYZE")
    finally:
        await connection.close()
    return tenant, household_ids


def _render_many(count: int) -> float:
    from marelle_billing.documents.render import render_invoice

    view = sample_view()
    start = time.perf_counter()
    for _ in range(count):
        render_invoice(view)
    return time.perf_counter() - start


def sample_view():  # type: ignore[no-untyped-def]
    from marelle_billing.documents.views import InvoiceView, LineView

    lines = [
        LineView(
            f"Enfant{c} F1",
            activity,
            "2, 3, 5, 6, 9, 10, 12, 13, 16, 17, 19, 20, 23, 24, 26, 27, 30 nov. 2026",
            "17",
            price,
            rule,
            amount,
        )
        for c in (1, 2)
        for activity, price, rule, amount in (
            ("Repas", "3,80 €", "QF 620 € : QF 501–800 €", "64,60 €"),
            ("Accueil du matin", "1,50 €", "tarif unique", "25,50 €"),
            (
                "Accueil du soir",
                "0,45 €",
                "plage 16:30–18:00, 0,45 € par quart d'heure entamé",
                "22,95 €",
            ),
        )
    ]
    return InvoiceView(
        kind="invoice",
        tenant_name="Mairie de Banc-d'Essai",
        payee_name="Régie enfance",
        payee_address="1 place de la Mairie\n69100 Villeurbanne",
        number="F2026-000001",
        issue_date=date(2026, 12, 1),
        due_date=date(2026, 12, 20),
        period_label="novembre 2026",
        family_number="000001",
        addressee=["Famille 1", "Camille Parent", "69100 Villeurbanne"],
        lines=lines,
        total="226,10 €",
        deductions=[],
        amount_due="226,10 €",
        balance_label="Solde de votre compte au 01/12/2026 : 226,10 € à payer",
        how_to_pay=["En ligne sur le portail famille.", "Au guichet de la régie."],
    )


def reportlab_ceiling(count: int) -> dict[str, float]:
    one = _render_many(count)
    with ProcessPoolExecutor(2) as pool:
        start = time.perf_counter()
        list(pool.map(_render_many, [count // 2, count - count // 2]))
        two = time.perf_counter() - start
    return {"one_core_per_s": count / one, "two_processes_per_s": count / two}


def rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except FileNotFoundError:
        pass
    return 0.0


async def run(url: str, redis_url: str, households: int, workers: int) -> dict[str, float]:
    os.environ.update(
        MARELLE_MODE="distributed",
        MARELLE_BILLING_DATABASE_URL=url,
        MARELLE_REDIS_URL=redis_url,
        MARELLE_KAFKA_BOOTSTRAP_SERVERS=os.environ.get(
            "MARELLE_TEST_KAFKA_BOOTSTRAP", "127.0.0.1:1"
        ),
        MARELLE_JOB_QUEUE_PREFIX=f"bench-{uuid4().hex[:8]}-",
        MARELLE_BILLING_PDF_BATCH="50",
    )
    from marelle_billing.documents.repository import DocumentRepository
    from marelle_billing.invoicing.schemas import RunCreate
    from marelle_billing.invoicing.service import RunService
    from marelle_billing.jobs import JOBS, pdf_sweep
    from marelle_billing.service import definition
    from marelle_billing.settings import BillingSettings
    from marelle_kit.database import Database
    from marelle_kit.jobs import JobContext
    from marelle_kit.jobs.distributed import CeleryJobRunner
    from marelle_kit.migrations import upgrade

    await asyncio.to_thread(upgrade, definition.migrations, definition.metadata, url)
    figures: dict[str, float] = {}
    start = time.perf_counter()
    tenant, _households = await load(url, households)
    figures["load_s"] = time.perf_counter() - start

    settings = BillingSettings()
    database = Database(url)
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "marelle_billing",
            "jobs",
            "worker",
            "--concurrency",
            str(workers),
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        env=os.environ.copy(),
        cwd=ROOT,
    )
    try:
        await asyncio.sleep(6)  # the workers boot (imports) before the clock starts
        begin = time.perf_counter()
        async with database.transaction() as session:
            draft = await RunService(session).create(
                tenant,
                RunCreate(
                    period_start=date(2026, 11, 1),
                    period_end=date(2026, 11, 30),
                    issue_date=date(2026, 12, 1),
                    due_date=date(2026, 12, 20),
                    online_payment_until=date(2026, 12, 20),
                ),
                "bench",
            )
        figures["draft_s"] = time.perf_counter() - begin
        assert draft.review is not None and not draft.review.errors, draft.review
        figures["cells"] = draft.review.cells_priced
        figures["invoices"] = draft.review.invoices
        mark = time.perf_counter()
        async with database.transaction() as session:
            await RunService(session).issue(tenant, draft.id)
        figures["issue_s"] = time.perf_counter() - mark
        mark = time.perf_counter()
        # What beat's sweeps do: claim the pending PDFs in batches, one job run per batch.
        runner = CeleryJobRunner("billing", settings, JOBS)
        context = JobContext("billing", settings, database, runner)
        while True:
            await pdf_sweep.run(context)
            async with database.transaction() as session:
                if not await DocumentRepository(session).unclaimed_count():
                    break
        while True:
            async with database.transaction() as session:
                pending = await DocumentRepository(session).pending_count()
            if not pending:
                break
            await asyncio.sleep(0.2)
        figures["pdfs_s"] = time.perf_counter() - mark
        figures["total_s"] = time.perf_counter() - begin
        figures["api_process_peak_rss_mib"] = (
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        )
        figures["celery_peak_rss_mib"] = rss_mib(worker.pid) + sum(
            rss_mib(int(c))
            for c in Path(f"/proc/{worker.pid}/task/{worker.pid}/children").read_text().split()
        )
        async with database.transaction() as session:
            import sqlalchemy as sa

            figures["pdf_bytes_stored_mib"] = (
                float(
                    await session.scalar(
                        sa.text("SELECT coalesce(sum(length(content)), 0) FROM stored_document")
                    )
                    or 0
                )
                / 2**20
            )
    finally:
        worker.terminate()
        worker.wait(30)
        await database.dispose()
    return figures


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--ceiling", type=int, default=2000, help="invoices for the ceiling")
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    admin = os.environ["MARELLE_TEST_POSTGRES_URL"]
    redis_url = os.environ["MARELLE_TEST_REDIS_URL"]
    sys.path.insert(0, str(ROOT / "services" / "testkit" / "src"))
    from marelle_testkit.databases import postgres_database

    ceiling = reportlab_ceiling(args.ceiling)
    async with postgres_database(admin, "bench_billing") as url:
        figures = await run(url, redis_url, args.households, args.workers)
    table = [
        "| figure | value |",
        "|---|---|",
        f"| households / cells priced / invoices | {args.households} / {figures['cells']:.0f} / "
        f"{figures['invoices']:.0f} |",
        "| draft (load cells, price, group, insert invoices and lines) | "
        f"{figures['draft_s']:.1f} s |",
        f"| issue (numbers, credits, balances, events) | {figures['issue_s']:.1f} s |",
        f"| PDFs rendered and stored ({args.workers} Celery processes) | "
        f"{figures['pdfs_s']:.1f} s |",
        f"| **run total** (draft + issue + PDFs) | **{figures['total_s']:.1f} s** |",
        f"| ReportLab alone, one core | {ceiling['one_core_per_s']:.0f} invoices/s |",
        f"| ReportLab alone, two processes | {ceiling['two_processes_per_s']:.0f} invoices/s |",
        f"| peak memory: run process / Celery workers | {figures['api_process_peak_rss_mib']:.0f}"
        f" MiB / {figures['celery_peak_rss_mib']:.0f} MiB |",
        f"| PDFs stored | {figures['pdf_bytes_stored_mib']:.1f} MiB |",
        f"| (test data loaded with COPY, not timed in the run) | {figures['load_s']:.1f} s |",
    ]
    text = "\n".join(table)
    print(text)
    if args.output:
        args.output.write_text(
            f"# Billing run benchmark ({datetime.now(UTC):%Y-%m-%d})\n\n{text}\n", encoding="utf-8"
        )


if __name__ == "__main__":
    asyncio.run(main())
