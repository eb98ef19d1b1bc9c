from __future__ import annotations

from datetime import date
from uuid import UUID

from marelle_billing import catalogue
from marelle_billing.access import may_read_household
from marelle_billing.accounts.repository import AccountRepository
from marelle_billing.accounts.schemas import AccountPatch, StatementEntry, StatementOut
from marelle_billing.models import BillingAccount, InvoiceKind, PaymentMode
from marelle_kit import roles
from marelle_kit.database import ReadSession
from marelle_kit.errors import NotFound
from marelle_kit.security import Principal

# Who reads a household's billing account besides its parents (the billing office, the
# town's office staff, and read-only staff for the statement they are asked about).
ACCOUNT_READERS = roles.OFFICE | roles.BILLING_OFFICE | roles.RECORD_READERS


class AccountService:
    """Built on a read session it only reads (``get_for``, ``list``)."""

    def __init__(self, session: ReadSession) -> None:
        self.session = session
        self.accounts = AccountRepository(session)

    async def open_for_household(
        self, tenant_id: UUID, household_id: UUID, family_number: str, name: str
    ) -> None:
        if await self.accounts.by_household(household_id) is not None:
            return  # already open: the household fact was applied before
        await self.accounts.add(
            BillingAccount(
                id=household_id, tenant_id=tenant_id, family_number=family_number, name=name
            )
        )

    async def quotient_changed(
        self, household_id: UUID, quotient: int | None, valid_until: date | None
    ) -> None:
        account = await self.accounts.by_household(household_id)
        if account is None:
            return  # the household fact comes first on the same key; nothing to update
        account.quotient = quotient
        account.quotient_valid_until = valid_until
        await self.accounts.save(account)

    async def household_erased(self, household_id: UUID) -> None:
        """RGPD erasure: the account keeps its family number and amounts, not the names."""
        account = await self.accounts.by_household(household_id)
        if account is None:
            return
        account.name = catalogue.ERASED_HOUSEHOLD
        account.quotient = None
        account.quotient_valid_until = None
        await self.accounts.save(account)

    async def get_for(
        self, principal: Principal, tenant_id: UUID, account_id: UUID
    ) -> BillingAccount:
        account = await self.accounts.get(tenant_id, account_id)
        if account is None or not may_read_household(principal, account.id):
            raise NotFound(catalogue.ACCOUNT_NOT_FOUND)
        return account

    async def list(self, tenant_id: UUID, *, limit: int, offset: int) -> list[BillingAccount]:
        return await self.accounts.of_tenant(tenant_id, limit=limit, offset=offset)

    async def set_category(
        self, tenant_id: UUID, account_id: UUID, data: AccountPatch
    ) -> BillingAccount:
        account = await self.accounts.get(tenant_id, account_id)
        if account is None:
            raise NotFound("Ce compte de facturation n'existe pas.")
        account.category = data.category
        await self.accounts.save(account)
        return account

    async def statement(
        self, principal: Principal, tenant_id: UUID, account_id: UUID
    ) -> StatementOut:
        """Every issued invoice and credit note, payment and refund, in date order, with the
        balance after each; the last balance is the account's."""
        from marelle_billing.invoicing.repository import InvoiceRepository
        from marelle_billing.payments.repository import PaymentRepository

        account = await self.get_for(principal, tenant_id, account_id)
        invoices = await InvoiceRepository(self.session).of_household(tenant_id, account.id)
        payments_repo = PaymentRepository(self.session)
        payments = await payments_repo.of_household(tenant_id, account.id)
        refunds = await payments_repo.refunds_of(tenant_id, account.id)
        rows: list[tuple[tuple[object, ...], StatementEntry]] = []
        for inv in invoices:
            credit = inv.kind == InvoiceKind.CREDIT_NOTE
            rows.append(
                (
                    (inv.issue_date, 0, inv.issued_at or inv.created_at),
                    StatementEntry(
                        day=inv.issue_date,
                        kind="credit_note" if credit else "invoice",
                        label=("Avoir" if credit else "Facture") + f" {inv.number}",
                        reference=inv.number,
                        debit_cents=0 if credit else inv.total_cents,
                        credit_cents=-inv.total_cents if credit else 0,
                        balance_cents=0,
                        invoice_id=inv.id,
                    ),
                )
            )
        labels = {
            "online": "Paiement en ligne",
            "cash": "Paiement en espèces",
            "cheque": "Chèque",
            "card_terminal": "Carte bancaire (guichet)",
            "transfer": "Virement",
            "cesu": "CESU",
            "basket": "Panier prépayé",
        }
        for payment in payments:
            if payment.mode == PaymentMode.CREDIT_NOTE:
                continue  # the credit note itself is the entry
            rows.append(
                (
                    (payment.received_on, 1, payment.created_at),
                    StatementEntry(
                        day=payment.received_on,
                        kind="payment",
                        label=labels.get(payment.mode, payment.mode),
                        reference=payment.receipt_number or payment.reference,
                        debit_cents=0,
                        credit_cents=payment.amount_cents,
                        balance_cents=0,
                        payment_id=payment.id,
                    ),
                )
            )
        for refund in refunds:
            rows.append(
                (
                    (refund.refunded_on, 2, refund.created_at),
                    StatementEntry(
                        day=refund.refunded_on,
                        kind="refund",
                        label="Remboursement",
                        reference=refund.reference,
                        debit_cents=refund.amount_cents,
                        credit_cents=0,
                        balance_cents=0,
                    ),
                )
            )
        rows.sort(key=lambda row: row[0])
        balance = 0
        entries = []
        for _key, entry in rows:
            balance += entry.debit_cents - entry.credit_cents
            entries.append(entry.model_copy(update={"balance_cents": balance}))
        unpaid = [
            inv
            for inv in invoices
            if inv.kind == InvoiceKind.INVOICE and inv.paid_cents < inv.total_cents
        ]
        credits = await InvoiceRepository(self.session).credits(tenant_id, [account.id])
        return StatementOut(
            household_id=account.id,
            family_number=account.family_number,
            name=account.name,
            entries=entries,
            balance_cents=account.balance_cents,
            credit_cents=sum(left for _, left in credits.get(account.id, [])),
            unpaid_cents=sum(inv.total_cents - inv.paid_cents for inv in unpaid),
            next_due_date=min((inv.due_date for inv in unpaid), default=None),
        )
