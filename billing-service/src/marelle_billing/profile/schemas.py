from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

Backend = Literal["dummy", "payfip_ws", "systempayv2"]


class ProfileIn(BaseModel):
    """The town's billing settings (numbering prefixes, school zone, CESU, payee)."""

    model_config = ConfigDict(extra="forbid")

    invoice_prefix: str = Field(default="F", min_length=1, max_length=10, pattern=r"^[A-Z0-9]+$")
    credit_note_prefix: str = Field(
        default="AV", min_length=1, max_length=10, pattern=r"^[A-Z0-9]+$"
    )
    receipt_prefix: str = Field(default="R", min_length=1, max_length=10, pattern=r"^[A-Z0-9]+$")
    school_zone: Literal["A", "B", "C"] = "A"
    cesu_accepted: bool = Field(default=False, description="La commune accepte les CESU")
    payee_name: str = Field(
        default="Régie des services périscolaires", min_length=1, max_length=200
    )
    payee_address: str = Field(default="", max_length=400)
    counter_details: str = Field(
        default="", max_length=400, description="Où et quand payer au guichet (imprimé)"
    )
    minimum_invoice_amount: Decimal = Field(
        default=Decimal("5.00"), ge=0, le=1000, max_digits=7, decimal_places=2
    )
    basket_hold_minutes: int = Field(default=30, ge=5, le=24 * 60)

    @model_validator(mode="after")
    def _distinct_prefixes(self) -> Self:
        # One numbering per prefix and year: invoices, credit notes and receipts apart.
        prefixes = [self.invoice_prefix, self.credit_note_prefix, self.receipt_prefix]
        if len(set(prefixes)) != len(prefixes):
            raise ValueError("les préfixes des factures, avoirs et reçus doivent être différents")
        return self


class ProfileOut(ProfileIn):
    pass


class ProviderIn(BaseModel):
    """An online payment backend (eopayment) for invoices or for the meal basket.

    ``options``: the backend's non-secret parameters (payfip_ws: numcli, saisie T/X/W;
    systempayv2: vads_site_id, vads_ctx_mode TEST/PRODUCTION, signature_algo...). ``secrets``:
    its secret parameters (systempayv2: secret_test, secret_production), each a value (stored
    encrypted) or ``env:VARIABLE`` (read from the environment at use). The return and
    notification URLs are Marelle's own, per transaction."""

    model_config = ConfigDict(extra="forbid")

    backend: Backend
    options: dict[str, str | int | bool] = Field(default_factory=dict, max_length=30)
    secrets: dict[str, str] = Field(default_factory=dict, max_length=10)
    enabled: bool = True

    @model_validator(mode="after")
    def _known_to_the_backend(self) -> Self:
        from marelle_billing.profile.service import check_provider

        check_provider(self)  # ValueError with the reason: a 422 on the field
        return self


class ProviderOut(BaseModel):
    purpose: Literal["invoices", "baskets"]
    backend: Backend
    options: dict[str, Any]
    secrets: dict[str, str] = Field(
        description="Nom -> « chiffré » ou env:VARIABLE (jamais la valeur)"
    )
    enabled: bool
