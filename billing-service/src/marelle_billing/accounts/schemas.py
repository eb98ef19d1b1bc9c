from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field


class AccountOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    tenant_id: UUID
    family_number: str
    name: str
    balance_cents: int = Field(description="Positif : le foyer doit ; négatif : crédit")
    quotient: int | None = None
    quotient_valid_until: date | None = None
    category: str | None = None


class AccountPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    category: str | None = Field(
        default=None,
        min_length=1,
        max_length=40,
        description="Catégorie tarifaire du foyer (ex. hors-commune) ; vide = aucune",
    )


class StatementEntry(BaseModel):
    day: date
    kind: Literal["invoice", "credit_note", "payment", "refund"]
    label: str
    reference: str | None
    debit_cents: int
    credit_cents: int
    balance_cents: int = Field(description="Solde courant après cette écriture")
    invoice_id: UUID | None = None
    payment_id: UUID | None = None


class StatementOut(BaseModel):
    """« Relevé de compte »: invoices, payments, credits, refunds, with a running balance."""

    household_id: UUID
    family_number: str
    name: str
    entries: list[StatementEntry]
    balance_cents: int
    credit_cents: int = Field(
        description="Crédit disponible (utilisé d'abord sur la prochaine facture)"
    )
    unpaid_cents: int = Field(description="Total des factures restant à payer")
    next_due_date: date | None = Field(description="La prochaine échéance d'une facture à payer")
