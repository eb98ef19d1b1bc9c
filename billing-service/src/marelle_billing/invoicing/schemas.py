from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal, Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

Amount = Field(ge=0, le=1_000_000, max_digits=10, decimal_places=2)


class RunCreate(BaseModel):
    """A billing campaign: the period billed, the dates printed on the invoices, and the
    minimum amount under which a household's invoice waits for the next run."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["regular", "corrective"] = Field(
        default="regular",
        description="corrective : régularisation d'une période déjà facturée (même période "
        "qu'une campagne émise) : annulation de ce qui a changé et nouvelles lignes ; factures "
        "pour les montants dus, avoirs pour les trop-perçus",
    )
    label: str | None = Field(default=None, max_length=200, examples=["Facturation novembre 2026"])
    period_start: date
    period_end: date
    issue_date: date
    due_date: date
    online_payment_until: date = Field(description="Dernier jour du paiement en ligne")
    minimum_amount: Decimal = Field(
        default=Decimal(0),
        ge=0,
        le=1000,
        max_digits=7,
        decimal_places=2,
        description="Montant minimum facturé (euros) ; en dessous, reporté sur la facture suivante",
    )

    @model_validator(mode="after")
    def _dates(self) -> Self:
        if self.period_end < self.period_start:
            raise ValueError("la période finit avant de commencer")
        if (self.period_end - self.period_start).days > 366:
            raise ValueError("une campagne couvre au plus un an")
        if self.due_date < self.issue_date:
            raise ValueError("l'échéance précède la date d'émission")
        if self.online_payment_until < self.issue_date:
            raise ValueError("le paiement en ligne finirait avant l'émission")
        return self


class ProblemOut(BaseModel):
    code: str = Field(description="register-open, no-tariff, missing-qf, below-minimum...")
    message: str
    count: int
    examples: list[str]


class ActivityTotal(BaseModel):
    activity: str
    amount_cents: int
    lines: int
    days: int


class BracketTotal(BaseModel):
    activity: str
    bracket: str
    amount_cents: int
    days: int


class HouseholdChange(BaseModel):
    household_id: UUID
    name: str
    previous_cents: int
    cents: int


class ActivityChange(BaseModel):
    activity: str
    previous_cents: int
    cents: int


class RunDiff(BaseModel):
    """Against the previous issued run."""

    previous_total_cents: int
    total_cents: int
    new_households: int
    households_not_invoiced_again: int
    households_changed: int
    largest_changes: list[HouseholdChange]
    per_activity: list[ActivityChange]


class ReviewOut(BaseModel):
    errors: list[ProblemOut] = Field(description="Bloquent l'émission")
    warnings: list[ProblemOut]
    invoices: int = Field(description="Factures qui seront émises")
    carried_over: int = Field(description="Foyers sous le minimum, reportés")
    carried_over_cents: int
    total_cents: int
    cells_priced: int
    cells_billed: int
    per_activity: list[ActivityTotal]
    per_bracket: list[BracketTotal]
    diff: RunDiff | None = None


class RunOut(BaseModel):
    id: UUID
    kind: str
    label: str
    period_start: date
    period_end: date
    issue_date: date
    due_date: date
    online_payment_until: date
    minimum_cents: int
    status: Literal["draft", "issued", "cancelled"]
    review: ReviewOut | None
    computed_at: datetime | None
    issued_at: datetime | None
    pdfs_pending: int | None = Field(default=None, description="PDF restant à produire")


class DayOut(BaseModel):
    day: date
    quantity: Decimal


class LineOut(BaseModel):
    position: int
    kind: str
    child_id: UUID | None
    child_name: str
    activity_id: UUID | None
    activity_name: str
    rule: str = Field(description="La règle appliquée (tranche de QF, rang, hors délai, absence)")
    bracket: str | None
    fiscal_share: str = Field(description="childcare (garde) ou meal (repas), pour l'attestation")
    quantity: Decimal
    unit_price: Decimal
    amount_cents: int
    days: list[DayOut]
    dates_label: str = Field(description="Les dates regroupées : « 2, 3, 5 au 9 nov. 2026 »")


PaymentStatus = Literal["to_pay", "partly_paid", "paid", "late", "debited", "credit"]


class InvoiceOut(BaseModel):
    id: UUID
    number: str | None
    kind: Literal["invoice", "credit_note"]
    status: str
    payment_status: PaymentStatus = Field(
        description="to_pay (à payer), partly_paid, paid (payée), late (en retard), debited "
        "(prélevée), credit (avoir)"
    )
    household_id: UUID
    family_number: str
    household_name: str
    run_id: UUID | None
    period_start: date
    period_end: date
    issue_date: date
    due_date: date
    online_payment_until: date
    total_cents: int
    paid_cents: int
    due_cents: int = Field(description="Reste à payer")
    payable_online: bool
    channel: str
    direct_debit: bool
    pdf_state: str
    pdf_url: str | None = Field(description="Chemin du PDF (quand il est prêt)")
    corrects_invoice_id: UUID | None = None
    reason: str | None = None


class AllocationOut(BaseModel):
    payment_id: UUID
    amount_cents: int
    mode: str
    received_on: date


class InvoiceDetail(InvoiceOut):
    lines: list[LineOut]
    allocations: list[AllocationOut]


class CreditNoteLine(BaseModel):
    model_config = ConfigDict(extra="forbid")

    line_position: int = Field(ge=0, description="La ligne de la facture corrigée")
    quantity: Decimal = Field(gt=0, max_digits=8, decimal_places=2)


class CreditNoteIn(BaseModel):
    """A credit note (avoir) on an issued invoice: the whole invoice, or some quantity of
    some of its lines, at their unit price."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=3, max_length=500)
    lines: list[CreditNoteLine] | None = Field(
        default=None, max_length=200, description="Vide : toute la facture"
    )
