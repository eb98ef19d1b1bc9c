"""Invoice runs (draft -> review -> issue), invoices as families and staff read them, credit
notes. Issued invoices never change: a correction is a credit note."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from marelle_billing.accounts.ledger import Ledger
from marelle_billing.errors import InvoiceImmutable, RunConflict, RunHasErrors
from marelle_billing.invoicing.computation import (
    Computation,
    DraftLine,
    add_carried_lines,
    compute_run,
    corrections,
    count_line,
    review_document,
)
from marelle_billing.invoicing.repository import InvoiceRepository, RunRepository
from marelle_billing.invoicing.schemas import (
    AllocationOut,
    CreditNoteIn,
    DayOut,
    InvoiceDetail,
    InvoiceOut,
    LineOut,
    PaymentStatus,
    ReviewOut,
    RunCreate,
    RunOut,
)
from marelle_billing.models import (
    Invoice,
    InvoiceChannel,
    InvoiceKind,
    InvoiceLine,
    InvoiceRun,
    InvoiceStatus,
    LineKind,
    Payment,
    PaymentMode,
    PdfState,
    ProviderPurpose,
    RunKind,
    RunStatus,
    events,
)
from marelle_billing.money import decimal_to_cents, grouped_dates, line_cents, month_label
from marelle_billing.payments.allocation import allocate
from marelle_billing.payments.repository import PaymentRepository
from marelle_billing.profile.service import ProfileService
from marelle_billing.readmodels.repository import ReadModelRepository
from marelle_billing.tariffs.engine import Pricer
from marelle_billing.tariffs.repository import PricingLoader
from marelle_contracts import InvoiceIssued
from marelle_kit.clock import utcnow
from marelle_kit.database import WriteSession
from marelle_kit.errors import NotFound
from marelle_kit.events import record_events
from marelle_kit.ids import new_id
from marelle_kit.localtime import local_today


def invoice_number(prefix: str, year: int, number: int) -> str:
    return f"{prefix}{year}-{number:06d}"


def payment_status(invoice: Invoice, today: date) -> PaymentStatus:
    if invoice.kind == InvoiceKind.CREDIT_NOTE:
        return "credit"
    if invoice.paid_cents >= invoice.total_cents:
        return "debited" if invoice.direct_debit else "paid"
    if invoice.due_date < today:
        return "late"
    return "partly_paid" if invoice.paid_cents else "to_pay"


def invoice_out(invoice: Invoice, *, online: bool, today: date | None = None) -> InvoiceOut:
    today = today or local_today()
    due = max(invoice.total_cents - invoice.paid_cents, 0)
    return InvoiceOut(
        id=invoice.id,
        number=invoice.number,
        kind=invoice.kind,
        status=invoice.status,
        payment_status=payment_status(invoice, today),
        household_id=invoice.household_id,
        family_number=invoice.family_number,
        household_name=invoice.household_name,
        run_id=invoice.run_id,
        period_start=invoice.period_start,
        period_end=invoice.period_end,
        issue_date=invoice.issue_date,
        due_date=invoice.due_date,
        online_payment_until=invoice.online_payment_until,
        total_cents=invoice.total_cents,
        paid_cents=invoice.paid_cents,
        due_cents=due,
        payable_online=online
        and due > 0
        and invoice.status == InvoiceStatus.ISSUED
        and invoice.kind == InvoiceKind.INVOICE
        and not invoice.direct_debit
        and invoice.channel == InvoiceChannel.OFFICE
        and today <= invoice.online_payment_until,
        channel=invoice.channel,
        direct_debit=invoice.direct_debit,
        pdf_state=invoice.pdf_state,
        pdf_url=f"/invoices/{invoice.id}/pdf" if invoice.pdf_state == PdfState.RENDERED else None,
        corrects_invoice_id=invoice.corrects_invoice_id,
        reason=invoice.reason,
    )


def line_out(line: InvoiceLine) -> LineOut:
    days = [DayOut(day=date.fromisoformat(day), quantity=Decimal(qty)) for day, qty in line.days]
    return LineOut(
        position=line.position,
        kind=line.kind,
        child_id=line.child_id,
        child_name=line.child_name,
        activity_id=line.activity_id,
        activity_name=line.activity_name,
        rule=line.rule,
        bracket=line.bracket,
        fiscal_share=line.fiscal_share,
        quantity=line.quantity,
        unit_price=line.unit_price,
        amount_cents=line.amount_cents,
        days=days,
        dates_label=grouped_dates([d.day for d in days]),
    )


def _line_row(tenant_id: UUID, invoice_id: UUID, position: int, line: DraftLine) -> dict[str, Any]:
    return {
        "id": new_id(),
        "tenant_id": tenant_id,
        "invoice_id": invoice_id,
        "position": position,
        "kind": line.kind,
        "child_id": line.child_id,
        "child_name": line.child_name,
        "activity_id": line.activity_id,
        "activity_name": line.activity_name,
        "tariff_id": line.tariff_id,
        "rule": line.rule,
        "bracket": line.bracket,
        "fiscal_share": line.fiscal_share,
        "quantity": line.quantity,
        "unit_price": line.unit_price,
        "amount_cents": line.amount_cents,
        "days": line.days,
        "dates_label": grouped_dates([date.fromisoformat(day) for day, _q in line.days]),
    }


def draft_of(line: InvoiceLine) -> DraftLine:
    return DraftLine(
        child_id=line.child_id,
        child_name=line.child_name,
        activity_id=line.activity_id,
        activity_name=line.activity_name,
        tariff_id=line.tariff_id,
        rule=line.rule,
        bracket=line.bracket,
        fiscal_share=line.fiscal_share,
        unit_price=line.unit_price,
        quantity=line.quantity,
        days=list(line.days),
        kind=line.kind,
        fixed_amount_cents=line.amount_cents,
    )


class RunService:
    def __init__(self, session: WriteSession) -> None:
        self.session = session
        self.runs = RunRepository(session)
        self.invoices = InvoiceRepository(session)
        self.profiles = ProfileService(session)

    async def runs_of(self, tenant_id: UUID, *, limit: int, offset: int) -> list[RunOut]:
        return [
            self._out(run)
            for run in await self.runs.of_tenant(tenant_id, limit=limit, offset=offset)
        ]

    async def get(self, tenant_id: UUID, run_id: UUID) -> RunOut:
        run = await self._run(tenant_id, run_id)
        pending = None
        if run.status == RunStatus.ISSUED:
            pending = sum(
                1
                for inv in await self.invoices.of_run(run.id, [InvoiceStatus.ISSUED])
                if inv.pdf_state == PdfState.PENDING
            )
        return self._out(run, pending)

    async def _run(self, tenant_id: UUID, run_id: UUID, *, lock: bool = False) -> InvoiceRun:
        run = await (self.runs.get_for_update if lock else self.runs.get)(tenant_id, run_id)
        if run is None:
            raise NotFound("Cette campagne de facturation n'existe pas.")
        return run

    @staticmethod
    def _out(run: InvoiceRun, pdfs_pending: int | None = None) -> RunOut:
        return RunOut(
            id=run.id,
            kind=run.kind,
            label=run.label,
            period_start=run.period_start,
            period_end=run.period_end,
            issue_date=run.issue_date,
            due_date=run.due_date,
            online_payment_until=run.online_payment_until,
            minimum_cents=run.minimum_cents,
            status=run.status,
            review=ReviewOut.model_validate(run.review) if run.review else None,
            computed_at=run.computed_at,
            issued_at=run.issued_at,
            pdfs_pending=pdfs_pending,
        )

    async def create(self, tenant_id: UUID, data: RunCreate, actor: str) -> RunOut:
        corrective = data.kind == RunKind.CORRECTIVE.value
        if corrective:
            if (
                await self.runs.issued_regular_for(tenant_id, data.period_start, data.period_end)
                is None
            ):
                raise RunConflict(
                    "Une régularisation porte sur la période exacte d'une campagne émise."
                )
        else:
            overlapping = await self.runs.overlapping_issued(
                tenant_id, data.period_start, data.period_end, exclude=new_id()
            )
            if overlapping is not None:
                raise RunConflict(
                    f"La période recouvre celle de la campagne émise « {overlapping.label} » : "
                    "corrigez-la par une régularisation ou des avoirs."
                )
        title = "Régularisation" if corrective else "Facturation"
        run = InvoiceRun(
            tenant_id=tenant_id,
            kind=data.kind,
            label=data.label or f"{title} {month_label(data.period_start)}",
            period_start=data.period_start,
            period_end=data.period_end,
            issue_date=data.issue_date,
            due_date=data.due_date,
            online_payment_until=data.online_payment_until,
            minimum_cents=0 if corrective else decimal_to_cents(data.minimum_amount),
            created_by=actor,
        )
        await self.runs.add(run)
        await self._compute(run)
        return self._out(run)

    async def recompute(self, tenant_id: UUID, run_id: UUID) -> RunOut:
        run = await self._run(tenant_id, run_id, lock=True)
        if run.status != RunStatus.DRAFT:
            raise RunConflict("Seule une campagne en brouillon peut être recalculée.")
        await self._compute(run)
        return self._out(run)

    async def cancel(self, tenant_id: UUID, run_id: UUID) -> None:
        run = await self._run(tenant_id, run_id, lock=True)
        if run.status == RunStatus.ISSUED:
            raise InvoiceImmutable(
                "Une campagne émise ne s'annule pas : corrigez ses factures par des avoirs."
            )
        await self.invoices.delete_drafts(run.id)
        run.status = RunStatus.CANCELLED
        await self.runs.add(run)

    async def _compute(self, run: InvoiceRun) -> None:
        """Price the period's cells into draft invoices and store the review."""
        tenant_id = run.tenant_id
        pricing = await PricingLoader(self.session).load(tenant_id)
        pricer = Pricer(pricing)
        cells = await self.invoices.cell_groups(tenant_id, run.period_start, run.period_end)
        attendance = [
            a.id for a in pricing.activities.values() if a.billing_mode == "on_attendance"
        ]
        closed = await ReadModelRepository(self.session).closed_registers(
            tenant_id, attendance, run.period_start, run.period_end
        )
        accounts = await self.invoices.accounts(tenant_id)
        same_day = any(
            version.rules.sibling is not None and version.rules.sibling.basis == "same_day"
            for versions in pricing.tariffs.values()
            for version in versions
        )
        computation = compute_run(cells, pricer, closed, set(accounts), same_day_siblings=same_day)
        if run.kind == RunKind.CORRECTIVE:
            computation = await self._corrections(run, computation)
        carried = await self.invoices.carried_over(tenant_id) if run.kind == RunKind.REGULAR else []
        carried_lines: dict[UUID, list[InvoiceLine]] = defaultdict(list)
        for line in await self.invoices.lines_of([inv.id for inv in carried]):
            carried_lines[line.invoice_id].append(line)
        add_carried_lines(
            computation,
            [
                (inv.household_id, inv.id, [draft_of(line) for line in carried_lines[inv.id]])
                for inv in carried
            ],
        )
        previous = await self.runs.previous_issued(tenant_id, run.period_start)
        previous_totals = previous_activities = None
        if previous is not None:
            previous_totals = await self.invoices.run_totals(previous.id, [InvoiceStatus.ISSUED])
            previous_activities = await self.invoices.run_activity_totals(previous.id)
        names = {hid: name for hid, (_number, name) in accounts.items()}
        run.review = review_document(
            computation, run.minimum_cents, previous_totals, previous_activities, names
        )
        run.computed_at = utcnow()

        await self.invoices.delete_drafts(run.id)
        invoice_rows: list[dict[str, Any]] = []
        line_rows: list[dict[str, Any]] = []
        now = utcnow()
        for household_id, draft in computation.invoices.items():
            if not draft.lines:
                continue
            family_number, name = accounts.get(household_id, ("", ""))
            invoice_id = new_id()
            invoice_rows.append(
                {
                    "id": invoice_id,
                    "tenant_id": tenant_id,
                    "household_id": household_id,
                    "run_id": run.id,
                    "kind": InvoiceKind.CREDIT_NOTE
                    if draft.total_cents < 0
                    else InvoiceKind.INVOICE,
                    "status": InvoiceStatus.DRAFT,
                    "number": None,
                    "family_number": family_number,
                    "household_name": name,
                    "period_start": run.period_start,
                    "period_end": run.period_end,
                    "issue_date": run.issue_date,
                    "due_date": run.due_date,
                    "online_payment_until": run.online_payment_until,
                    "total_cents": draft.total_cents,
                    "reason": f"Régularisation de la période du {run.period_start:%d/%m/%Y} "
                    f"au {run.period_end:%d/%m/%Y}"
                    if run.kind == RunKind.CORRECTIVE
                    else None,
                    "carried_from": [str(i) for i in draft.carried_invoice_ids],
                    "paid_cents": 0,
                    "channel": InvoiceChannel.OFFICE,
                    "direct_debit": False,
                    "pdf_state": PdfState.NONE,
                    "pdf_attempts": 0,
                    "created_at": now,
                    "modified_at": now,
                }
            )
            line_rows.extend(
                _line_row(tenant_id, invoice_id, position, line)
                for position, line in enumerate(draft.lines)
            )
        await self.invoices.insert(invoice_rows, line_rows)
        await self.runs.add(run)

    async def _corrections(self, run: InvoiceRun, computation: Computation) -> Computation:
        """What changed since the period was billed: reversals and new lines per household
        (households whose invoices of the period a credit note corrected are left to staff)."""
        invoices, lines = await self.invoices.billed_since(run.tenant_id, run.period_start)
        noted = await self.invoices.credit_noted([inv.id for inv in invoices])
        household_of = {inv.id: inv.household_id for inv in invoices}
        billed: dict[UUID, list[DraftLine]] = defaultdict(list)
        skipped: set[UUID] = set()
        for line in lines:
            days = [
                d
                for d, _q in line.days
                if run.period_start.isoformat() <= d <= run.period_end.isoformat()
            ]
            if not days:
                continue
            household_id = household_of[line.invoice_id]
            if line.invoice_id in noted:
                skipped.add(household_id)
            billed[household_id].append(draft_of(line))
        drafts = corrections(computation.invoices, billed, run.period_start, run.period_end)
        review = computation.review
        review.per_activity.clear()
        review.per_bracket.clear()
        for household_id in skipped:
            drafts.pop(household_id, None)
            review.warning(
                "credit-noted",
                "Foyers dont une facture de la période a déjà un avoir : à régulariser à la main",
                str(household_id),
            )
        for draft in drafts.values():
            for draft_line in draft.lines:
                count_line(review, draft_line)
        return Computation(drafts, review)

    async def issue(self, tenant_id: UUID, run_id: UUID) -> RunOut:
        """Number the run's invoices (gapless per prefix and year, under the counter's row
        lock), use the households' credits first, publish the facts; the PDFs follow in the
        background."""
        run = await self._run(tenant_id, run_id, lock=True)
        if run.status != RunStatus.DRAFT or run.computed_at is None:
            raise RunConflict("Cette campagne n'est pas un brouillon calculé.")
        if run.review and run.review.get("errors"):
            raise RunHasErrors(
                "La revue signale des erreurs bloquantes : corrigez-les puis recalculez.",
                errors=[problem["code"] for problem in run.review["errors"]],
            )
        profile = await self.profiles.profile(tenant_id)
        year = run.issue_date.year
        corrective = run.kind == RunKind.CORRECTIVE
        # Counters first (invoices, then credit notes), accounts next: one order everywhere.
        counter = await self.invoices.lock_counter(tenant_id, profile.invoice_prefix, year)
        notes_counter = (
            await self.invoices.lock_counter(tenant_id, profile.credit_note_prefix, year)
            if corrective
            else None
        )
        if not corrective:
            # Checked under the counter's lock: two runs of one period cannot both be issued.
            overlapping = await self.runs.overlapping_issued(
                tenant_id, run.period_start, run.period_end, exclude=run.id
            )
            if overlapping is not None:
                raise RunConflict(f"La campagne « {overlapping.label} » couvre déjà cette période.")

        drafts = await self.invoices.of_run(run.id, [InvoiceStatus.DRAFT])
        minimum = max(run.minimum_cents, 1)
        to_issue = [inv for inv in drafts if inv.total_cents >= minimum]
        to_carry = [] if corrective else [inv for inv in drafts if 0 < inv.total_cents < minimum]
        to_credit = [inv for inv in drafts if inv.total_cents < 0] if corrective else []
        to_issue.sort(key=lambda inv: (inv.family_number, inv.household_name, str(inv.id)))
        to_credit.sort(key=lambda inv: (inv.family_number, inv.household_name, str(inv.id)))
        now = utcnow()

        ledger = Ledger(self.session)
        await ledger.lock([inv.household_id for inv in [*to_issue, *to_credit]])
        credits = await self.invoices.credits(tenant_id, [inv.household_id for inv in to_issue])
        allocations: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        credit_payments: list[Payment] = []
        for offset, note in enumerate(to_credit, start=1):
            assert notes_counter is not None
            note.number = invoice_number(
                profile.credit_note_prefix, year, notes_counter.last_number + offset
            )
            updates.append(
                {
                    "_id": note.id,
                    "status": InvoiceStatus.ISSUED,
                    "number": note.number,
                    "paid_cents": 0,
                    "pdf_state": PdfState.PENDING,
                    "issued_at": now,
                    "modified_at": now,
                }
            )
            # What was billed too much is money the household need not pay: a credit, used
            # at once on what it still owes, oldest first.
            credit_payments.append(
                Payment(
                    tenant_id=tenant_id,
                    household_id=note.household_id,
                    mode=PaymentMode.CREDIT_NOTE,
                    amount_cents=-note.total_cents,
                    received_on=run.issue_date,
                    reference=note.number,
                    credit_note_id=note.id,
                    recorded_by=run.created_by,
                )
            )
        for offset, invoice in enumerate(to_issue, start=1):
            paid = 0
            for payment_id, available in credits.get(invoice.household_id, []):
                share = min(available, invoice.total_cents - paid)
                if share <= 0:
                    break
                paid += share
                allocations.append(
                    {
                        "id": new_id(),
                        "tenant_id": tenant_id,
                        "payment_id": payment_id,
                        "invoice_id": invoice.id,
                        "amount_cents": share,
                        "created_at": now,
                    }
                )
            invoice.number = invoice_number(
                profile.invoice_prefix, year, counter.last_number + offset
            )
            invoice.paid_cents = paid
            updates.append(
                {
                    "_id": invoice.id,
                    "status": InvoiceStatus.ISSUED,
                    "number": invoice.number,
                    "paid_cents": paid,
                    "pdf_state": PdfState.PENDING,
                    "issued_at": now,
                    "modified_at": now,
                }
            )
        if notes_counter is not None:
            notes_counter.last_number += len(to_credit)
            self.session.add(notes_counter)
        counter.last_number += len(to_issue)
        self.session.add(counter)
        await self.session.flush()
        # The ORM copies of the invoices are not written back: the bulk statements below are
        # the truth (and an issued row refuses a second write of its number).
        self.session.expunge_all()
        await self.invoices.update_many(updates)
        await self.invoices.update_many(
            [
                {"_id": inv.id, "status": InvoiceStatus.CARRIED_OVER, "modified_at": now}
                for inv in to_carry
            ]
        )
        carried_into = [
            {"_id": UUID(old), "carried_into_id": inv.id, "modified_at": now}
            for inv in [*to_issue, *to_carry]
            for old in inv.carried_from
        ]
        await self.invoices.update_many(carried_into)
        await self.invoices.add_allocations(allocations)
        await self._use_credit_notes(tenant_id, credit_payments)

        deltas: dict[UUID, int] = defaultdict(int)
        for invoice in [*to_issue, *to_credit]:
            deltas[invoice.household_id] += invoice.total_cents
        await ledger.apply(tenant_id, dict(deltas))
        online = await self.profiles.online_enabled(tenant_id, ProviderPurpose.INVOICES)
        await record_events(
            self.session,
            events,
            [(issued_event(inv, online), inv.household_id) for inv in [*to_issue, *to_credit]],
            tenant_id=tenant_id,
        )
        run = await self._run(tenant_id, run_id)
        run.status = RunStatus.ISSUED
        run.issued_at = now
        await self.runs.add(run)
        return self._out(run, len(to_issue) + len(to_credit))

    async def _use_credit_notes(self, tenant_id: UUID, credits: list[Payment]) -> None:
        """Each corrective credit note's amount pays the household's unpaid invoices, oldest
        first (the accounts are locked); what is left stays a credit."""
        payments = PaymentRepository(self.session)
        for credit in credits:
            await payments.add(credit)
            open_invoices = await self.invoices.of_household(
                tenant_id, credit.household_id, unpaid_only=True
            )
            locked = await self.invoices.lock_invoices(tenant_id, [i.id for i in open_invoices])
            by_id = {inv.id: inv for inv in locked}
            dues = [
                (inv.id, by_id[inv.id].total_cents - by_id[inv.id].paid_cents)
                for inv in open_invoices
                if inv.id in by_id
            ]
            for invoice_id, share in allocate(credit.amount_cents, dues):
                await payments.allocate(tenant_id, credit.id, invoice_id, share)
                await self.invoices.update_many(
                    [
                        {
                            "_id": invoice_id,
                            "paid_cents": by_id[invoice_id].paid_cents + share,
                            "modified_at": utcnow(),
                        }
                    ]
                )


def issued_event(invoice: Invoice, online: bool) -> InvoiceIssued:
    assert invoice.number is not None
    due = max(invoice.total_cents - invoice.paid_cents, 0)
    return InvoiceIssued(
        household_id=invoice.household_id,
        invoice_id=invoice.id,
        number=invoice.number,
        kind=invoice.kind,
        family_number=invoice.family_number,
        amount_cents=invoice.total_cents,
        amount_due_cents=due,
        issue_date=invoice.issue_date,
        due_date=invoice.due_date,
        online_payment_until=invoice.online_payment_until,
        period_start=invoice.period_start,
        period_end=invoice.period_end,
        period_label=month_label(invoice.period_start)
        if (invoice.period_start.year, invoice.period_start.month)
        == (invoice.period_end.year, invoice.period_end.month)
        else f"du {invoice.period_start:%d/%m/%Y} au {invoice.period_end:%d/%m/%Y}",
        payable_online=online
        and due > 0
        and invoice.kind == InvoiceKind.INVOICE
        and not invoice.direct_debit,
        direct_debit=invoice.direct_debit,
    )


class InvoiceService:
    """Invoices as a household (or staff) reads them; credit notes."""

    def __init__(self, session: WriteSession) -> None:
        self.session = session
        self.invoices = InvoiceRepository(session)
        self.payments = PaymentRepository(session)
        self.profiles = ProfileService(session)

    async def of_household(self, tenant_id: UUID, household_id: UUID) -> list[InvoiceOut]:
        online = await self.profiles.online_enabled(tenant_id, ProviderPurpose.INVOICES)
        today = local_today()
        return [
            invoice_out(inv, online=online, today=today)
            for inv in reversed(await self.invoices.of_household(tenant_id, household_id))
        ]

    async def invoice(self, tenant_id: UUID, invoice_id: UUID) -> Invoice:
        invoice = await self.invoices.get(tenant_id, invoice_id)
        if invoice is None or invoice.status == InvoiceStatus.CARRIED_OVER:
            raise NotFound("Cette facture n'existe pas.")
        return invoice

    async def detail(self, invoice: Invoice) -> InvoiceDetail:
        online = await self.profiles.online_enabled(invoice.tenant_id, ProviderPurpose.INVOICES)
        lines = await self.invoices.lines_of([invoice.id])
        allocations = await self.invoices.allocations_of([invoice.id])
        payments = {
            p.id: p for p in await self.payments.by_ids([a.payment_id for a in allocations])
        }
        return InvoiceDetail(
            **invoice_out(invoice, online=online).model_dump(),
            lines=[line_out(line) for line in lines],
            allocations=[
                AllocationOut(
                    payment_id=a.payment_id,
                    amount_cents=a.amount_cents,
                    mode=payments[a.payment_id].mode,
                    received_on=payments[a.payment_id].received_on,
                )
                for a in allocations
                if a.payment_id in payments
            ],
        )

    async def credit_note(
        self, tenant_id: UUID, invoice_id: UUID, data: CreditNoteIn, actor: str
    ) -> InvoiceOut:
        """An issued credit note (numbered with the credit-note prefix) reversing the whole
        invoice or some of its lines; its amount is used at once on what the invoice still
        owes, the rest becomes the household's credit."""
        original = await self.invoice(tenant_id, invoice_id)
        if original.status != InvoiceStatus.ISSUED or original.kind != InvoiceKind.INVOICE:
            raise RunConflict("Un avoir porte sur une facture émise.")
        profile = await self.profiles.profile(tenant_id)
        today = local_today()
        # Counter first, then the account: the order every writer follows.
        counter = await self.invoices.lock_counter(
            tenant_id, profile.credit_note_prefix, today.year
        )
        ledger = Ledger(self.session)
        await ledger.lock([original.household_id])
        lines = await self.invoices.lines_of([original.id])
        already = await self.payments.credit_notes_total(original.id)
        by_position = {line.position: line for line in lines}
        reversed_lines: list[DraftLine] = []
        if data.lines is None:
            chosen = [(line, line.quantity) for line in lines]
        else:
            chosen = []
            for item in data.lines:
                line = by_position.get(item.line_position)
                if line is None:
                    raise RunConflict(f"La facture n'a pas de ligne {item.line_position}.")
                if item.quantity > line.quantity:
                    raise RunConflict(
                        f"La ligne {item.line_position} n'a que {line.quantity} unité(s)."
                    )
                chosen.append((line, item.quantity))
        for line, quantity in chosen:
            reversed_lines.append(
                DraftLine(
                    child_id=line.child_id,
                    child_name=line.child_name,
                    activity_id=line.activity_id,
                    activity_name=line.activity_name,
                    tariff_id=line.tariff_id,
                    rule=f"Avoir sur la facture {original.number} : {line.rule}",
                    bracket=line.bracket,
                    fiscal_share=line.fiscal_share,
                    unit_price=line.unit_price,
                    quantity=-quantity,
                    days=[],
                    kind=LineKind.CORRECTION,
                    fixed_amount_cents=(
                        -line.amount_cents
                        if quantity == line.quantity
                        else -line_cents(quantity, line.unit_price)
                    ),
                )
            )
        total = sum(line.amount_cents for line in reversed_lines)
        if total == 0:
            raise RunConflict("Cet avoir serait nul.")
        if already - total > original.total_cents:  # total < 0; already > 0
            raise RunConflict("Les avoirs dépasseraient le montant de la facture.")
        counter.last_number += 1
        self.session.add(counter)
        now = utcnow()
        note = Invoice(
            tenant_id=tenant_id,
            household_id=original.household_id,
            run_id=None,
            kind=InvoiceKind.CREDIT_NOTE,
            status=InvoiceStatus.ISSUED,
            number=invoice_number(profile.credit_note_prefix, today.year, counter.last_number),
            family_number=original.family_number,
            household_name=original.household_name,
            period_start=original.period_start,
            period_end=original.period_end,
            issue_date=today,
            due_date=today,
            online_payment_until=today,
            total_cents=total,
            corrects_invoice_id=original.id,
            reason=data.reason,
            pdf_state=PdfState.PENDING,
            issued_at=now,
        )
        await self.invoices.add(note)
        await self.invoices.insert(
            [],
            [_line_row(tenant_id, note.id, pos, line) for pos, line in enumerate(reversed_lines)],
        )
        # The credit note's amount is money the household need not pay: used first on the
        # invoice it corrects, the rest stays a credit.
        credit = Payment(
            tenant_id=tenant_id,
            household_id=original.household_id,
            mode=PaymentMode.CREDIT_NOTE,
            amount_cents=-total,
            received_on=today,
            reference=note.number,
            credit_note_id=note.id,
            recorded_by=actor,
        )
        await self.payments.add(credit)
        [locked] = await self.invoices.lock_invoices(tenant_id, [original.id])
        shares = allocate(-total, [(locked.id, locked.total_cents - locked.paid_cents)])
        for target, share in shares:
            await self.payments.allocate(tenant_id, credit.id, target, share)
            locked.paid_cents += share
        self.session.add(locked)
        await self.session.flush()
        await record_events(
            self.session,
            events,
            [(issued_event(note, False), note.household_id)],
            tenant_id=tenant_id,
        )
        # Balance = invoices - money received: the credit note counts through its credit.
        await ledger.apply(tenant_id, {original.household_id: total})
        return invoice_out(note, online=False)
