from __future__ import annotations

from typing import Annotated
from urllib.parse import quote
from uuid import UUID

from fastapi import File, Form, Request, Response, UploadFile

from marelle_family import catalogue
from marelle_family.documents.schemas import DocumentOut, PersonKind
from marelle_family.documents.service import (
    EXTENSIONS,
    DocumentService,
    content_of,
    document_in,
    documents_of,
    store_for,
)
from marelle_family.households.service import household_for
from marelle_family.settings import FamilySettings
from marelle_kit.errors import InvalidPayload
from marelle_kit.security import CurrentPrincipal
from marelle_kit.tenancy import TenantId
from marelle_kit.unit_of_work import ReadSessionDep, SessionDep, transactional_router
from marelle_kit.validation import normalize_text

members = transactional_router(prefix="/households/{household_id}/documents", tags=["documents"])


@members.post("", response_model=DocumentOut, status_code=201)
async def upload(
    request: Request,
    household_id: UUID,
    principal: CurrentPrincipal,
    tenant_id: TenantId,
    session: SessionDep,
    file: Annotated[UploadFile, File()],
    name: Annotated[str, Form(min_length=1, max_length=200)],
    person_kind: Annotated[PersonKind, Form()],
    person_id: Annotated[UUID, Form()],
    description: Annotated[str | None, Form(max_length=500)] = None,
) -> DocumentOut:
    """Parents of the household and office staff: a PDF, JPEG or PNG (the type is read from
    the bytes), attached to the household, a legal guardian or a child."""
    settings: FamilySettings = request.app.state.runtime.settings
    household = await household_for(session, principal, tenant_id, household_id)
    data = await file.read(settings.documents_max_bytes + 1)
    document = await DocumentService(session, store_for(request, session)).add(
        principal,
        household,
        kind=person_kind,
        person_id=person_id,
        name=_clean(name, "name"),
        description=_clean(description, "description") if description else None,
        data=data,
        max_bytes=settings.documents_max_bytes,
    )
    return DocumentOut.model_validate(document)


def _clean(value: str, field: str) -> str:
    """A form field's text, normalised like the JSON fields' (payload validation)."""
    try:
        cleaned = normalize_text(value)
    except ValueError as exc:
        raise InvalidPayload(field, catalogue.TEXT_CHARACTER, code="text_character") from exc
    if not cleaned:
        raise InvalidPayload(field, catalogue.REQUIRED, code="missing")
    return cleaned


@members.get("", response_model=list[DocumentOut])
async def list_documents(
    household_id: UUID,
    principal: CurrentPrincipal,
    tenant_id: TenantId,
    session: ReadSessionDep,
    person_id: UUID | None = None,
) -> list[DocumentOut]:
    household = await household_for(session, principal, tenant_id, household_id)
    return [
        DocumentOut.model_validate(d) for d in await documents_of(session, household, person_id)
    ]


@members.get("/{document_id}/content")
async def download(
    request: Request,
    household_id: UUID,
    document_id: UUID,
    principal: CurrentPrincipal,
    tenant_id: TenantId,
    session: ReadSessionDep,
) -> Response:
    """The bytes, as an attachment, never rendered inline by the browser."""
    household = await household_for(session, principal, tenant_id, household_id)
    document = await document_in(session, household, document_id)
    extension = EXTENSIONS[document.content_type]
    ascii_name = (
        "".join(c if c.isascii() and (c.isalnum() or c in "-_ ") else "_" for c in document.name)
        or "document"
    )
    utf8_name = quote(f"{document.name}.{extension}", safe="")
    return Response(
        await content_of(store_for(request, session), document),
        media_type=document.content_type,
        headers={
            "Content-Disposition": (
                f"attachment; filename=\"{ascii_name}.{extension}\"; filename*=UTF-8''{utf8_name}"
            ),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


@members.delete("/{document_id}", status_code=204)
async def remove(
    request: Request,
    household_id: UUID,
    document_id: UUID,
    principal: CurrentPrincipal,
    tenant_id: TenantId,
    session: SessionDep,
) -> Response:
    household = await household_for(session, principal, tenant_id, household_id)
    service = DocumentService(session, store_for(request, session))
    await service.remove(principal, await document_in(session, household, document_id))
    return Response(status_code=204)
