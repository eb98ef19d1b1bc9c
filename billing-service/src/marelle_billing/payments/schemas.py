from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

CounterMode = Literal["cash", "cheque", "card_terminal", "transfer", "cesu"]


class OnlinePaymentIn(BaseModel):
    """« Payer » for one or several invoices of the household: the amount is what they still
    owe (never taken from the client); ``expected_amount``, when given, must match it."""

    model_config = ConfigDict(extra="forbid")

    household_id: UUID
    invoice_ids: list[UUID] = Field(min_length=1, max_length=50)
    expected_amount: Decimal | None = Field(default=None, ge=0, max_digits=10, decimal_places=2)
    email: str | None = Field(
        default=None, max_length=254, description="Adresse du payeur (sinon celle du responsable 1)"
    )


class FormField(BaseModel):
    name: str
    value: str


class OnlinePaymentOut(BaseModel):
    """Where to send the payer: a URL (redirect), or a form to post (auto-submitted)."""

    transaction_id: UUID
    amount_cents: int
    kind: Literal["url", "form"]
    url: str | None = None
    form_action: str | None = None
    form_method: str | None = None
    form_fields: list[FormField] = Field(default_factory=list)


class TransactionOut(BaseModel):
    """An online payment as it really stands (the return page shows this)."""

    id: UUID
    household_id: UUID
    state: Literal["created", "running", "paid", "denied", "cancelled", "expired", "error"]
    amount_cents: int
    backend: str
    invoice_ids: list[UUID]
    basket_id: UUID | None
    payment_id: UUID | None
    bank_status: str | None
    created_at: datetime
    modified_at: datetime


class CounterPaymentIn(BaseModel):
    """Money received at the billing office. CESU: only for before/after-school care (any
    age) and leisure centres for children under 6, never meals, and only where the town
    accepts CESU."""

    model_config = ConfigDict(extra="forbid")

    household_id: UUID
    mode: CounterMode
    amount: Decimal = Field(gt=0, le=100_000, max_digits=10, decimal_places=2)
    received_on: date | None = Field(default=None, description="Vide : aujourd'hui")
    reference: str | None = Field(
        default=None, max_length=200, description="N° de chèque, numéros des CESU, virement..."
    )
    payer: str | None = Field(default=None, max_length=200)
    invoice_ids: list[UUID] | None = Field(
        default=None,
        max_length=50,
        description="Factures choisies ; vide : la plus ancienne d'abord",
    )


class AllocationShare(BaseModel):
    invoice_id: UUID
    number: str | None
    amount_cents: int


class PaymentOut(BaseModel):
    id: UUID
    household_id: UUID
    mode: str
    amount_cents: int
    received_on: date
    reference: str | None
    payer: str | None
    receipt_number: str | None
    receipt_url: str | None
    allocations: list[AllocationShare]
    credit_cents: int = Field(description="Ce qui reste en crédit sur le compte")


class RefundIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    household_id: UUID
    amount: Decimal = Field(gt=0, le=100_000, max_digits=10, decimal_places=2)
    mode: Literal["transfer", "cheque", "cash"]
    refunded_on: date | None = None
    reference: str | None = Field(default=None, max_length=200)


class RefundOut(BaseModel):
    id: UUID
    household_id: UUID
    amount_cents: int
    mode: str
    refunded_on: date
    reference: str | None


class IncidentOut(BaseModel):
    id: UUID
    kind: str
    detail: str
    transaction_id: UUID | None
    subject: str | None
    remote_addr: str | None
    created_at: datetime
