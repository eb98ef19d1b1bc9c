from __future__ import annotations

import json
from uuid import UUID

from fastapi import Depends, Request, Response

from marelle_family.documents.service import store_for
from marelle_family.households.schemas import HouseholdSummary
from marelle_family.households.service import household_for
from marelle_family.privacy.erasure import erase_household, past_retention
from marelle_family.privacy.export import household_export
from marelle_family.privacy.pdf import render_export
from marelle_family.tenants.service import tenant_of
from marelle_kit import roles
from marelle_kit.security import CurrentPrincipal, require_roles
from marelle_kit.tenancy import TenantId
from marelle_kit.unit_of_work import ReadSessionDep, SessionDep, transactional_router

members = transactional_router(prefix="/households", tags=["privacy"])
supervisors = transactional_router(
    prefix="/households",
    tags=["privacy"],
    dependencies=[Depends(require_roles(*roles.SUPERVISORS, roles.OPERATOR))],
)

retention = transactional_router(
    prefix="/retention",
    tags=["privacy"],
    dependencies=[Depends(require_roles(*roles.SUPERVISORS, roles.OPERATOR))],
)


def _attachment(body: bytes, media_type: str, filename: str) -> Response:
    return Response(
        body,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


@members.get("/{household_id}/export.json")
async def export_json(
    household_id: UUID, principal: CurrentPrincipal, tenant_id: TenantId, session: SessionDep
) -> Response:
    """All the data held on the household (the parent's right of access), as JSON."""
    household = await household_for(session, principal, tenant_id, household_id)
    tenant = await tenant_of(session, tenant_id)
    export = await household_export(session, tenant, household, principal)
    body = json.dumps(export, ensure_ascii=False, indent=2).encode()
    return _attachment(body, "application/json", f"foyer-{household.family_number}.json")


@members.get("/{household_id}/export.pdf")
async def export_pdf(
    household_id: UUID, principal: CurrentPrincipal, tenant_id: TenantId, session: SessionDep
) -> Response:
    """The same data, readable (PDF)."""
    household = await household_for(session, principal, tenant_id, household_id)
    tenant = await tenant_of(session, tenant_id)
    export = await household_export(session, tenant, household, principal)
    return _attachment(
        render_export(export), "application/pdf", f"foyer-{household.family_number}.pdf"
    )


@supervisors.post("/{household_id}/erasure", response_model=HouseholdSummary)
async def erase(
    request: Request,
    household_id: UUID,
    principal: CurrentPrincipal,
    tenant_id: TenantId,
    session: SessionDep,
) -> HouseholdSummary:
    """Anonymise the household (managers and admins), once its balance is settled."""
    household = await household_for(session, principal, tenant_id, household_id)
    store = store_for(request, session)
    for document_id in await erase_household(session, household):
        await store.delete(household.tenant_id, document_id)
    return HouseholdSummary.model_validate(household)


@retention.get("/households", response_model=list[HouseholdSummary])
async def expired(tenant_id: TenantId, session: ReadSessionDep) -> list[HouseholdSummary]:
    """Households kept past the tenant's retention period: candidates for erasure."""
    tenant = await tenant_of(session, tenant_id)
    return [HouseholdSummary.model_validate(h) for h in await past_retention(session, tenant)]
