from __future__ import annotations

import contextlib
import html
from typing import Annotated
from urllib.parse import urlencode
from uuid import UUID

from fastapi import Form, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from marelle_billing.access import actor, billing_office, check_household
from marelle_billing.deps import SettingsDep
from marelle_billing.documents.render import render_receipt
from marelle_billing.documents.views import ReceiptView
from marelle_billing.errors import NotificationRefused
from marelle_billing.invoicing.repository import InvoiceRepository
from marelle_billing.money import cents_to_decimal, euros
from marelle_billing.payments.providers import dummy_mac
from marelle_billing.payments.repository import PaymentRepository, TransactionRepository
from marelle_billing.payments.schemas import (
    CounterPaymentIn,
    IncidentOut,
    OnlinePaymentIn,
    OnlinePaymentOut,
    PaymentOut,
    RefundIn,
    RefundOut,
    TransactionOut,
)
from marelle_billing.payments.service import IncidentLog, PaymentService, dummy_allowed
from marelle_billing.profile.service import ProfileService
from marelle_billing.readmodels.repository import ReadModelRepository
from marelle_kit.errors import NotFound
from marelle_kit.security import CurrentPrincipal
from marelle_kit.tenancy import TENANT_HEADER, TenantId
from marelle_kit.unit_of_work import SessionDep, transactional_router

members = transactional_router(prefix="/payments", tags=["payments"])
office = transactional_router(prefix="/payments", tags=["payments"], dependencies=billing_office)
refunds = transactional_router(prefix="/refunds", tags=["payments"], dependencies=billing_office)
# Called by payment providers and by the payer's browser coming back: no token.
public = transactional_router(prefix="/payments", tags=["payment providers"])

MODE_LABELS = {
    "cash": "Espèces",
    "cheque": "Chèque",
    "card_terminal": "Carte bancaire (terminal)",
    "transfer": "Virement",
    "cesu": "CESU",
    "online": "Paiement en ligne",
    "basket": "Panier prépayé",
    "credit_note": "Avoir",
}


def _service(request: Request, session: SessionDep, settings: SettingsDep) -> PaymentService:
    return PaymentService(session, settings, IncidentLog(request.app.state.runtime.database))


def _tenant_hint(request: Request) -> UUID | None:
    raw = request.headers.get(TENANT_HEADER)
    try:
        return UUID(raw) if raw else None
    except ValueError:
        return None


def _remote(request: Request) -> str | None:
    forwarded = request.headers.get("x-forwarded-for")
    if forwarded:
        return forwarded.split(",")[0].strip()
    return request.client.host if request.client else None


@members.post("/online", response_model=OnlinePaymentOut, status_code=201)
async def start_online_payment(
    data: OnlinePaymentIn,
    request: Request,
    principal: CurrentPrincipal,
    tenant_id: TenantId,
    session: SessionDep,
    settings: SettingsDep,
) -> OnlinePaymentOut:
    """« Payer » one or several invoices: starts a transaction with the town's provider and
    says where to send the payer (a URL, or a form to post). The amount is what the invoices
    still owe. 404 for an invoice of another household (logged), 409 ``already-paid`` /
    ``payment-refused`` / ``online-payment-unavailable``, 502 when the provider is down (booking
    never waits on this)."""
    return await _service(request, session, settings).start_online(tenant_id, principal, data)


@members.get("/transactions/{transaction_id}", response_model=TransactionOut)
async def get_transaction(
    transaction_id: UUID,
    request: Request,
    principal: CurrentPrincipal,
    tenant_id: TenantId,
    session: SessionDep,
    settings: SettingsDep,
) -> TransactionOut:
    """The real state of an online payment (the portal's return page polls this)."""
    return await _service(request, session, settings).transaction(
        tenant_id, principal, transaction_id
    )


async def _query(request: Request) -> str:
    if request.method == "POST":
        body = (await request.body()).decode("utf-8", errors="replace")
        return "&".join(part for part in (request.url.query, body) if part)
    return request.url.query


@public.post("/notify/{transaction_id}", response_class=Response)
@public.get("/notify/{transaction_id}", response_class=Response)
async def provider_notification(
    transaction_id: UUID, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    """The provider's server-to-server notification. Signature checked (PayFiP: the result is
    fetched from PayFiP), amount and provider transaction checked, then applied under the
    transaction's row lock: a notification with an unchanged state changes nothing. Refusals
    are 403 ``payment-notification-refused`` and logged."""
    _state, content = await _service(request, session, settings).notify(
        transaction_id, _tenant_hint(request), await _query(request), remote_addr=_remote(request)
    )
    return Response(content=content or "OK", media_type="text/plain")


@public.post("/transactions/{transaction_id}/return", response_class=Response)
@public.get("/transactions/{transaction_id}/return", response_class=Response)
async def payer_return(
    transaction_id: UUID, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    """Where the provider sends the payer back: what it brings is applied like a
    notification when it is signed (never trusted otherwise), then the payer goes to the
    portal's return page, which reads the real state from the API."""
    service = _service(request, session, settings)
    query = await _query(request)
    if query:
        # Refused (logged): the page shows the state the notification gives.
        with contextlib.suppress(NotificationRefused, NotFound):
            await service.notify(
                transaction_id,
                _tenant_hint(request),
                query,
                remote_addr=_remote(request),
                source="retour du payeur",
            )
    transaction = await TransactionRepository(session).find(transaction_id)
    slug = await service.tenant_slug(transaction.tenant_id) if transaction is not None else ""
    return RedirectResponse(settings.return_page(slug, transaction_id), status_code=303)


_BANK_PAGE = """<!doctype html><html lang="fr"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Banque de test — Marelle</title>
<style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;
color:#1d2733}}.box{{border:1px solid #c9d1da;border-radius:8px;padding:1.5rem}}
button{{font-size:1rem;padding:.6rem 1.2rem;margin-right:.5rem;border-radius:6px;border:0;
cursor:pointer}}.pay{{background:#1f5f8b;color:#fff}}.no{{background:#eef3f7}}
.note{{color:#5b6673;font-size:.9rem}}</style></head><body><div class="box">
<h1>Banque de test</h1><p class="note">Prestataire fictif (mode de démonstration) : aucune carte
n'est débitée.</p><p>Montant : <strong>{amount}</strong></p><p>{subject}</p>
<form method="post"><input type="hidden" name="provider_id" value="{provider_id}">
<button class="pay" name="decision" value="pay">Payer</button>
<button class="no" name="decision" value="refuse">Refuser</button></form></div></body></html>"""


@public.get("/dummy-bank/{transaction_id}", response_class=HTMLResponse)
async def dummy_bank(
    transaction_id: UUID,
    session: SessionDep,
    settings: SettingsDep,
    transaction_id_q: Annotated[str | None, Query(alias="transaction_id")] = None,
    subject: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    """The dummy backend's payment page (embedded mode, tests): pay or refuse."""
    transaction = await TransactionRepository(session).find(transaction_id)
    if transaction is None or transaction.backend != "dummy" or not dummy_allowed(settings):
        raise NotFound("Ce paiement n'existe pas.")
    return HTMLResponse(
        _BANK_PAGE.format(
            amount=html.escape(euros(transaction.amount_cents, cents=True)),
            subject=html.escape(subject or ""),
            provider_id=html.escape(transaction_id_q or transaction.provider_transaction_id or ""),
        ),
        headers={"Cache-Control": "no-store"},
    )


@public.post("/dummy-bank/{transaction_id}", response_class=Response)
async def dummy_bank_decision(
    transaction_id: UUID,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    decision: Annotated[str, Form(pattern="^(pay|refuse)$")],
) -> Response:
    """The payer's decision on the test bank: notified like a real provider would (signed),
    then the payer is sent back to Marelle's return URL."""
    service = _service(request, session, settings)
    transaction = await TransactionRepository(session).find(transaction_id)
    if transaction is None or transaction.backend != "dummy" or not dummy_allowed(settings):
        raise NotFound("Ce paiement n'existe pas.")
    fields = {
        "transaction_id": transaction.provider_transaction_id or "",
        "amount": f"{cents_to_decimal(transaction.amount_cents):.2f}",
        "signed": "1",
    }
    if decision == "pay":
        fields["ok"] = "1"
    fields["mac"] = dummy_mac(service.dummy_key(), fields)
    query = urlencode(fields)
    await service.notify(transaction.id, _tenant_hint(request), query, remote_addr="dummy-bank")
    base = settings.billing_url(await service.tenant_slug(transaction.tenant_id))
    return RedirectResponse(
        f"{base}/payments/transactions/{transaction.id}/return?{query}", status_code=303
    )


@office.post("", response_model=PaymentOut, status_code=201)
async def counter_payment(
    data: CounterPaymentIn,
    request: Request,
    principal: CurrentPrincipal,
    tenant_id: TenantId,
    session: SessionDep,
    settings: SettingsDep,
) -> PaymentOut:
    """Money received at the counter (cash, cheque, card terminal, transfer, CESU): allocated
    to the chosen invoices or the oldest first, the rest left as a credit; a numbered receipt.
    CESU refused (409 ``cesu-refused``) where the town does not accept them or beyond what they
    may pay (care at any age, leisure under 6, never meals)."""
    return await _service(request, session, settings).counter_payment(
        tenant_id, data, actor(principal)
    )


@members.get("/{payment_id}", response_model=PaymentOut)
async def get_payment(
    payment_id: UUID,
    request: Request,
    principal: CurrentPrincipal,
    tenant_id: TenantId,
    session: SessionDep,
    settings: SettingsDep,
) -> PaymentOut:
    return await _service(request, session, settings).payment(tenant_id, principal, payment_id)


@members.get(
    "/{payment_id}/receipt",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
async def receipt(
    payment_id: UUID, principal: CurrentPrincipal, tenant_id: TenantId, session: SessionDep
) -> Response:
    """The receipt of a counter payment (PDF)."""
    payment = await PaymentRepository(session).get(tenant_id, payment_id)
    if payment is None or payment.receipt_number is None:
        raise NotFound("Ce reçu n'existe pas.")
    check_household(principal, payment.household_id)
    allocations = await PaymentRepository(session).allocations_of_payment(payment.id)
    invoices = {
        inv.id: inv
        for inv in await InvoiceRepository(session).by_ids(
            tenant_id, [a.invoice_id for a in allocations]
        )
    }
    account = await ReadModelRepository(session).account(payment.household_id)
    profile = await ProfileService(session).profile(tenant_id)
    from marelle_billing.documents.repository import DocumentRepository

    names = await DocumentRepository(session).tenant_names([tenant_id])
    allocated = sum(a.amount_cents for a in allocations)
    pdf = render_receipt(
        ReceiptView(
            tenant_name=names.get(tenant_id, ""),
            payee_name=profile.payee_name,
            payee_address=profile.payee_address,
            number=payment.receipt_number,
            received_on=payment.received_on,
            family_number=account.family_number if account else "",
            household_name=account.name if account else "",
            mode=MODE_LABELS.get(payment.mode, payment.mode),
            reference=payment.reference,
            amount=euros(payment.amount_cents, cents=True),
            allocations=[
                (invoices[a.invoice_id].number or "", euros(a.amount_cents, cents=True))
                for a in allocations
                if a.invoice_id in invoices
            ],
            credit=euros(payment.amount_cents - allocated, cents=True)
            if payment.amount_cents > allocated
            else None,
        )
    )
    return Response(
        content=pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="recu-{payment.receipt_number}.pdf"',
            "X-Content-Type-Options": "nosniff",
        },
    )


@office.get("/incidents/recent", response_model=list[IncidentOut])
async def incidents(
    tenant_id: TenantId,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[IncidentOut]:
    """Refused payment attempts and notifications (forged, tampered, another household's
    invoice, another tenant), newest first."""
    found = await TransactionRepository(session).incidents(tenant_id, limit=limit)
    return [
        IncidentOut(
            id=i.id,
            kind=i.kind,
            detail=i.detail,
            transaction_id=i.transaction_id,
            subject=i.subject,
            remote_addr=i.remote_addr,
            created_at=i.created_at,
        )
        for i in found
    ]


@refunds.post("", response_model=RefundOut, status_code=201)
async def refund(
    data: RefundIn,
    request: Request,
    principal: CurrentPrincipal,
    tenant_id: TenantId,
    session: SessionDep,
    settings: SettingsDep,
) -> RefundOut:
    """Pay back (part of) a household's credit balance; 409 ``nothing-to-refund`` beyond it."""
    return await _service(request, session, settings).refund(tenant_id, data, actor(principal))
