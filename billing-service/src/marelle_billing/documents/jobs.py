"""The PDF work: render issued invoices' PDFs in the background, in batches.

``claim`` leases a batch of pending invoices; ``render_batch`` is the unit of work (views ->
pure renderer -> store). marelle_billing.jobs runs them as the kit's jobs (in-process in
embedded mode, Celery workers in distributed mode).
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from datetime import timedelta
from typing import Any
from uuid import UUID

from marelle_billing.documents.render import render_invoice
from marelle_billing.documents.repository import DocumentRepository
from marelle_billing.documents.views import InvoiceView, LineView
from marelle_billing.invoicing.repository import InvoiceRepository
from marelle_billing.models import BillingProfile, Invoice, InvoiceKind, Payment, ProviderPurpose
from marelle_billing.money import euros, french_date, month_label, price, quantity
from marelle_billing.payments.repository import PaymentRepository
from marelle_billing.profile.repository import ProfileRepository
from marelle_kit.clock import utcnow
from marelle_kit.database import Database
from marelle_kit.ids import new_id

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)
MODE_LABELS = {
    "online": "paiement en ligne",
    "cash": "espèces",
    "cheque": "chèque",
    "card_terminal": "carte bancaire (guichet)",
    "transfer": "virement",
    "cesu": "CESU",
    "basket": "panier prépayé",
    "credit_note": "avoir",
}


def period_label(invoice: Invoice) -> str:
    start, end = invoice.period_start, invoice.period_end
    if (start.year, start.month) == (end.year, end.month) and start.day == 1:
        return month_label(start)
    return f"du {french_date(start)} au {french_date(end)}"


def how_to_pay(invoice: Invoice, profile: BillingProfile, online: bool) -> list[str]:
    if invoice.kind == InvoiceKind.CREDIT_NOTE:
        return []
    ways: list[str] = []
    if invoice.direct_debit:
        ways.append(
            f"Cette facture sera prélevée à partir du {french_date(invoice.due_date)} : "
            "vous n'avez rien à faire."
        )
        return ways
    if online:
        ways.append(
            "En ligne, par carte bancaire, sur le portail famille (« Mes factures », bouton "
            f"« Payer ») jusqu'au {french_date(invoice.online_payment_until)}."
        )
    counter = profile.counter_details or profile.payee_name
    ways.append(
        f"Au guichet de la régie : {counter} (espèces, chèque à l'ordre du Trésor "
        "public, carte bancaire)."
    )
    if profile.cesu_accepted:
        ways.append(
            "CESU acceptés pour l'accueil périscolaire, et pour le centre de loisirs des enfants "
            "de moins de 6 ans (jamais pour la restauration)."
        )
    ways.append(f"Rappelez le n° de facture {invoice.number} avec votre paiement.")
    return ways


def invoice_view(
    invoice: Invoice,
    lines: list[Any],
    *,
    tenant_name: str,
    profile: BillingProfile,
    addressee: list[str],
    deductions: list[tuple[str, str]],
    balance_cents: int,
    online: bool,
    corrects: str | None,
) -> InvoiceView:
    assert invoice.number is not None
    due = max(invoice.total_cents - invoice.paid_cents, 0)
    if balance_cents > 0:
        balance = f"{euros(balance_cents, cents=True)} à payer"
    elif balance_cents < 0:
        balance = f"{euros(-balance_cents, cents=True)} en votre faveur"
    else:
        balance = "à jour"
    return InvoiceView(
        kind=invoice.kind,
        tenant_name=tenant_name,
        payee_name=profile.payee_name,
        payee_address=profile.payee_address,
        number=invoice.number,
        issue_date=invoice.issue_date,
        due_date=invoice.due_date,
        period_label=period_label(invoice),
        family_number=invoice.family_number,
        addressee=addressee,
        lines=[
            LineView(
                child=line.child_name,
                activity=line.activity_name,
                dates=line.dates_label,
                quantity=quantity(line.quantity),
                unit_price=price(line.unit_price),
                rule=line.rule,
                amount=euros(line.amount_cents, cents=True),
            )
            for line in lines
        ],
        total=euros(invoice.total_cents, cents=True),
        deductions=deductions,
        amount_due=euros(due, cents=True),
        balance_label=f"Solde de votre compte au {french_date(invoice.issue_date)} : {balance}",
        how_to_pay=how_to_pay(invoice, profile, online),
        reason=invoice.reason,
        corrects=corrects,
    )


async def render_batch(database: Database, ids: list[UUID], *, in_thread: bool = True) -> int:
    """Render and store the PDFs of these invoices (already claimed); returns how many."""
    async with database.transaction() as session:
        documents = DocumentRepository(session)
        invoices = await documents.invoices(ids)
        if not invoices:
            return 0
        lines = await InvoiceRepository(session).printed_lines([inv.id for inv in invoices])
        by_invoice: dict[UUID, list[Any]] = defaultdict(list)
        for line in lines:
            by_invoice[line.invoice_id].append(line)
        households = sorted({inv.household_id for inv in invoices}, key=str)
        accounts = await documents.accounts(households)
        guardians = await documents.guardians(households)
        tenants = sorted({inv.tenant_id for inv in invoices}, key=str)
        names = await documents.tenant_names(tenants)
        profiles_repo = ProfileRepository(session)
        profiles: dict[UUID, BillingProfile] = {}
        online: dict[UUID, bool] = {}
        for tenant_id in tenants:
            profiles[tenant_id] = await profiles_repo.get(tenant_id) or BillingProfile(id=tenant_id)
            provider = await profiles_repo.provider(tenant_id, ProviderPurpose.INVOICES)
            online[tenant_id] = provider is not None and provider.enabled
        allocations = await InvoiceRepository(session).allocations_of([inv.id for inv in invoices])
        payments: dict[UUID, Payment] = {
            p.id: p
            for p in await PaymentRepository(session).by_ids(
                list({a.payment_id for a in allocations})
            )
        }
        deductions: dict[UUID, list[tuple[str, str]]] = defaultdict(list)
        for allocation in allocations:
            payment = payments.get(allocation.payment_id)
            label = MODE_LABELS.get(payment.mode, payment.mode) if payment else "paiement"
            when = f" du {french_date(payment.received_on)}" if payment else ""
            deductions[allocation.invoice_id].append(
                (f"Déjà réglé ({label}{when})", euros(-allocation.amount_cents, cents=True))
            )
        corrected_ids = [inv.corrects_invoice_id for inv in invoices if inv.corrects_invoice_id]
        corrected = (
            {inv.id: inv.number for inv in await documents.invoices(corrected_ids)}
            if (corrected_ids)
            else {}
        )

    rendered: list[UUID] = []
    failed: list[UUID] = []
    stored: list[dict[str, Any]] = []

    def render_all() -> None:
        for invoice in invoices:
            account = accounts.get(invoice.household_id)
            people = [
                f"{g.first_name} {g.last_name}" for g in guardians.get(invoice.household_id, [])
            ]
            addressee = [invoice.household_name, *people[:2]]
            if account is not None and account.city:
                addressee.append(f"{account.postcode or ''} {account.city}".strip())
            try:
                pdf = render_invoice(
                    invoice_view(
                        invoice,
                        by_invoice.get(invoice.id, []),
                        tenant_name=names.get(invoice.tenant_id, ""),
                        profile=profiles[invoice.tenant_id],
                        addressee=addressee,
                        deductions=deductions.get(invoice.id, []),
                        balance_cents=account.balance_cents if account else 0,
                        online=online[invoice.tenant_id],
                        corrects=corrected.get(invoice.corrects_invoice_id)
                        if invoice.corrects_invoice_id
                        else None,
                    )
                )
            except Exception:
                log.exception("PDF of invoice %s failed", invoice.id)
                failed.append(invoice.id)
                continue
            rendered.append(invoice.id)
            stored.append(
                {
                    "id": new_id(),
                    "tenant_id": invoice.tenant_id,
                    "kind": "invoice",
                    "owner_id": invoice.id,
                    "filename": f"{'avoir' if invoice.kind == 'credit_note' else 'facture'}-"
                    f"{invoice.number}.pdf",
                    "content": pdf,
                    "created_at": utcnow(),
                }
            )

    if in_thread:
        # CPU-bound: off the event loop (the API keeps answering in embedded mode).
        await asyncio.to_thread(render_all)
    else:
        render_all()  # a worker process of its own (Celery): no loop to keep free
    async with database.transaction() as session:
        await DocumentRepository(session).store(stored, rendered, failed)
    return len(rendered)


async def claim(database: Database, limit: int) -> list[UUID]:
    async with database.transaction() as session:
        now = utcnow()
        return await DocumentRepository(session).claim_pending(now, now + LEASE, limit)
