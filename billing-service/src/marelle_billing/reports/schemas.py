from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import BaseModel, Field


class UnpaidInvoice(BaseModel):
    invoice_id: UUID
    number: str | None
    household_id: UUID
    family_number: str
    household_name: str
    issue_date: date
    due_date: date
    total_cents: int
    due_cents: int
    days_late: int = Field(description="Jours depuis l'échéance (0 : pas encore échue)")
    bucket: str = Field(description="not_due, 1-30, 31-60, 61-90, 90+")


class AgeingBucket(BaseModel):
    bucket: str
    invoices: int
    due_cents: int


class UnpaidReport(BaseModel):
    as_of: date
    invoices: list[UnpaidInvoice]
    buckets: list[AgeingBucket]
    total_due_cents: int


class JournalMode(BaseModel):
    mode: str
    label: str
    count: int
    total_cents: int


class JournalEntry(BaseModel):
    payment_id: UUID
    received_on: date
    mode: str
    household_id: UUID
    amount_cents: int
    reference: str | None
    receipt_number: str | None
    recorded_by: str


class CashJournal(BaseModel):
    """The régie's journal: what came in, per payment mode, over the days asked."""

    first_day: date
    last_day: date
    modes: list[JournalMode]
    entries: list[JournalEntry]
    refunds_cents: int
    total_cents: int
