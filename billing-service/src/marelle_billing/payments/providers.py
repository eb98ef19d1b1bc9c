"""Online payment through eopayment: one adapter over its backends (dummy, payfip_ws,
systempayv2). eopayment is blocking (PayFiP is SOAP): every call runs in a thread, with the
backend's own time-outs.

The dummy backend points payers at Entr'ouvert's public test site, which cannot reach a local
Marelle: Marelle serves its own simulator page instead (embedded mode, tests) and signs the
simulated notifications, so a forged one is refused even there.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import eopayment

from marelle_billing.models import TransactionState

RESULT_STATES = {
    eopayment.RECEIVED: TransactionState.RUNNING,
    eopayment.ACCEPTED: TransactionState.RUNNING,
    eopayment.WAITING: TransactionState.RUNNING,
    eopayment.PAID: TransactionState.PAID,
    eopayment.DENIED: TransactionState.DENIED,
    eopayment.CANCELLED: TransactionState.CANCELLED,
    eopayment.EXPIRED: TransactionState.EXPIRED,
    eopayment.ERROR: TransactionState.ERROR,
}
POLLABLE = frozenset({"payfip_ws"})


class ProviderError(Exception):
    """The provider could not be reached or refused the request."""


@dataclass(frozen=True)
class PaymentRequest:
    provider_transaction_id: str
    kind: str  # url, form
    url: str | None = None
    form_action: str | None = None
    form_method: str | None = None
    form_fields: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class ProviderResult:
    state: TransactionState
    signed: bool
    provider_transaction_id: str | None
    amount_cents: int | None  # the amount the provider says, when it says one
    bank_status: str
    return_content: str | None
    test: bool


def _amount_from(backend: str, data: dict[str, Any]) -> int | None:
    def first(name: str) -> str | None:
        value = data.get(name)
        if isinstance(value, list):
            value = value[0] if value else None
        return str(value) if value is not None else None

    if backend == "dummy":
        raw = first("amount")
        return int(Decimal(raw) * 100) if raw else None
    if backend == "systempayv2":
        raw = first("vads_amount")
        return int(raw) if raw else None
    if backend == "payfip_ws":
        raw = first("montant")
        return int(raw) if raw else None
    return None


def dummy_mac(key: str, query: dict[str, str]) -> str:
    payload = urlencode(sorted((k, v) for k, v in query.items() if k != "mac"))
    return hmac.new(key.encode(), payload.encode(), hashlib.sha256).hexdigest()


class OnlineProvider:
    def __init__(
        self,
        backend: str,
        options: dict[str, Any],
        *,
        return_url: str,
        notification_url: str,
        simulator_url: str | None = None,
        dummy_key: str | None = None,
    ) -> None:
        self.backend = backend
        self.simulator_url = simulator_url
        self.dummy_key = dummy_key
        merged = {
            **options,
            "normal_return_url": return_url,
            "automatic_return_url": notification_url,
        }
        if backend == "dummy":
            merged.setdefault("origin", "Marelle")
        self.payment = eopayment.Payment(backend, merged)

    @property
    def pollable(self) -> bool:
        return self.backend in POLLABLE

    async def request(
        self,
        amount: Decimal,
        *,
        transaction_id: str,
        email: str | None,
        subject: str,
        year: int,
    ) -> PaymentRequest:
        kwargs: dict[str, Any] = {"email": email, "subject": subject}
        if self.backend == "payfip_ws":
            if email is None:
                raise ProviderError("PayFiP demande l'adresse e-mail du payeur.")
            kwargs.update(refdet=transaction_id[:30], exer=str(year))
        elif self.backend == "systempayv2":
            kwargs.update(transaction_id=transaction_id, orderid=transaction_id[:32])
        else:
            kwargs.update(orderid=transaction_id)
        try:
            provider_id, kind, data = await asyncio.to_thread(
                self.payment.request, amount, **kwargs
            )
        except (eopayment.PaymentException, ValueError, OSError) as exc:
            raise ProviderError(str(exc)) from exc
        if kind == eopayment.URL:
            url = str(data)
            if self.backend == "dummy" and self.simulator_url:
                url = f"{self.simulator_url}?{urlsplit(url).query}"
            return PaymentRequest(str(provider_id), "url", url=url)
        if kind == eopayment.FORM:
            return PaymentRequest(
                str(provider_id),
                "form",
                form_action=data.url,
                form_method=data.method,
                form_fields=[{"name": f["name"], "value": f["value"]} for f in data.fields],
            )
        raise ProviderError(f"réponse de type {kind} non gérée")

    async def response(self, query_string: str) -> ProviderResult:
        """Read a provider's notification (or the payer's return): its signature checked by
        eopayment (PayFiP: the result fetched server to server; the query alone is not
        trusted)."""
        try:
            response = await asyncio.to_thread(self.payment.response, query_string)
        except (eopayment.PaymentException, ValueError, KeyError, OSError) as exc:
            raise ProviderError(str(exc)) from exc
        signed = bool(response.signed)
        if self.backend == "dummy":
            signed = signed and self._dummy_mac_ok(query_string)
        bank_data = response.bank_data if isinstance(response.bank_data, dict) else {}
        provider_id = response.order_id if self.backend == "payfip_ws" else response.transaction_id
        return ProviderResult(
            state=RESULT_STATES.get(response.result, TransactionState.ERROR),
            signed=signed,
            provider_transaction_id=str(provider_id) if provider_id else None,
            amount_cents=_amount_from(self.backend, bank_data),
            bank_status=str(response.bank_status or "")[:500],
            return_content=response.return_content,
            test=bool(response.test),
        )

    def _dummy_mac_ok(self, query_string: str) -> bool:
        if not self.dummy_key:
            return False
        fields = {k: v[0] for k, v in parse_qs(query_string).items()}
        mac = fields.get("mac", "")
        return hmac.compare_digest(mac, dummy_mac(self.dummy_key, fields))

    async def status(
        self, provider_transaction_id: str, created_at: datetime
    ) -> ProviderResult | None:
        """Ask the provider where a transaction stands (PayFiP); None when it cannot tell."""
        if not self.pollable:
            return None
        try:
            response = await asyncio.to_thread(
                self.payment.backend.payment_status,
                provider_transaction_id,
                transaction_date=created_at,
            )
        except (eopayment.PaymentException, ValueError, OSError) as exc:
            raise ProviderError(str(exc)) from exc
        bank_data = response.bank_data if isinstance(response.bank_data, dict) else {}
        return ProviderResult(
            state=RESULT_STATES.get(response.result, TransactionState.ERROR),
            signed=True,
            provider_transaction_id=provider_transaction_id,
            amount_cents=_amount_from(self.backend, bank_data),
            bank_status=str(response.bank_status or "")[:500],
            return_content=None,
            test=bool(response.test),
        )
