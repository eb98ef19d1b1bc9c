"""The typed views the PDF renderer takes (nothing in them needs a database to be read)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class LineView:
    child: str
    activity: str
    dates: str  # grouped: « 2, 3, 5 au 9 nov. 2026 »
    quantity: str
    unit_price: str
    rule: str
    amount: str


@dataclass(frozen=True)
class InvoiceView:
    kind: str  # invoice, credit_note
    tenant_name: str
    payee_name: str
    payee_address: str
    number: str
    issue_date: date
    due_date: date
    period_label: str
    family_number: str
    addressee: list[str]
    lines: list[LineView]
    total: str
    deductions: list[tuple[str, str]]  # (label, amount): credits and payments already applied
    amount_due: str
    balance_label: str  # « Solde de votre compte au 01/12/2026 : 12,40 € à payer »
    how_to_pay: list[str]
    reason: str | None = None  # credit notes: why
    corrects: str | None = None  # credit notes: the invoice corrected


@dataclass(frozen=True)
class ReceiptView:
    tenant_name: str
    payee_name: str
    payee_address: str
    number: str
    received_on: date
    family_number: str
    household_name: str
    mode: str
    reference: str | None
    amount: str
    allocations: list[tuple[str, str]] = field(default_factory=list)  # (invoice, amount)
    credit: str | None = None
