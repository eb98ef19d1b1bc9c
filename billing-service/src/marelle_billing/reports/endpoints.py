from __future__ import annotations

from datetime import date
from typing import Annotated, Self
from uuid import UUID

from fastapi import Query, Response
from pydantic import BaseModel, ConfigDict, Field, model_validator

from marelle_billing.access import billing_office
from marelle_billing.invoicing.repository import InvoiceRepository
from marelle_billing.reports.csv import amount, to_csv
from marelle_billing.reports.schemas import CashJournal, UnpaidReport
from marelle_billing.reports.service import ReportService
from marelle_kit.localtime import local_today
from marelle_kit.tenancy import TenantId
from marelle_kit.unit_of_work import ReadSessionDep, transactional_router

reports = transactional_router(prefix="/reports", tags=["reports"], dependencies=billing_office)
exports = transactional_router(prefix="/exports", tags=["exports"], dependencies=billing_office)


def _csv(content: bytes, filename: str) -> Response:
    return Response(
        content=content,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "X-Content-Type-Options": "nosniff",
        },
    )


class Span(BaseModel):
    """Days asked for (``from``, ``to``, both included; a day by default: today)."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    first_day: date | None = Field(default=None, alias="from")
    last_day: date | None = Field(default=None, alias="to")

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        first, last = self.days
        if last < first:
            raise ValueError("la fin précède le début")
        if (last - first).days > 366:
            raise ValueError("un an au plus")
        return self

    @property
    def days(self) -> tuple[date, date]:
        first = self.first_day or local_today()
        return first, self.last_day or first


SpanQuery = Annotated[Span, Query()]


@reports.get("/unpaid", response_model=UnpaidReport)
async def unpaid(
    tenant_id: TenantId, session: ReadSessionDep, as_of: Annotated[date | None, Query()] = None
) -> UnpaidReport:
    """Unpaid invoices by due date with their age (not due, 1-30, 31-60, 61-90, 90+ days)."""
    return await ReportService(session).unpaid(tenant_id, as_of or local_today())


@reports.get("/cash-journal", response_model=CashJournal)
async def cash_journal(
    tenant_id: TenantId,
    session: ReadSessionDep,
    span: SpanQuery,
) -> CashJournal:
    """The régie's journal: money received per payment mode (a day by default: today)."""
    first, last = span.days
    return await ReportService(session).cash_journal(tenant_id, first, last)


@exports.get("/unpaid.csv", response_class=Response)
async def unpaid_csv(
    tenant_id: TenantId, session: ReadSessionDep, as_of: Annotated[date | None, Query()] = None
) -> Response:
    report = await ReportService(session).unpaid(tenant_id, as_of or local_today())
    rows = [
        (
            r.number,
            r.family_number,
            r.household_name,
            r.issue_date.strftime("%d/%m/%Y"),
            r.due_date.strftime("%d/%m/%Y"),
            amount(r.total_cents),
            amount(r.due_cents),
            r.days_late,
            r.bucket,
        )
        for r in report.invoices
    ]
    header = (
        "Facture",
        "N° famille",
        "Foyer",
        "Émise le",
        "Échéance",
        "Montant",
        "Reste dû",
        "Jours de retard",
        "Ancienneté",
    )
    return _csv(to_csv(header, rows), f"impayes-{report.as_of.isoformat()}.csv")


@exports.get("/cash-journal.csv", response_class=Response)
async def cash_journal_csv(
    tenant_id: TenantId,
    session: ReadSessionDep,
    span: SpanQuery,
) -> Response:
    first, last = span.days
    journal = await ReportService(session).cash_journal(tenant_id, first, last)
    rows = [
        (
            e.received_on.strftime("%d/%m/%Y"),
            e.mode,
            e.receipt_number,
            e.reference,
            str(e.household_id),
            amount(e.amount_cents),
            e.recorded_by,
        )
        for e in journal.entries
    ]
    header = ("Date", "Mode", "Reçu", "Référence", "Foyer", "Montant", "Saisi par")
    return _csv(to_csv(header, rows), f"journal-{first.isoformat()}-{last.isoformat()}.csv")


@exports.get("/invoices.csv", response_class=Response)
async def invoices_csv(
    tenant_id: TenantId, session: ReadSessionDep, run_id: Annotated[UUID, Query()]
) -> Response:
    """A campaign's invoices with their lines (one row per line)."""
    repository = InvoiceRepository(session)
    invoices = await repository.of_run(run_id)
    invoices = [inv for inv in invoices if inv.tenant_id == tenant_id]
    lines = await repository.lines_of([inv.id for inv in invoices])
    by_id = {inv.id: inv for inv in invoices}
    rows = [
        (
            by_id[ln.invoice_id].number or "brouillon",
            by_id[ln.invoice_id].family_number,
            by_id[ln.invoice_id].household_name,
            ln.child_name,
            ln.activity_name,
            ln.rule,
            ln.bracket,
            ln.fiscal_share,
            ln.quantity,
            ln.unit_price,
            amount(ln.amount_cents),
        )
        for ln in lines
    ]
    header = (
        "Facture",
        "N° famille",
        "Foyer",
        "Enfant",
        "Activité",
        "Règle",
        "Tranche",
        "Part fiscale",
        "Quantité",
        "Prix unitaire",
        "Montant",
    )
    return _csv(to_csv(header, rows), f"factures-{run_id}.csv")
