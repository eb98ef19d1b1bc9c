from __future__ import annotations

from fastapi import Depends, Path, Response

from marelle_kit.security import CurrentPrincipal, require_roles
from marelle_kit.tenancy import TenantId
from marelle_kit.unit_of_work import SessionDep, transactional_router
from marelle_mailing.access import COMMUNICATION_STAFF, SETTINGS_ADMINS
from marelle_mailing.composing.schemas import RenderedOut, TemplateIn, TemplateOut, TemplateSummary
from marelle_mailing.composing.service import Composer
from marelle_mailing.configuration.service import Configuration

staff = transactional_router(
    prefix="/templates",
    tags=["templates"],
    dependencies=[Depends(require_roles(*(COMMUNICATION_STAFF | SETTINGS_ADMINS)))],
)

KeyPath = Path(pattern=r"^[a-z][a-z0-9_\-]*$", min_length=2, max_length=60)


@staff.get("", response_model=list[TemplateSummary])
async def list_templates(tenant_id: TenantId, session: SessionDep) -> list[TemplateSummary]:
    """The shipped templates (notifications and mailing models), whether the tenant has its own
    version, and the tenant's own mailing models."""
    return await Composer(session).summaries(tenant_id)


@staff.get("/{key}", response_model=TemplateOut)
async def read_template(
    tenant_id: TenantId, session: SessionDep, key: str = KeyPath
) -> TemplateOut:
    """The template as the tenant has it, with its merge fields (name, label, sample)."""
    return await Composer(session).read(tenant_id, key)


@staff.put("/{key}", response_model=TemplateOut)
async def save_template(
    data: TemplateIn,
    tenant_id: TenantId,
    principal: CurrentPrincipal,
    session: SessionDep,
    key: str = KeyPath,
) -> TemplateOut:
    """Save the tenant's version of a shipped template, or a mailing model of its own (a key
    the catalogue does not have; ``name`` required). The HTML is sanitised; an unknown merge
    field or a syntax error is a 422 ``invalid-template``. Notifications: administrators only
    (403)."""
    return await Composer(session).save(principal, tenant_id, key, data)


@staff.delete("/{key}", status_code=204)
async def reset_template(
    tenant_id: TenantId, principal: CurrentPrincipal, session: SessionDep, key: str = KeyPath
) -> Response:
    """Back to the shipped text (or delete the tenant's own model)."""
    await Composer(session).reset(principal, tenant_id, key)
    return Response(status_code=204)


@staff.post("/{key}/preview", response_model=RenderedOut)
async def preview_template(
    tenant_id: TenantId, session: SessionDep, key: str = KeyPath
) -> RenderedOut:
    """The template filled with sample values, in the mail layout."""
    name = await Configuration(session).tenant_name(tenant_id)
    rendered = await Composer(session).preview(tenant_id, key, name)
    return RenderedOut(subject=rendered.subject, html=rendered.html, text=rendered.text)
