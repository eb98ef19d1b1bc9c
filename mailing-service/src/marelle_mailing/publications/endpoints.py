"""Published documents: staff publish by category to an audience; families read « Mes
documents » (grouped by category, with the counter of new documents) and acknowledge."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import Depends, File, Form, Query, Request, Response, UploadFile
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from marelle_kit.files import attachment_response
from marelle_kit.repository import MAX_LIMIT, MAX_OFFSET
from marelle_kit.security import CurrentPrincipal, require_roles
from marelle_kit.tenancy import TenantId
from marelle_kit.unit_of_work import SessionDep, transactional_router
from marelle_mailing.access import COMMUNICATION_STAFF, CurrentParent
from marelle_mailing.forms import read_upload, upload_name
from marelle_mailing.publications.schemas import (
    AcknowledgementOut,
    Audience,
    CategoryIn,
    CategoryOut,
    FamilyDocumentsPage,
    PublicationMeta,
    PublicationOut,
    PublicationPage,
)
from marelle_mailing.publications.service import Publications
from marelle_mailing.settings import MailingSettings

members = transactional_router(tags=["published documents"])
staff = transactional_router(
    tags=["published documents (staff)"],
    dependencies=[Depends(require_roles(*COMMUNICATION_STAFF))],
)
parents = transactional_router(
    prefix="/households/{household_id}/documents", tags=["published documents"]
)


def _publications(request: Request, session: SessionDep) -> Publications:
    settings = request.app.state.runtime.settings
    assert isinstance(settings, MailingSettings)
    return Publications(session, settings)


PublicationsDep = Annotated[Publications, Depends(_publications)]


def _meta(values: dict[str, object]) -> PublicationMeta:
    """The multipart fields, validated like a JSON body (422 with each field named)."""
    try:
        return PublicationMeta.model_validate(values)
    except ValidationError as exc:
        errors = [{**e, "loc": ("body", *e.get("loc", ()))} for e in exc.errors()]
        raise RequestValidationError(errors) from exc


@members.get("/publication-categories", response_model=list[CategoryOut])
async def categories(
    tenant_id: TenantId, principal: CurrentPrincipal, publications: PublicationsDep
) -> list[CategoryOut]:
    """The tenant's categories (« Menus », « Activités », « Règlements »...), in order."""
    return [
        CategoryOut.model_validate(c) for c in await publications.categories.of_tenant(tenant_id)
    ]


@staff.post("/publication-categories", response_model=CategoryOut, status_code=201)
async def add_category(
    data: CategoryIn, tenant_id: TenantId, publications: PublicationsDep
) -> CategoryOut:
    """A new category (409 when the name is taken)."""
    return CategoryOut.model_validate(await publications.add_category(tenant_id, data))


@staff.put("/publication-categories/{category_id}", response_model=CategoryOut)
async def change_category(
    category_id: UUID, data: CategoryIn, tenant_id: TenantId, publications: PublicationsDep
) -> CategoryOut:
    return CategoryOut.model_validate(
        await publications.change_category(tenant_id, category_id, data)
    )


@staff.delete("/publication-categories/{category_id}", status_code=204)
async def remove_category(
    category_id: UUID, tenant_id: TenantId, publications: PublicationsDep
) -> Response:
    """409 while documents are in it."""
    await publications.remove_category(tenant_id, category_id)
    return Response(status_code=204)


@staff.post("/publications", response_model=PublicationOut, status_code=201)
async def publish(
    tenant_id: TenantId,
    principal: CurrentPrincipal,
    publications: PublicationsDep,
    file: Annotated[UploadFile, File(description="PDF, JPEG ou PNG")],
    category_id: Annotated[UUID, Form()],
    title: Annotated[str, Form(max_length=200)],
    published_on: Annotated[date, Form()],
    audience: Annotated[Audience, Form()] = "all",
    audience_ref: Annotated[str | None, Form(max_length=200)] = None,
    expires_on: Annotated[date | None, Form()] = None,
    description: Annotated[str | None, Form(max_length=1000)] = None,
    requires_acknowledgement: Annotated[bool, Form()] = False,
) -> PublicationOut:
    """Publish a document (multipart). Audience: ``all``; ``site`` or ``activity`` with the
    booking-service's id in ``audience_ref``; ``school`` with the school's name as in the
    children's records. Families see it from ``published_on`` to ``expires_on`` included."""
    meta = _meta(
        {
            "category_id": category_id,
            "title": title,
            "description": description or None,
            "audience": audience,
            "audience_ref": audience_ref or None,
            "published_on": published_on,
            "expires_on": expires_on,
            "requires_acknowledgement": requires_acknowledgement,
        }
    )
    data = await read_upload(file, publications.files.settings.files_max_bytes)
    return await publications.publish(principal, tenant_id, meta, upload_name(file), data)


@staff.get("/publications", response_model=PublicationPage)
async def list_publications(
    tenant_id: TenantId,
    publications: PublicationsDep,
    category_id: UUID | None = None,
    current_only: bool = False,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> PublicationPage:
    """Every published document (or only those families see today), newest first, with the
    number of acknowledgements."""
    return await publications.page(
        tenant_id, category_id=category_id, current_only=current_only, limit=limit, offset=offset
    )


@staff.put("/publications/{publication_id}", response_model=PublicationOut)
async def change_publication(
    publication_id: UUID, data: PublicationMeta, tenant_id: TenantId, publications: PublicationsDep
) -> PublicationOut:
    """Change what is said of it (title, audience, dates...); the file stays."""
    return await publications.change(tenant_id, publication_id, data)


@staff.post("/publications/{publication_id}/withdraw", response_model=PublicationOut)
async def withdraw(
    publication_id: UUID, tenant_id: TenantId, publications: PublicationsDep
) -> PublicationOut:
    """Families no longer see it (409 when already withdrawn)."""
    return await publications.withdraw(tenant_id, publication_id)


@staff.get("/publications/{publication_id}/content")
async def publication_content(
    publication_id: UUID, tenant_id: TenantId, publications: PublicationsDep
) -> Response:
    data, stored = await publications.content(tenant_id, publication_id)
    return attachment_response(data, stored.content_type, stored.name)


@staff.get(
    "/publications/{publication_id}/acknowledgements", response_model=list[AcknowledgementOut]
)
async def acknowledgements(
    publication_id: UUID, tenant_id: TenantId, publications: PublicationsDep
) -> list[AcknowledgementOut]:
    """The households that ticked « J'ai lu », in order."""
    return await publications.acknowledgements(tenant_id, publication_id)


@parents.get("", response_model=FamilyDocumentsPage)
async def family_documents(
    household_id: UUID, parent: CurrentParent, tenant_id: TenantId, publications: PublicationsDep
) -> FamilyDocumentsPage:
    """« Mes documents »: what the household may see today, grouped by category, each with
    ``new`` since the last visit. Reading does not count as a visit: the page posts
    ``/visit`` once shown."""
    return await publications.family_page(tenant_id, household_id)


@parents.post("/visit", status_code=204)
async def family_visit(
    household_id: UUID, parent: CurrentParent, tenant_id: TenantId, publications: PublicationsDep
) -> Response:
    """The family saw « Mes documents »: the « new » counters start again from now."""
    await publications.visited(tenant_id, household_id)
    return Response(status_code=204)


@parents.get("/{publication_id}/content")
async def family_document_content(
    household_id: UUID,
    publication_id: UUID,
    parent: CurrentParent,
    tenant_id: TenantId,
    publications: PublicationsDep,
) -> Response:
    """The document, if the household is in its audience and it is current (else 404)."""
    publication = await publications.family_document(tenant_id, household_id, publication_id)
    data, stored = await publications.content(tenant_id, publication.id)
    return attachment_response(data, stored.content_type, stored.name)


@parents.post("/{publication_id}/acknowledge")
async def acknowledge(
    household_id: UUID,
    publication_id: UUID,
    parent: CurrentParent,
    tenant_id: TenantId,
    publications: PublicationsDep,
) -> dict[str, str]:
    """« J'ai lu »: once per household (again is harmless and keeps the first time); 409 when
    the document asks for no acknowledgement."""
    at = await publications.acknowledge(parent, tenant_id, household_id, publication_id)
    return {"acknowledged_at": at.isoformat()}
