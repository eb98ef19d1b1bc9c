"""Mailings (« module mailing »): drafts from templates, recipients by criteria, attachments,
per-recipient documents, preview, test send, sending, status per recipient, retry; and the
public one-click unsubscribe (RFC 8058) the grouped mails link to."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends, File, Query, Request, Response, UploadFile

from marelle_kit.repository import MAX_LIMIT, MAX_OFFSET
from marelle_kit.security import CurrentPrincipal, require_roles
from marelle_kit.tenancy import TenantId
from marelle_kit.unit_of_work import SessionDep, transactional_router
from marelle_mailing.access import COMMUNICATION_STAFF
from marelle_mailing.composing.schemas import RenderedOut
from marelle_mailing.forms import read_upload, upload_name
from marelle_mailing.mailings.schemas import (
    AttachmentOut,
    Criteria,
    MailingIn,
    MailingOut,
    MailingPage,
    PreviewIn,
    RecipientDocumentsOut,
    RetryOut,
    SegmentOut,
    SendIn,
    SendOut,
    TestSendIn,
    UnsubscribeOut,
)
from marelle_mailing.mailings.service import Mailings, Unsubscriptions
from marelle_mailing.mails.repository import MailRepository
from marelle_mailing.mails.schemas import MailPage, MailSummary
from marelle_mailing.settings import MailingSettings

staff = transactional_router(
    prefix="/mailings",
    tags=["mailings"],
    dependencies=[Depends(require_roles(*COMMUNICATION_STAFF))],
)
public = transactional_router(prefix="/unsubscribe", tags=["unsubscribe"])

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]


def _mailings(request: Request, session: SessionDep) -> Mailings:
    settings = request.app.state.runtime.settings
    assert isinstance(settings, MailingSettings)
    return Mailings(session, settings)


MailingsDep = Annotated[Mailings, Depends(_mailings)]


@staff.post("/segment", response_model=SegmentOut)
async def segment(criteria: Criteria, tenant_id: TenantId, mailings: MailingsDep) -> SegmentOut:
    """Who these criteria reach now: households and addresses kept, and those left out
    (refused e-mails, no address, unsubscribed). 409 ``criterion-unavailable`` for a criterion
    whose facts no service publishes yet."""
    return await mailings.segment(tenant_id, criteria)


@staff.post("", response_model=MailingOut, status_code=201)
async def create(
    data: MailingIn, tenant_id: TenantId, principal: CurrentPrincipal, mailings: MailingsDep
) -> MailingOut:
    """A draft. The seed's « invitation to the portal »: ``{"name": ..., "template_key":
    "portal_invitation", "criteria": {"never_signed_in": true}}``. 422 ``invalid-template``
    for an unknown merge field or bad syntax."""
    return await mailings.create(principal, tenant_id, data)


@staff.get("", response_model=MailingPage)
async def list_mailings(
    tenant_id: TenantId, mailings: MailingsDep, limit: Limit = 50, offset: Offset = 0
) -> MailingPage:
    """The tenant's mailings, newest first, with their deliveries per status."""
    return await mailings.page(tenant_id, limit=limit, offset=offset)


@staff.get("/{mailing_id}", response_model=MailingOut)
async def read(mailing_id: UUID, tenant_id: TenantId, mailings: MailingsDep) -> MailingOut:
    """The mailing, its attachments and its deliveries per status."""
    return await mailings.view(tenant_id, mailing_id)


@staff.put("/{mailing_id}", response_model=MailingOut)
async def change(
    mailing_id: UUID, data: MailingIn, tenant_id: TenantId, mailings: MailingsDep
) -> MailingOut:
    """Change a draft (409 ``mailing-not-draft`` once sent)."""
    return await mailings.change(tenant_id, mailing_id, data)


@staff.post("/{mailing_id}/attachments", response_model=AttachmentOut, status_code=201)
async def attach(
    mailing_id: UUID,
    tenant_id: TenantId,
    principal: CurrentPrincipal,
    mailings: MailingsDep,
    file: Annotated[UploadFile, File(description="PDF, JPEG ou PNG")],
) -> AttachmentOut:
    """A file every recipient gets."""
    data = await read_upload(file, mailings.settings.files_max_bytes)
    return await mailings.attach(principal, tenant_id, mailing_id, upload_name(file), data)


@staff.delete("/{mailing_id}/attachments/{attachment_id}", status_code=204)
async def detach(
    mailing_id: UUID, attachment_id: UUID, tenant_id: TenantId, mailings: MailingsDep
) -> Response:
    """Remove a shared attachment from a draft."""
    await mailings.detach(tenant_id, mailing_id, attachment_id)
    return Response(status_code=204)


@staff.put(
    "/{mailing_id}/recipient-documents/{household_id}",
    response_model=AttachmentOut,
    status_code=201,
)
async def put_document(
    mailing_id: UUID,
    household_id: UUID,
    tenant_id: TenantId,
    principal: CurrentPrincipal,
    mailings: MailingsDep,
    file: Annotated[UploadFile, File(description="PDF, JPEG ou PNG")],
) -> AttachmentOut:
    """One household's own document (its invoice, its certificate), replacing any earlier
    one: how another service (billing) or staff provide per-recipient documents."""
    data = await read_upload(file, mailings.settings.files_max_bytes)
    return await mailings.put_document(
        principal, tenant_id, mailing_id, household_id, upload_name(file), data
    )


@staff.post("/{mailing_id}/recipient-documents", response_model=RecipientDocumentsOut)
async def put_documents(
    mailing_id: UUID,
    tenant_id: TenantId,
    principal: CurrentPrincipal,
    mailings: MailingsDep,
    files: Annotated[list[UploadFile], File(description="Noms commençant par le n° de famille")],
) -> RecipientDocumentsOut:
    """A batch of per-recipient documents, each named after its family number
    (« 000042-facture.pdf »); unmatched names are listed, nothing is guessed."""
    limit = mailings.settings.files_max_bytes
    uploads = [(upload_name(f), await read_upload(f, limit)) for f in files]
    return await mailings.put_documents(principal, tenant_id, mailing_id, uploads)


@staff.post("/{mailing_id}/preview", response_model=RenderedOut)
async def preview(
    mailing_id: UUID, data: PreviewIn, tenant_id: TenantId, mailings: MailingsDep
) -> RenderedOut:
    """The mail as one household would receive it (merge fields filled, in the layout)."""
    rendered = await mailings.preview(tenant_id, mailing_id, data.household_id)
    return RenderedOut(subject=rendered.subject, html=rendered.html, text=rendered.text)


@staff.post("/{mailing_id}/test", status_code=202)
async def test_send(
    mailing_id: UUID, data: TestSendIn, tenant_id: TenantId, mailings: MailingsDep
) -> dict[str, str]:
    """Send one « [Essai] » copy to a staff address (with a household's merge fields when
    given, sample values otherwise)."""
    await mailings.test_send(tenant_id, mailing_id, data.to, data.household_id)
    return {"detail": "Un essai part vers cette adresse."}


@staff.post("/{mailing_id}/send", response_model=SendOut)
async def send(
    mailing_id: UUID, data: SendIn, tenant_id: TenantId, mailings: MailingsDep
) -> SendOut:
    """Queue one mail per address of the matching households (throttled delivery). 409
    ``mailing-not-draft`` if already sent, ``recipient-documents-missing`` (with the family
    numbers) when per-recipient documents are missing and not skipped, ``conflict`` when no
    one matches."""
    return await mailings.send(
        tenant_id, mailing_id, skip_missing_documents=data.skip_missing_documents
    )


@staff.get("/{mailing_id}/deliveries", response_model=MailPage)
async def deliveries(
    mailing_id: UUID,
    tenant_id: TenantId,
    mailings: MailingsDep,
    status: Annotated[str | None, Query(pattern="^(queued|sent|bounced|failed)$")] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> MailPage:
    """The status of every recipient (sent, bounced, failed with the reason, queued)."""
    mailing = await mailings.get(tenant_id, mailing_id)
    page = await MailRepository(mailings.session).of_mailing(
        tenant_id, mailing.id, status=status, limit=limit, offset=offset
    )
    return MailPage(
        items=[MailSummary.model_validate(m) for m in page.items],
        total=page.total,
        limit=limit,
        offset=offset,
    )


@staff.post("/{mailing_id}/retry", response_model=RetryOut)
async def retry(mailing_id: UUID, tenant_id: TenantId, mailings: MailingsDep) -> RetryOut:
    """Queue the failed deliveries again (bounced addresses are not retried)."""
    return RetryOut(requeued=await mailings.retry(tenant_id, mailing_id))


@public.get("/{token}", response_model=UnsubscribeOut)
async def unsubscribe_status(token: str, session: SessionDep) -> UnsubscribeOut:
    """Public (the link of a grouped mail): whose address, whether it is unsubscribed."""
    return await Unsubscriptions(session).status(token)


@public.post("/{token}", response_model=UnsubscribeOut)
async def unsubscribe(token: str, session: SessionDep) -> UnsubscribeOut:
    """One click (RFC 8058: the mail client POSTs ``List-Unsubscribe=One-Click``): no more
    grouped mails of this tenant to this address; transactional mails still arrive."""
    return await Unsubscriptions(session).unsubscribe(token)


@public.delete("/{token}", response_model=UnsubscribeOut)
async def resubscribe(token: str, session: SessionDep) -> UnsubscribeOut:
    """Undo it."""
    return await Unsubscriptions(session).resubscribe(token)
