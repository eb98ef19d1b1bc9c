"""Invoice runs, invoices and their lines, numbering counters. Bulk statements for the run
(Core, executemany): an issue of 10,000 invoices is a handful of round trips."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col

from marelle_billing.invoicing.computation import CellGroup, group_cells
from marelle_billing.models import (
    Allocation,
    BillingAccount,
    CellFactRow,
    DecimalText,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceRun,
    InvoiceStatus,
    NumberCounter,
    Payment,
    Refund,
    RunKind,
    RunStatus,
    table_of,
)
from marelle_kit.repository import Repository

CHUNK = 1000
# CellGroup's columns before its days.
FACT_COLUMNS = tuple(CellGroup._fields[:-1])


def _decimal_text(value: Any) -> str | None:
    return None if value is None else format(value, "f")


class RunRepository(Repository[InvoiceRun]):
    model = InvoiceRun

    async def of_tenant(self, tenant_id: UUID, *, limit: int, offset: int) -> list[InvoiceRun]:
        query = (
            self.scoped(tenant_id)
            .order_by(col(InvoiceRun.period_start).desc(), col(InvoiceRun.created_at).desc())
            .limit(limit)
            .offset(offset)
        )
        return list(await self.session.scalars(query))

    async def issued_regular_for(
        self, tenant_id: UUID, start: date, end: date
    ) -> InvoiceRun | None:
        query = self.scoped(tenant_id).where(
            col(InvoiceRun.status) == RunStatus.ISSUED,
            col(InvoiceRun.kind) == RunKind.REGULAR,
            col(InvoiceRun.period_start) == start,
            col(InvoiceRun.period_end) == end,
        )
        found: InvoiceRun | None = await self.session.scalar(query.limit(1))
        return found

    async def overlapping_issued(
        self, tenant_id: UUID, start: date, end: date, exclude: UUID
    ) -> InvoiceRun | None:
        query = self.scoped(tenant_id).where(
            col(InvoiceRun.status) == RunStatus.ISSUED,
            col(InvoiceRun.kind) == RunKind.REGULAR,
            col(InvoiceRun.id) != exclude,
            col(InvoiceRun.period_start) <= end,
            col(InvoiceRun.period_end) >= start,
        )
        found: InvoiceRun | None = await self.session.scalar(query.limit(1))
        return found

    async def previous_issued(self, tenant_id: UUID, before: date) -> InvoiceRun | None:
        query = (
            self.scoped(tenant_id)
            .where(
                col(InvoiceRun.status) == RunStatus.ISSUED,
                col(InvoiceRun.kind) == RunKind.REGULAR,
                col(InvoiceRun.period_end) < before,
            )
            .order_by(col(InvoiceRun.period_end).desc())
            .limit(1)
        )
        found: InvoiceRun | None = await self.session.scalar(query)
        return found

    async def for_period(self, tenant_id: UUID, start: date) -> InvoiceRun | None:
        """A run (draft or issued) starting on that day."""
        query = self.scoped(tenant_id).where(
            col(InvoiceRun.period_start) == start, col(InvoiceRun.status) != RunStatus.CANCELLED
        )
        found: InvoiceRun | None = await self.session.scalar(query.limit(1))
        return found


class InvoiceRepository(Repository[Invoice]):
    model = Invoice

    # --- what a run reads -----------------------------------------------------------------
    async def cell_groups(self, tenant_id: UUID, first: date, last: date) -> Sequence[Any]:
        """The period's cells grouped by child, activity and facts, with their days (CellGroup
        order), by household: PostgreSQL groups them (a million cells come back as tens of
        thousands of rows, straight from the driver)."""
        facts = ", ".join(FACT_COLUMNS)
        if self.session.get_bind().dialect.name == "postgresql":
            connection = await self.session.connection()
            raw = await connection.get_raw_connection()
            driver: Any = raw.driver_connection
            rows: Sequence[Any] = await driver.fetch(
                f"SELECT {facts}, array_agg(day ORDER BY day) FROM cell_fact "  # noqa: S608
                "WHERE tenant_id = $1 AND day >= $2 AND day <= $3 "
                f"GROUP BY {facts} ORDER BY household_id",
                tenant_id,
                first,
                last,
            )
            return rows
        c = table_of(CellFactRow).c
        result = await self.session.execute(
            sa.select(*(c[name] for name in FACT_COLUMNS), c.day).where(
                c.tenant_id == tenant_id, c.day >= first, c.day <= last
            )
        )
        return group_cells(result)

    async def accounts(self, tenant_id: UUID) -> dict[UUID, tuple[str, str]]:
        """Household id -> (family number, name)."""
        rows = await self.session.execute(
            sa.select(
                col(BillingAccount.id),
                col(BillingAccount.family_number),
                col(BillingAccount.name),
            ).where(col(BillingAccount.tenant_id) == tenant_id)
        )
        return {row[0]: (row[1], row[2]) for row in rows}

    async def carried_over(self, tenant_id: UUID) -> list[Invoice]:
        query = self.scoped(tenant_id).where(
            col(Invoice.status) == InvoiceStatus.CARRIED_OVER,
            col(Invoice.carried_into_id).is_(None),
        )
        return list(await self.session.scalars(query))

    async def lines_of(self, invoice_ids: Sequence[UUID]) -> list[InvoiceLine]:
        lines: list[InvoiceLine] = []
        for start in range(0, len(invoice_ids), CHUNK):
            chunk = list(invoice_ids[start : start + CHUNK])
            lines.extend(
                await self.session.scalars(
                    sa.select(InvoiceLine)
                    .where(col(InvoiceLine.invoice_id).in_(chunk))
                    .order_by(col(InvoiceLine.invoice_id), col(InvoiceLine.position))
                )
            )
        return lines

    async def printed_lines(self, invoice_ids: Sequence[UUID]) -> list[Any]:
        """What a PDF prints of the lines (not their days: the grouped label is stored)."""
        line = table_of(InvoiceLine).c
        rows: list[Any] = []
        for start in range(0, len(invoice_ids), CHUNK):
            rows.extend(
                await self.session.execute(
                    sa.select(
                        line.invoice_id,
                        line.child_name,
                        line.activity_name,
                        line.quantity,
                        line.unit_price,
                        line.rule,
                        line.amount_cents,
                        line.dates_label,
                    )
                    .where(line.invoice_id.in_(list(invoice_ids[start : start + CHUNK])))
                    .order_by(line.invoice_id, line.position)
                )
            )
        return rows

    async def billed_since(
        self, tenant_id: UUID, first: date
    ) -> tuple[list[Invoice], list[InvoiceLine]]:
        """Issued invoices and corrective credit notes from ``first`` on, and their lines:
        what may hold days of a period (its own run, its corrections, later invoices it was
        carried into). Credit notes made by hand have no days: not here."""
        query = self.scoped(tenant_id).where(
            col(Invoice.status) == InvoiceStatus.ISSUED,
            sa.or_(col(Invoice.kind) == InvoiceKind.INVOICE, col(Invoice.run_id).is_not(None)),
            col(Invoice.issue_date) >= first,
        )
        invoices = list(await self.session.scalars(query))
        return invoices, await self.lines_of([inv.id for inv in invoices])

    async def credit_noted(self, invoice_ids: Sequence[UUID]) -> set[UUID]:
        """Those of the invoices a credit note corrects."""
        found: set[UUID] = set()
        for start in range(0, len(invoice_ids), CHUNK):
            found.update(
                await self.session.scalars(
                    sa.select(col(Invoice.corrects_invoice_id)).where(
                        col(Invoice.corrects_invoice_id).in_(
                            list(invoice_ids[start : start + CHUNK])
                        )
                    )
                )
            )
        return {invoice_id for invoice_id in found if invoice_id is not None}

    async def run_totals(self, run_id: UUID, statuses: Iterable[str]) -> dict[UUID, int]:
        rows = await self.session.execute(
            sa.select(col(Invoice.household_id), col(Invoice.total_cents)).where(
                col(Invoice.run_id) == run_id, col(Invoice.status).in_(list(statuses))
            )
        )
        return {row[0]: row[1] for row in rows}

    async def run_activity_totals(self, run_id: UUID) -> dict[str, int]:
        rows = await self.session.execute(
            sa.select(col(InvoiceLine.activity_name), sa.func.sum(col(InvoiceLine.amount_cents)))
            .join(Invoice, col(Invoice.id) == col(InvoiceLine.invoice_id))
            .where(col(Invoice.run_id) == run_id, col(Invoice.status) == InvoiceStatus.ISSUED)
            .group_by(col(InvoiceLine.activity_name))
        )
        return {row[0]: int(row[1] or 0) for row in rows}

    async def of_run(self, run_id: UUID, statuses: Iterable[str] | None = None) -> list[Invoice]:
        query = sa.select(Invoice).where(col(Invoice.run_id) == run_id)
        if statuses is not None:
            query = query.where(col(Invoice.status).in_(list(statuses)))
        return list(await self.session.scalars(query.order_by(col(Invoice.family_number))))

    async def run_page(
        self, tenant_id: UUID, run_id: UUID, *, limit: int, offset: int
    ) -> list[Invoice]:
        query = (
            self.scoped(tenant_id)
            .where(col(Invoice.run_id) == run_id)
            .order_by(col(Invoice.family_number))
            .limit(limit)
            .offset(offset)
        )
        return list(await self.session.scalars(query))

    # --- writing a draft ------------------------------------------------------------------
    async def delete_drafts(self, run_id: UUID) -> None:
        drafts = sa.select(col(Invoice.id)).where(
            col(Invoice.run_id) == run_id,
            col(Invoice.status).in_([InvoiceStatus.DRAFT, InvoiceStatus.CARRIED_OVER]),
            col(Invoice.number).is_(None),
        )
        await self.session.execute(
            sa.delete(InvoiceLine).where(col(InvoiceLine.invoice_id).in_(drafts))
        )
        await self.session.execute(
            sa.delete(Invoice).where(
                col(Invoice.run_id) == run_id,
                col(Invoice.status).in_([InvoiceStatus.DRAFT, InvoiceStatus.CARRIED_OVER]),
                col(Invoice.number).is_(None),
            )
        )

    async def insert(self, invoices: list[dict[str, Any]], lines: list[dict[str, Any]]) -> None:
        """Bulk insert of a run's drafts: COPY on PostgreSQL, executemany elsewhere."""
        if self.session.get_bind().dialect.name == "postgresql":
            await self._copy(table_of(Invoice), invoices)
            await self._copy(table_of(InvoiceLine), lines)
            return
        for start in range(0, len(invoices), CHUNK):
            await self.session.execute(table_of(Invoice).insert(), invoices[start : start + CHUNK])
        for start in range(0, len(lines), CHUNK * 5):
            await self.session.execute(
                table_of(InvoiceLine).insert(), lines[start : start + CHUNK * 5]
            )

    async def _copy(self, table: sa.Table, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        columns = list(rows[0])
        converters: list[Callable[[Any], Any] | None] = []
        for name in columns:
            column_type = table.c[name].type
            if isinstance(column_type, sa.JSON):
                converters.append(json.dumps)
            elif isinstance(column_type, DecimalText):
                converters.append(_decimal_text)
            else:
                converters.append(None)
        records = [
            tuple(
                convert(row[name]) if convert is not None else row[name]
                for name, convert in zip(columns, converters, strict=True)
            )
            for row in rows
        ]
        connection = await self.session.connection()
        raw = await connection.get_raw_connection()
        driver: Any = raw.driver_connection
        await driver.copy_records_to_table(table.name, records=records, columns=columns)

    async def update_many(self, values: list[dict[str, Any]]) -> None:
        """``values``: dicts with ``_id`` and the columns to set (same columns in each)."""
        if not values:
            return
        table = table_of(Invoice)
        columns = [key for key in values[0] if key != "_id"]
        statement = (
            table.update()
            .where(table.c.id == sa.bindparam("_id"))
            .values({name: sa.bindparam(name) for name in columns})
        )
        for start in range(0, len(values), CHUNK):
            await self.session.execute(statement, values[start : start + CHUNK])

    # --- numbering --------------------------------------------------------------------------
    async def lock_counter(self, tenant_id: UUID, prefix: str, year: int) -> NumberCounter:
        """The (tenant, prefix, year) counter, locked until the end of the transaction; made
        at 0 the first time (two makers at once: one insert wins, both then lock the row)."""
        table = table_of(NumberCounter)
        values = {"tenant_id": tenant_id, "prefix": prefix, "year": year, "last_number": 0}
        dialect = self.session.get_bind().dialect.name
        insert: Any = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
        await self.session.execute(insert.values(values).on_conflict_do_nothing())
        counter = await self.session.scalar(
            sa.select(NumberCounter)
            .where(
                col(NumberCounter.tenant_id) == tenant_id,
                col(NumberCounter.prefix) == prefix,
                col(NumberCounter.year) == year,
            )
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        assert counter is not None
        return counter

    # --- accounts and credits ---------------------------------------------------------------
    async def lock_accounts(self, household_ids: Iterable[UUID]) -> dict[UUID, int]:
        """Lock the households' accounts (in id order: two lockers never deadlock) and give
        their balances."""
        ids = sorted(set(household_ids), key=str)
        balances: dict[UUID, int] = {}
        table = table_of(BillingAccount)
        for start in range(0, len(ids), CHUNK):
            rows = await self.session.execute(
                sa.select(table.c.id, table.c.balance_cents)
                .where(table.c.id.in_(ids[start : start + CHUNK]))
                .order_by(table.c.id)
                .with_for_update()
            )
            balances.update({row[0]: row[1] for row in rows})
        return balances

    async def set_balances(self, balances: dict[UUID, int], at: datetime) -> None:
        table = table_of(BillingAccount)
        statement = (
            table.update()
            .where(table.c.id == sa.bindparam("_id"))
            .values(balance_cents=sa.bindparam("_balance"), modified_at=at)
        )
        rows = [{"_id": hid, "_balance": balance} for hid, balance in balances.items()]
        for start in range(0, len(rows), CHUNK):
            await self.session.execute(statement, rows[start : start + CHUNK])

    async def credits(
        self, tenant_id: UUID, household_ids: Iterable[UUID] | None = None
    ) -> dict[UUID, list[tuple[UUID, int]]]:
        """Per household, its payments not fully allocated: (payment id, amount left), oldest
        first, refunds taken from the newest."""
        allocated = (
            sa.select(
                col(Allocation.payment_id).label("payment_id"),
                sa.func.sum(col(Allocation.amount_cents)).label("allocated"),
            )
            .group_by(col(Allocation.payment_id))
            .subquery()
        )
        query = (
            sa.select(
                col(Payment.household_id),
                col(Payment.id),
                col(Payment.amount_cents) - sa.func.coalesce(allocated.c.allocated, 0),
            )
            .outerjoin(allocated, allocated.c.payment_id == col(Payment.id))
            .where(
                col(Payment.tenant_id) == tenant_id,
                col(Payment.amount_cents) > sa.func.coalesce(allocated.c.allocated, 0),
            )
            .order_by(col(Payment.received_on), col(Payment.created_at))
        )
        if household_ids is not None:
            query = query.where(col(Payment.household_id).in_(list(household_ids)))
        left: dict[UUID, list[tuple[UUID, int]]] = {}
        for household_id, payment_id, amount in await self.session.execute(query):
            left.setdefault(household_id, []).append((payment_id, int(amount)))
        refunds = sa.select(col(Refund.household_id), sa.func.sum(col(Refund.amount_cents))).where(
            col(Refund.tenant_id) == tenant_id
        )
        if household_ids is not None:
            refunds = refunds.where(col(Refund.household_id).in_(list(household_ids)))
        for household_id, refunded in await self.session.execute(
            refunds.group_by(col(Refund.household_id))
        ):
            remaining = int(refunded or 0)
            payments = left.get(household_id, [])
            while remaining and payments:
                payment_id, amount = payments[-1]
                used = min(amount, remaining)
                remaining -= used
                if used == amount:
                    payments.pop()
                else:
                    payments[-1] = (payment_id, amount - used)
        return {hid: items for hid, items in left.items() if items}

    async def add_allocations(self, rows: list[dict[str, Any]]) -> None:
        for start in range(0, len(rows), CHUNK):
            await self.session.execute(table_of(Allocation).insert(), rows[start : start + CHUNK])

    # --- a household's invoices -------------------------------------------------------------
    async def of_household(
        self, tenant_id: UUID, household_id: UUID, *, unpaid_only: bool = False
    ) -> list[Invoice]:
        query = self.scoped(tenant_id).where(
            col(Invoice.household_id) == household_id,
            col(Invoice.status) == InvoiceStatus.ISSUED,
        )
        if unpaid_only:
            query = query.where(
                col(Invoice.kind) == InvoiceKind.INVOICE,
                col(Invoice.paid_cents) < col(Invoice.total_cents),
            )
        query = query.order_by(col(Invoice.issue_date), col(Invoice.number))
        return list(await self.session.scalars(query))

    async def by_ids(self, tenant_id: UUID, ids: Sequence[UUID]) -> list[Invoice]:
        if not ids:
            return []
        query = self.scoped(tenant_id).where(col(Invoice.id).in_(list(ids)))
        return list(await self.session.scalars(query))

    async def lock_invoices(self, tenant_id: UUID, ids: Sequence[UUID]) -> list[Invoice]:
        query = (
            self.scoped(tenant_id)
            .where(col(Invoice.id).in_(list(ids)))
            .order_by(col(Invoice.id))
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return list(await self.session.scalars(query))

    async def unpaid(self, tenant_id: UUID, *, limit: int, offset: int) -> list[Invoice]:
        query = (
            self.scoped(tenant_id)
            .where(
                col(Invoice.status) == InvoiceStatus.ISSUED,
                col(Invoice.kind) == InvoiceKind.INVOICE,
                col(Invoice.paid_cents) < col(Invoice.total_cents),
            )
            .order_by(col(Invoice.due_date), col(Invoice.number))
            .limit(limit)
            .offset(offset)
        )
        return list(await self.session.scalars(query))

    async def unpaid_all(self, tenant_id: UUID) -> list[Invoice]:
        query = self.scoped(tenant_id).where(
            col(Invoice.status) == InvoiceStatus.ISSUED,
            col(Invoice.kind) == InvoiceKind.INVOICE,
            col(Invoice.paid_cents) < col(Invoice.total_cents),
        )
        return list(await self.session.scalars(query.order_by(col(Invoice.due_date))))

    async def allocations_of(self, invoice_ids: Sequence[UUID]) -> list[Allocation]:
        if not invoice_ids:
            return []
        return list(
            await self.session.scalars(
                sa.select(Allocation).where(col(Allocation.invoice_id).in_(list(invoice_ids)))
            )
        )
