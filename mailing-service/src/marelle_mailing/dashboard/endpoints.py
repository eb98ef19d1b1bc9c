from __future__ import annotations

from uuid import UUID

from fastapi import Request

from marelle_kit.tenancy import TenantId
from marelle_kit.unit_of_work import SessionDep, transactional_router
from marelle_mailing.access import CurrentParent
from marelle_mailing.dashboard.schemas import FamilyDashboard
from marelle_mailing.dashboard.service import family_dashboard
from marelle_mailing.settings import MailingSettings

parents = transactional_router(tags=["family dashboard"])


@parents.get("/households/{household_id}/dashboard", response_model=FamilyDashboard)
async def dashboard(
    request: Request,
    household_id: UUID,
    parent: CurrentParent,
    tenant_id: TenantId,
    session: SessionDep,
) -> FamilyDashboard:
    """The portal home's messages and documents card: unread messages (and the conversations
    holding them), new documents since the last visit, the documents awaiting « J'ai lu »."""
    settings = request.app.state.runtime.settings
    assert isinstance(settings, MailingSettings)
    return await family_dashboard(session, settings, parent, tenant_id, household_id)
