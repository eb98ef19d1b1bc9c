"""Payments: online through a provider (exactly once), at the counter, refunds.

Exactly once, whatever arrives twice or at once (duplicate notifications, replays, the payer's
return racing the notification, the reconciliation job): every state change of a transaction
happens under its row lock; a change to the state it already has is a no-op; a payment row is
unique per transaction. Lock order everywhere: transaction, numbering counter, account,
invoices, basket.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from marelle_billing.access import check_household
from marelle_billing.accounts.ledger import Ledger
from marelle_billing.errors import (
    AlreadyPaid,
    CesuRefused,
    NothingToRefund,
    NotificationRefused,
    OnlinePaymentUnavailable,
    PaymentRefused,
    ProviderUnreachable,
)
from marelle_billing.invoicing.repository import InvoiceRepository
from marelle_billing.models import (
    FINAL_TRANSACTION_STATES,
    Invoice,
    InvoiceChannel,
    InvoiceKind,
    InvoiceStatus,
    Payment,
    PaymentIncident,
    PaymentMode,
    PaymentTransaction,
    ProviderPurpose,
    Refund,
    TransactionState,
    events,
)
from marelle_billing.money import cents_to_decimal, decimal_to_cents, euros
from marelle_billing.payments.allocation import allocate
from marelle_billing.payments.cesu import CesuLine, eligible_cents
from marelle_billing.payments.providers import OnlineProvider, ProviderError, ProviderResult
from marelle_billing.payments.repository import PaymentRepository, TransactionRepository
from marelle_billing.payments.schemas import (
    AllocationShare,
    CounterPaymentIn,
    FormField,
    OnlinePaymentIn,
    OnlinePaymentOut,
    PaymentOut,
    RefundIn,
    RefundOut,
    TransactionOut,
)
from marelle_billing.profile.service import ProfileService
from marelle_billing.readmodels.repository import ReadModelRepository
from marelle_billing.settings import BillingSettings
from marelle_contracts import PaymentFailed, PaymentReceived
from marelle_kit.clock import utcnow
from marelle_kit.database import Database, WriteSession
from marelle_kit.errors import NotFound
from marelle_kit.events import record_events
from marelle_kit.localtime import local_today
from marelle_kit.security import Principal
from marelle_kit.settings import Mode

log = logging.getLogger(__name__)

PAYFIP_MIN, PAYFIP_MAX = 100, 10_000_000


class IncidentLog:
    """Refused attempts, kept even though the refused request rolls back (own transaction)."""

    def __init__(self, database: Database) -> None:
        self.database = database

    async def record(
        self,
        tenant_id: UUID | None,
        kind: str,
        detail: str,
        *,
        transaction_id: UUID | None = None,
        subject: str | None = None,
        remote_addr: str | None = None,
    ) -> None:
        log.warning(
            "payment refused: %s tenant=%s transaction=%s subject=%s from=%s: %s",
            kind,
            tenant_id,
            transaction_id,
            subject,
            remote_addr,
            detail,
        )
        async with self.database.transaction() as session:
            session.add(
                PaymentIncident(
                    tenant_id=tenant_id,
                    transaction_id=transaction_id,
                    kind=kind,
                    detail=detail[:1000],
                    subject=subject,
                    remote_addr=remote_addr,
                )
            )


def transaction_out(transaction: PaymentTransaction) -> TransactionOut:
    return TransactionOut(
        id=transaction.id,
        household_id=transaction.household_id,
        state=transaction.state,
        amount_cents=transaction.amount_cents,
        backend=transaction.backend,
        invoice_ids=[UUID(t["invoice_id"]) for t in transaction.targets or []],
        basket_id=transaction.basket_id,
        payment_id=transaction.payment_id,
        bank_status=transaction.bank_status,
        created_at=transaction.created_at,
        modified_at=transaction.modified_at,
    )


def dummy_allowed(settings: BillingSettings) -> bool:
    return settings.platform.mode is Mode.EMBEDDED or settings.dummy_signing_key is not None


class PaymentService:
    def __init__(
        self, session: WriteSession, settings: BillingSettings, incidents: IncidentLog
    ) -> None:
        self.session = session
        self.settings = settings
        self.incidents = incidents
        self.payments = PaymentRepository(session)
        self.transactions = TransactionRepository(session)
        self.invoices = InvoiceRepository(session)
        self.profiles = ProfileService(session)
        self.facts = ReadModelRepository(session)
        self.ledger = Ledger(session)

    # --- providers --------------------------------------------------------------------------
    def dummy_key(self) -> str:
        from marelle_billing.profile.secrets import secrets_key

        if self.settings.dummy_signing_key:
            return self.settings.dummy_signing_key
        key = secrets_key(self.settings)  # embedded mode: derived from the local key
        return key.decode() if key else ""

    async def provider_for(
        self, tenant_id: UUID, purpose: str, transaction_id: UUID, backend: str | None = None
    ) -> OnlineProvider:
        config = await self.profiles.provider_config(tenant_id, purpose, self.settings)
        if config is None or (backend is not None and config[0] != backend):
            raise OnlinePaymentUnavailable("Le paiement en ligne n'est pas ouvert pour la commune.")
        name, options = config
        if name == "dummy" and not dummy_allowed(self.settings):
            raise OnlinePaymentUnavailable("Le prestataire de test n'est pas permis ici.")
        base = self.settings.billing_url(await self.tenant_slug(tenant_id))
        return OnlineProvider(
            name,
            options,
            return_url=f"{base}/payments/transactions/{transaction_id}/return",
            notification_url=f"{base}/payments/notify/{transaction_id}",
            simulator_url=f"{base}/payments/dummy-bank/{transaction_id}",
            dummy_key=self.dummy_key(),
        )

    async def tenant_slug(self, tenant_id: UUID) -> str:
        return await self.facts.tenant_slug(tenant_id) or ""

    # --- starting an online payment -------------------------------------------------------
    async def start_online(
        self, tenant_id: UUID, principal: Principal, data: OnlinePaymentIn
    ) -> OnlinePaymentOut:
        check_household(principal, data.household_id)
        # Read, not locked: nothing is held while the provider is called; the amounts are
        # applied at settlement under the locks (a payment meanwhile leaves a credit).
        invoices = await self.invoices.by_ids(tenant_id, data.invoice_ids)
        found = {inv.id: inv for inv in invoices}
        foreign = [
            i
            for i in data.invoice_ids
            if i not in found or found[i].household_id != data.household_id
        ]
        if foreign:
            await self.incidents.record(
                tenant_id,
                "foreign-invoice",
                f"paiement demandé pour des factures d'un autre foyer : {foreign}",
                subject=principal.subject,
            )
            raise NotFound("Cette facture n'existe pas.")
        today = local_today()
        targets: list[dict[str, Any]] = []
        for invoice_id in dict.fromkeys(data.invoice_ids):
            invoice = found[invoice_id]
            due = invoice.total_cents - invoice.paid_cents
            if invoice.status != InvoiceStatus.ISSUED or invoice.kind != InvoiceKind.INVOICE:
                raise NotFound("Cette facture n'existe pas.")
            if due <= 0:
                raise AlreadyPaid(f"La facture {invoice.number} est déjà payée.")
            if invoice.direct_debit or invoice.channel != InvoiceChannel.OFFICE:
                raise PaymentRefused(
                    f"La facture {invoice.number} ne se paie pas en ligne (prélèvement ou "
                    "Trésor public)."
                )
            if today > invoice.online_payment_until:
                raise PaymentRefused(
                    f"Le paiement en ligne de la facture {invoice.number} a fermé le "
                    f"{invoice.online_payment_until:%d/%m/%Y}."
                )
            targets.append(
                {"invoice_id": str(invoice.id), "amount_cents": due, "number": invoice.number}
            )
        amount = sum(t["amount_cents"] for t in targets)
        if data.expected_amount is not None and decimal_to_cents(data.expected_amount) != amount:
            await self.incidents.record(
                tenant_id,
                "amount-mismatch",
                f"montant attendu {data.expected_amount} ≠ dû {cents_to_decimal(amount)}",
                subject=principal.subject,
            )
            raise PaymentRefused(
                f"Le montant à payer est {euros(amount, cents=True)} : rechargez la page."
            )
        numbers = ", ".join(t["number"] for t in targets)
        return await self._start(
            tenant_id,
            data.household_id,
            ProviderPurpose.INVOICES,
            amount,
            targets,
            subject=f"Factures {numbers}"[:100],
            email=data.email,
            year=min(found[UUID(t["invoice_id"])].issue_date.year for t in targets),
        )

    async def _start(
        self,
        tenant_id: UUID,
        household_id: UUID,
        purpose: str,
        amount_cents: int,
        targets: list[dict[str, Any]],
        *,
        subject: str,
        email: str | None,
        year: int,
        basket_id: UUID | None = None,
    ) -> OnlinePaymentOut:
        transaction = PaymentTransaction(
            tenant_id=tenant_id,
            household_id=household_id,
            purpose=purpose,
            backend="",
            amount_cents=amount_cents,
            targets=targets,
            basket_id=basket_id,
        )
        provider = await self.provider_for(tenant_id, purpose, transaction.id)
        transaction.backend = provider.backend
        if email is None:
            guardians = await self.facts.guardians_of(tenant_id, household_id)
            email = next((g.email for g in guardians if g.email), None)
        transaction.payer_email = email
        if provider.backend == "payfip_ws" and not PAYFIP_MIN <= amount_cents <= PAYFIP_MAX:
            raise PaymentRefused("PayFiP accepte les paiements de 1 € à 100 000 €.")
        await self.transactions.add(transaction)
        try:
            request = await provider.request(
                cents_to_decimal(amount_cents),
                transaction_id=transaction.id.hex,
                email=email,
                subject=subject,
                year=year,
            )
        except ProviderError as exc:
            log.warning("payment provider %s refused or unreachable: %s", provider.backend, exc)
            raise ProviderUnreachable(
                "Le prestataire de paiement ne répond pas : réessayez dans quelques minutes."
            ) from exc
        transaction.provider_transaction_id = request.provider_transaction_id
        transaction.state = TransactionState.RUNNING
        await self.transactions.add(transaction)
        return OnlinePaymentOut(
            transaction_id=transaction.id,
            amount_cents=amount_cents,
            kind=request.kind,
            url=request.url,
            form_action=request.form_action,
            form_method=request.form_method,
            form_fields=[FormField(**f) for f in request.form_fields],
        )

    async def transaction(
        self, tenant_id: UUID, principal: Principal, transaction_id: UUID
    ) -> TransactionOut:
        transaction = await self.transactions.get(tenant_id, transaction_id)
        if transaction is None:
            raise NotFound("Ce paiement n'existe pas.")
        check_household(principal, transaction.household_id)
        return transaction_out(transaction)

    # --- the provider's word ----------------------------------------------------------------
    async def notify(
        self,
        transaction_id: UUID,
        tenant_hint: UUID | None,
        query_string: str,
        *,
        remote_addr: str | None,
        source: str = "notification",
    ) -> tuple[TransactionState, str | None]:
        """A provider's notification (or the payer's return): checked, then applied once.
        Returns the state after it and what the provider expects as an answer."""
        transaction = await self.transactions.find(transaction_id)
        if transaction is None:
            await self.incidents.record(
                tenant_hint,
                "unknown-transaction",
                f"{source} pour une transaction inconnue",
                transaction_id=transaction_id,
                remote_addr=remote_addr,
            )
            raise NotFound("Ce paiement n'existe pas.")
        if tenant_hint is not None and tenant_hint != transaction.tenant_id:
            await self.incidents.record(
                transaction.tenant_id,
                "cross-tenant",
                f"{source} relayée pour la structure {tenant_hint}",
                transaction_id=transaction_id,
                remote_addr=remote_addr,
            )
            raise NotFound("Ce paiement n'existe pas.")
        provider = await self.provider_for(
            transaction.tenant_id, transaction.purpose, transaction.id, transaction.backend
        )
        try:
            if provider.backend == "payfip_ws":
                # PayFiP: the notification only says "ask me"; the result comes server to server.
                assert transaction.provider_transaction_id is not None
                result = await provider.status(
                    transaction.provider_transaction_id, transaction.created_at
                )
                assert result is not None
            else:
                result = await provider.response(query_string)
        except ProviderError as exc:
            await self.incidents.record(
                transaction.tenant_id,
                "unreadable-notification",
                f"{source} illisible : {exc}",
                transaction_id=transaction.id,
                remote_addr=remote_addr,
            )
            raise NotificationRefused("Notification illisible.") from exc
        await self.check_result(transaction, result, source=source, remote_addr=remote_addr)
        state = await self.settle(transaction.id, result)
        return state, result.return_content

    async def check_result(
        self,
        transaction: PaymentTransaction,
        result: ProviderResult,
        *,
        source: str,
        remote_addr: str | None,
    ) -> None:
        problem: tuple[str, str] | None = None
        if not result.signed:
            problem = ("bad-signature", f"{source} non signée ou signature fausse")
        elif (
            result.provider_transaction_id is not None
            and transaction.provider_transaction_id is not None
            and result.provider_transaction_id != transaction.provider_transaction_id
        ):
            problem = (
                "transaction-mismatch",
                f"{source} pour la transaction {result.provider_transaction_id} du prestataire",
            )
        elif result.amount_cents is not None and result.amount_cents != transaction.amount_cents:
            problem = (
                "tampered-amount",
                f"{source} pour {result.amount_cents} centimes, transaction de "
                f"{transaction.amount_cents}",
            )
        if problem is not None:
            await self.incidents.record(
                transaction.tenant_id,
                problem[0],
                problem[1],
                transaction_id=transaction.id,
                remote_addr=remote_addr,
            )
            raise NotificationRefused("Notification refusée.")

    async def settle(self, transaction_id: UUID, result: ProviderResult) -> TransactionState:
        """Apply the provider's result under the transaction's row lock: once."""
        transaction = await self.transactions.lock(transaction_id)
        assert transaction is not None
        new_state = result.state
        current = TransactionState(transaction.state)
        transaction.last_polled_at = utcnow()
        # Money taken is recorded even after we gave up on it (expired, cancelled, error):
        # it becomes what it paid for, or a credit. Nothing else moves a settled state.
        late_money = new_state == TransactionState.PAID and current != TransactionState.PAID
        if not late_money and (new_state == current or current in FINAL_TRANSACTION_STATES):
            if current in FINAL_TRANSACTION_STATES and new_state != current:
                log.warning(
                    "transaction %s is %s; the provider now says %s: kept as it is",
                    transaction.id,
                    current,
                    new_state,
                )
            self.session.add(transaction)
            return current  # unchanged: nothing happens twice
        transaction.state = new_state
        transaction.bank_status = result.bank_status or transaction.bank_status
        self.session.add(transaction)
        if new_state == TransactionState.PAID:
            payment = await self._paid(transaction)
            transaction.payment_id = payment.id
        elif new_state in FINAL_TRANSACTION_STATES or new_state == TransactionState.ERROR:
            await record_events(
                self.session,
                events,
                [
                    (
                        PaymentFailed(
                            household_id=transaction.household_id,
                            transaction_id=transaction.id,
                            amount_cents=transaction.amount_cents,
                            state=new_state,
                            reason=transaction.bank_status,
                            invoice_numbers=[
                                t["number"] for t in transaction.targets or [] if t.get("number")
                            ],
                        ),
                        transaction.household_id,
                    )
                ],
                tenant_id=transaction.tenant_id,
            )
            if transaction.basket_id is not None:
                from marelle_billing.baskets.service import BasketService

                await BasketService(self.session, self.settings, self.incidents).payment_failed(
                    transaction
                )
        await self.session.flush()
        return new_state

    async def _paid(self, transaction: PaymentTransaction) -> Payment:
        mode = PaymentMode.BASKET if transaction.basket_id else PaymentMode.ONLINE
        chosen = [UUID(t["invoice_id"]) for t in transaction.targets or []]
        payment, _shares = await self.receive(
            transaction.tenant_id,
            transaction.household_id,
            transaction.amount_cents,
            mode,
            chosen=chosen,
            to_invoices=transaction.basket_id is None,
            received_on=local_today(),
            reference=transaction.provider_transaction_id,
            payer=None,
            actor="online",
            transaction=transaction,
        )
        if transaction.basket_id is not None:
            from marelle_billing.baskets.service import BasketService

            await BasketService(self.session, self.settings, self.incidents).paid(
                transaction, payment
            )
        return payment

    # --- money received ---------------------------------------------------------------------
    async def receive(
        self,
        tenant_id: UUID,
        household_id: UUID,
        amount_cents: int,
        mode: str,
        *,
        chosen: Sequence[UUID] | None,
        received_on: date,
        reference: str | None,
        payer: str | None,
        actor: str,
        transaction: PaymentTransaction | None = None,
        receipt_prefix: str | None = None,
        to_invoices: bool = True,
    ) -> tuple[Payment, list[tuple[Invoice, int]]]:
        """Record money received and allocate it (chosen invoices, or oldest first; CESU only
        to what it may pay); the rest is a credit. Balance and facts follow."""
        receipt_number = None
        if receipt_prefix is not None:
            from marelle_billing.invoicing.service import invoice_number

            # Counter first, then the account: the order every writer follows.
            today = local_today()
            counter = await self.invoices.lock_counter(tenant_id, receipt_prefix, today.year)
            counter.last_number += 1
            self.session.add(counter)
            receipt_number = invoice_number(receipt_prefix, today.year, counter.last_number)
        balances = await self.ledger.lock([household_id])
        if household_id not in balances:
            raise NotFound("Ce foyer n'a pas de compte de facturation.")
        open_invoices = await self.invoices.of_household(tenant_id, household_id, unpaid_only=True)
        locked = {
            inv.id: inv
            for inv in await self.invoices.lock_invoices(tenant_id, [i.id for i in open_invoices])
        }
        dues = [
            (inv.id, locked[inv.id].total_cents - locked[inv.id].paid_cents)
            for inv in open_invoices
            if inv.id in locked
        ]
        if mode == PaymentMode.CESU:
            dues = await self._cesu_dues(tenant_id, dues)
            if sum(d for _, d in dues if chosen is None or _ in chosen) < amount_cents:
                raise CesuRefused(
                    "Les CESU ne paient que l'accueil périscolaire et le centre de loisirs des "
                    f"moins de 6 ans (jamais les repas) : au plus "
                    f"{euros(sum(d for _, d in dues), cents=True)} ici."
                )
        shares = allocate(amount_cents, dues, chosen if chosen else None) if to_invoices else []
        payment = Payment(
            tenant_id=tenant_id,
            household_id=household_id,
            mode=mode,
            amount_cents=amount_cents,
            received_on=received_on,
            reference=reference,
            payer=payer,
            transaction_id=transaction.id if transaction is not None else None,
            receipt_number=receipt_number,
            recorded_by=actor,
        )
        await self.payments.add(payment)
        paid: list[tuple[Invoice, int]] = []
        for invoice_id, share in shares:
            invoice = locked[invoice_id]
            await self.payments.allocate(tenant_id, payment.id, invoice_id, share)
            invoice.paid_cents += share
            self.session.add(invoice)
            paid.append((invoice, share))
        await self.session.flush()
        await self.ledger.apply(tenant_id, {household_id: -amount_cents})
        await record_events(
            self.session,
            events,
            [
                (
                    PaymentReceived(
                        household_id=household_id,
                        payment_id=payment.id,
                        amount_cents=amount_cents,
                        mode=mode,
                        received_on=received_on,
                        invoice_numbers=[inv.number for inv, _ in paid if inv.number],
                        credit_cents=amount_cents - sum(share for _, share in paid),
                        receipt_number=receipt_number,
                        transaction_id=transaction.id if transaction is not None else None,
                        payer_email=transaction.payer_email if transaction is not None else None,
                    ),
                    household_id,
                )
            ],
            tenant_id=tenant_id,
        )
        return payment, paid

    async def _cesu_dues(
        self, tenant_id: UUID, dues: list[tuple[UUID, int]]
    ) -> list[tuple[UUID, int]]:
        profile = await self.profiles.profile(tenant_id)
        if not profile.cesu_accepted:
            raise CesuRefused("La commune n'accepte pas les CESU.")
        lines = await self.invoices.lines_of([invoice_id for invoice_id, _ in dues])
        activities = {a.id: a for a in await self.facts.activities(tenant_id)}
        births: dict[UUID, date] = {}
        for line in lines:
            if line.child_id is not None and line.child_id not in births:
                child = await self.facts.child(line.child_id)
                if child is not None:
                    births[line.child_id] = child.birth_date
        eligible: dict[UUID, list[CesuLine]] = {}
        for line in lines:
            activity = activities.get(line.activity_id) if line.activity_id else None
            first_day = date.fromisoformat(line.days[0][0]) if line.days else None
            eligible.setdefault(line.invoice_id, []).append(
                CesuLine(
                    activity_kind=activity.kind if activity else "other",
                    fiscal_share=line.fiscal_share,
                    birth_date=births.get(line.child_id) if line.child_id else None,
                    service_day=first_day,
                    amount_cents=line.amount_cents,
                )
            )
        already = await self.payments.allocated_by_mode(
            [invoice_id for invoice_id, _ in dues], PaymentMode.CESU
        )
        return [
            (
                invoice_id,
                max(
                    min(
                        due,
                        eligible_cents(eligible.get(invoice_id, [])) - already.get(invoice_id, 0),
                    ),
                    0,
                ),
            )
            for invoice_id, due in dues
        ]

    async def counter_payment(
        self, tenant_id: UUID, data: CounterPaymentIn, actor: str
    ) -> PaymentOut:
        profile = await self.profiles.profile(tenant_id)
        if data.invoice_ids:
            invoices = await self.invoices.lock_invoices(tenant_id, data.invoice_ids)
            if len(invoices) != len(set(data.invoice_ids)) or any(
                inv.household_id != data.household_id for inv in invoices
            ):
                raise NotFound("Une de ces factures n'existe pas pour ce foyer.")
        payment, shares = await self.receive(
            tenant_id,
            data.household_id,
            decimal_to_cents(data.amount),
            data.mode,
            chosen=data.invoice_ids,
            received_on=data.received_on or local_today(),
            reference=data.reference,
            payer=data.payer,
            actor=actor,
            receipt_prefix=profile.receipt_prefix,
        )
        return payment_out(payment, shares)

    async def payment(self, tenant_id: UUID, principal: Principal, payment_id: UUID) -> PaymentOut:
        payment = await self.payments.get(tenant_id, payment_id)
        if payment is None:
            raise NotFound("Ce paiement n'existe pas.")
        check_household(principal, payment.household_id)
        allocations = await self.payments.allocations_of_payment(payment.id)
        invoices = {
            inv.id: inv
            for inv in await self.invoices.by_ids(tenant_id, [a.invoice_id for a in allocations])
        }
        return payment_out(
            payment,
            [
                (invoices[a.invoice_id], a.amount_cents)
                for a in allocations
                if a.invoice_id in invoices
            ],
        )

    async def refund(self, tenant_id: UUID, data: RefundIn, actor: str) -> RefundOut:
        """Pay back a credit balance (only what the household has in credit)."""
        balances = await self.ledger.lock([data.household_id])
        if data.household_id not in balances:
            raise NotFound("Ce foyer n'a pas de compte de facturation.")
        amount = decimal_to_cents(data.amount)
        credits = await self.invoices.credits(tenant_id, [data.household_id])
        available = sum(left for _, left in credits.get(data.household_id, []))
        if amount > available:
            raise NothingToRefund(
                f"Le foyer n'a que {euros(available, cents=True)} de crédit à rembourser."
            )
        refund = Refund(
            tenant_id=tenant_id,
            household_id=data.household_id,
            amount_cents=amount,
            mode=data.mode,
            refunded_on=data.refunded_on or local_today(),
            reference=data.reference,
            recorded_by=actor,
        )
        await self.payments.add_refund(refund)
        await self.ledger.apply(tenant_id, {data.household_id: amount})
        return RefundOut(
            id=refund.id,
            household_id=refund.household_id,
            amount_cents=refund.amount_cents,
            mode=refund.mode,
            refunded_on=refund.refunded_on,
            reference=refund.reference,
        )

    # --- reconciliation ---------------------------------------------------------------------
    async def reconcile_one(self, transaction: PaymentTransaction) -> TransactionState:
        """Ask the provider about a transaction left running; without a way to ask, a
        transaction silent for a day is expired."""
        provider = await self.provider_for(
            transaction.tenant_id, transaction.purpose, transaction.id, transaction.backend
        )
        result: ProviderResult | None = None
        if provider.pollable and transaction.provider_transaction_id:
            result = await provider.status(
                transaction.provider_transaction_id, transaction.created_at
            )
        if result is None:
            if utcnow() - transaction.created_at < timedelta(days=1):
                locked = await self.transactions.lock(transaction.id)
                assert locked is not None
                locked.last_polled_at = utcnow()
                self.session.add(locked)
                return TransactionState(locked.state)
            result = ProviderResult(
                state=TransactionState.EXPIRED,
                signed=True,
                provider_transaction_id=None,
                amount_cents=None,
                bank_status="sans nouvelle du prestataire depuis un jour",
                return_content=None,
                test=False,
            )
        return await self.settle(transaction.id, result)


def payment_out(payment: Payment, shares: list[tuple[Invoice, int]]) -> PaymentOut:
    allocated = sum(share for _, share in shares)
    return PaymentOut(
        id=payment.id,
        household_id=payment.household_id,
        mode=payment.mode,
        amount_cents=payment.amount_cents,
        received_on=payment.received_on,
        reference=payment.reference,
        payer=payment.payer,
        receipt_number=payment.receipt_number,
        receipt_url=f"/payments/{payment.id}/receipt" if payment.receipt_number else None,
        allocations=[
            AllocationShare(invoice_id=inv.id, number=inv.number, amount_cents=share)
            for inv, share in shares
        ],
        credit_cents=payment.amount_cents - allocated,
    )
