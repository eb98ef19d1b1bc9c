"""Facts published by the billing-service.

Each carries what a mail to the family needs (amounts in integer cents, dates as Paris calendar
days), so the mailing-service never has to call billing to write it.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from marelle_contracts.base import Event


class BalanceChanged(Event):
    """A household's balance at the billing office; positive = the family owes money."""

    event_type: ClassVar[str] = "billing.balance.changed"

    household_id: UUID
    balance_cents: int


class InvoiceIssued(Event):
    """An invoice (or a credit note, ``kind="credit_note"``, negative amount) was issued: it is
    numbered and will never change. Keyed by household."""

    event_type: ClassVar[str] = "billing.invoice.issued"

    household_id: UUID
    invoice_id: UUID
    number: str
    kind: str  # invoice, credit_note
    family_number: str
    amount_cents: int  # the invoice's total
    # What is left to pay once the household's credits were used (0: nothing to pay).
    amount_due_cents: int
    issue_date: date
    due_date: date
    online_payment_until: date
    period_start: date
    period_end: date
    period_label: str  # « novembre 2026 »
    payable_online: bool
    direct_debit: bool = False


class PaymentReceived(Event):
    """Money was received and allocated (online, at the counter, a basket, a credit note used).
    The payer gets « paiement reçu »; keyed by household."""

    event_type: ClassVar[str] = "billing.payment.received"

    household_id: UUID
    payment_id: UUID
    amount_cents: int
    mode: str  # online, cash, cheque, card_terminal, transfer, cesu, basket
    received_on: date
    invoice_numbers: list[str]  # the invoices it paid (some or all of their amount)
    credit_cents: int  # what was left as a credit on the account
    receipt_number: str | None = None
    transaction_id: UUID | None = None  # the online transaction, when paid online
    payer_email: str | None = None  # the address given to the provider, when there was one


class PaymentFailed(Event):
    """An online payment ended without money (refused, cancelled, expired, provider error)."""

    event_type: ClassVar[str] = "billing.payment.failed"

    household_id: UUID
    transaction_id: UUID
    amount_cents: int
    state: str  # denied, cancelled, expired, error
    reason: str | None
    invoice_numbers: list[str]


class BasketLine(BaseModel):
    model_config = ConfigDict(frozen=True)

    child_id: UUID
    activity_id: UUID
    day: date


class BasketPaid(Event):
    """A prepaid meal basket was paid: its meals are confirmed."""

    event_type: ClassVar[str] = "billing.basket.paid"

    household_id: UUID
    basket_id: UUID
    amount_cents: int
    lines: list[BasketLine]


class BasketExpired(Event):
    """A prepaid basket was not paid in time (or was abandoned by the family, ``reason``
    ``cancelled``): booking releases the places its meals held."""

    event_type: ClassVar[str] = "billing.basket.expired"

    household_id: UUID
    basket_id: UUID
    reason: str  # expired, cancelled
    lines: list[BasketLine]
