from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Query, Request, Response

from marelle_billing.access import actor, billing_office, check_household
from marelle_billing.documents.repository import DocumentRepository
from marelle_billing.invoicing.schemas import (
    CreditNoteIn,
    InvoiceDetail,
    InvoiceOut,
    RunCreate,
    RunOut,
)
from marelle_billing.invoicing.service import InvoiceService, RunService, invoice_out
from marelle_billing.models import ProviderPurpose
from marelle_billing.profile.service import ProfileService
from marelle_kit.errors import NotFound
from marelle_kit.security import CurrentPrincipal
from marelle_kit.tenancy import TenantId
from marelle_kit.unit_of_work import SessionDep, transactional_router

runs = transactional_router(
    prefix="/invoice-runs", tags=["invoice runs"], dependencies=billing_office
)
office = transactional_router(prefix="/invoices", tags=["invoices"], dependencies=billing_office)
members = transactional_router(prefix="/invoices", tags=["invoices"])


@runs.get("", response_model=list[RunOut])
async def list_runs(
    tenant_id: TenantId,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> list[RunOut]:
    """The billing campaigns, latest period first."""
    return await RunService(session).runs_of(tenant_id, limit=limit, offset=offset)


@runs.post("", response_model=RunOut, status_code=201)
async def create_run(
    data: RunCreate, principal: CurrentPrincipal, tenant_id: TenantId, session: SessionDep
) -> RunOut:
    """Create a campaign and compute its draft at once: the review lists errors (open
    registers under « au réel », cells without a tariff...), warnings (missing QF, amounts
    below the minimum...), totals per activity and per bracket, and the difference with the
    previous issued campaign. 409 ``invoice-run-conflict`` when an issued campaign covers the
    period."""
    return await RunService(session).create(tenant_id, data, actor(principal))


@runs.get("/{run_id}", response_model=RunOut)
async def get_run(run_id: UUID, tenant_id: TenantId, session: SessionDep) -> RunOut:
    return await RunService(session).get(tenant_id, run_id)


@runs.post("/{run_id}/compute", response_model=RunOut)
async def recompute_run(run_id: UUID, tenant_id: TenantId, session: SessionDep) -> RunOut:
    """Compute the draft again from the current facts (after closing registers, adding a
    tariff...)."""
    return await RunService(session).recompute(tenant_id, run_id)


@runs.post("/{run_id}/issue", response_model=RunOut)
async def issue_run(
    run_id: UUID, request: Request, tenant_id: TenantId, session: SessionDep
) -> RunOut:
    """Issue the reviewed draft: gapless numbers per prefix and year, credits used first,
    billing.invoice.issued and billing.balance.changed published, PDFs rendered in the
    background (``pdfs_pending``). 409 ``invoice-run-has-errors`` while the review has
    errors."""
    out = await RunService(session).issue(tenant_id, run_id)
    return out


@runs.delete("/{run_id}", status_code=204)
async def cancel_run(run_id: UUID, tenant_id: TenantId, session: SessionDep) -> Response:
    """Drop a draft (an issued campaign cannot be: 409 ``invoice-immutable``)."""
    await RunService(session).cancel(tenant_id, run_id)
    return Response(status_code=204)


@runs.get("/{run_id}/invoices", response_model=list[InvoiceOut])
async def run_invoices(
    run_id: UUID,
    tenant_id: TenantId,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> list[InvoiceOut]:
    """The campaign's invoices (drafts before the issue), by family number."""
    from marelle_billing.invoicing.repository import InvoiceRepository

    online = await ProfileService(session).online_enabled(tenant_id, ProviderPurpose.INVOICES)
    invoices = await InvoiceRepository(session).run_page(
        tenant_id, run_id, limit=limit, offset=offset
    )
    return [invoice_out(inv, online=online) for inv in invoices]


@members.get("", response_model=list[InvoiceOut])
async def household_invoices(
    household_id: Annotated[UUID, Query(description="Le foyer (un parent : le sien)")],
    principal: CurrentPrincipal,
    tenant_id: TenantId,
    session: SessionDep,
) -> list[InvoiceOut]:
    """« Mes factures »: the household's issued invoices and credit notes, newest first, with
    their payment status (à payer, payée, en retard, prélevée), what is left to pay, whether
    « Payer » is offered, and the PDF's path once rendered."""
    check_household(principal, household_id)
    return await InvoiceService(session).of_household(tenant_id, household_id)


@members.get("/{invoice_id}", response_model=InvoiceDetail)
async def get_invoice(
    invoice_id: UUID, principal: CurrentPrincipal, tenant_id: TenantId, session: SessionDep
) -> InvoiceDetail:
    """One invoice with its lines (child, activity, grouped dates, quantity, unit price, rule
    applied) and what paid it."""
    service = InvoiceService(session)
    invoice = await service.invoice(tenant_id, invoice_id)
    check_household(principal, invoice.household_id)
    if invoice.number is None and principal.household_id is not None:
        raise NotFound("Cette facture n'existe pas.")  # families never see drafts
    return await service.detail(invoice)


@members.get(
    "/{invoice_id}/pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
async def invoice_pdf(
    invoice_id: UUID, principal: CurrentPrincipal, tenant_id: TenantId, session: SessionDep
) -> Response:
    """The invoice's PDF (404 until it is rendered), opened inline in a new tab."""
    invoice = await InvoiceService(session).invoice(tenant_id, invoice_id)
    check_household(principal, invoice.household_id)
    document = await DocumentRepository(session).document("invoice", invoice.id)
    if document is None:
        raise NotFound("Le PDF de cette facture n'est pas encore prêt.")
    return Response(
        content=document.content,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{document.filename}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, max-age=3600",
        },
    )


@office.post("/{invoice_id}/credit-notes", response_model=InvoiceOut, status_code=201)
async def credit_note(
    invoice_id: UUID,
    data: CreditNoteIn,
    request: Request,
    principal: CurrentPrincipal,
    tenant_id: TenantId,
    session: SessionDep,
) -> InvoiceOut:
    """Correct an issued invoice by a credit note (avoir): the whole invoice or quantities of
    some lines. The invoice itself never changes; the credit note is numbered, published, and
    its amount pays what the invoice still owes (the rest is a credit)."""
    out = await InvoiceService(session).credit_note(tenant_id, invoice_id, data, actor(principal))
    return out
