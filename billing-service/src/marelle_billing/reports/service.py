"""The billing office's reports: unpaid invoices with their age, the régie's cash journal."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from uuid import UUID

from marelle_billing.invoicing.repository import InvoiceRepository
from marelle_billing.models import PaymentMode
from marelle_billing.payments.repository import PaymentRepository
from marelle_billing.reports.schemas import (
    AgeingBucket,
    CashJournal,
    JournalEntry,
    JournalMode,
    UnpaidInvoice,
    UnpaidReport,
)
from marelle_kit.database import ReadSession

BUCKETS = ("not_due", "1-30", "31-60", "61-90", "90+")
MODE_LABELS = {
    "cash": "Espèces",
    "cheque": "Chèques",
    "card_terminal": "Carte bancaire (terminal)",
    "transfer": "Virements",
    "cesu": "CESU",
    "online": "Paiement en ligne",
    "basket": "Paniers prépayés",
}


def bucket(days_late: int) -> str:
    if days_late <= 0:
        return "not_due"
    if days_late <= 30:
        return "1-30"
    if days_late <= 60:
        return "31-60"
    if days_late <= 90:
        return "61-90"
    return "90+"


class ReportService:
    def __init__(self, session: ReadSession) -> None:
        self.invoices = InvoiceRepository(session)
        self.payments = PaymentRepository(session)

    async def unpaid(self, tenant_id: UUID, as_of: date) -> UnpaidReport:
        rows: list[UnpaidInvoice] = []
        totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for inv in await self.invoices.unpaid_all(tenant_id):
            late = (as_of - inv.due_date).days
            due = inv.total_cents - inv.paid_cents
            name = bucket(late)
            totals[name][0] += 1
            totals[name][1] += due
            rows.append(
                UnpaidInvoice(
                    invoice_id=inv.id,
                    number=inv.number,
                    household_id=inv.household_id,
                    family_number=inv.family_number,
                    household_name=inv.household_name,
                    issue_date=inv.issue_date,
                    due_date=inv.due_date,
                    total_cents=inv.total_cents,
                    due_cents=due,
                    days_late=max(late, 0),
                    bucket=name,
                )
            )
        return UnpaidReport(
            as_of=as_of,
            invoices=rows,
            buckets=[
                AgeingBucket(bucket=name, invoices=totals[name][0], due_cents=totals[name][1])
                for name in BUCKETS
            ],
            total_due_cents=sum(row.due_cents for row in rows),
        )

    async def cash_journal(self, tenant_id: UUID, first: date, last: date) -> CashJournal:
        payments = [
            p
            for p in await self.payments.received_between(tenant_id, first, last)
            if p.mode != PaymentMode.CREDIT_NOTE  # no money came in
        ]
        modes: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for payment in payments:
            modes[payment.mode][0] += 1
            modes[payment.mode][1] += payment.amount_cents
        refunds = await self.payments.refunds_between(tenant_id, first, last)
        return CashJournal(
            first_day=first,
            last_day=last,
            modes=[
                JournalMode(
                    mode=mode, label=MODE_LABELS.get(mode, mode), count=count, total_cents=total
                )
                for mode, (count, total) in sorted(modes.items())
            ],
            entries=[
                JournalEntry(
                    payment_id=p.id,
                    received_on=p.received_on,
                    mode=p.mode,
                    household_id=p.household_id,
                    amount_cents=p.amount_cents,
                    reference=p.reference,
                    receipt_number=p.receipt_number,
                    recorded_by=p.recorded_by,
                )
                for p in payments
            ],
            refunds_cents=sum(r.amount_cents for r in refunds),
            total_cents=sum(p.amount_cents for p in payments),
        )
