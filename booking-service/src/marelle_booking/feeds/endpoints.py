from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Path, Query
from fastapi.responses import Response

from marelle_booking.access import check_household
from marelle_booking.feeds.schemas import FeedOut
from marelle_booking.feeds.service import FeedService
from marelle_booking.openapi import PROBLEMS
from marelle_kit.security import CurrentPrincipal
from marelle_kit.tenancy import TenantId
from marelle_kit.unit_of_work import ReadSessionDep, SessionDep, transactional_router

members = transactional_router(
    prefix="/households/{household_id}/calendar-feed", tags=["calendrier"], responses=PROBLEMS
)
# The feed itself is read by calendar applications, which send no token: the secret address
# is the credential (the gateway still names the tenant).
public = transactional_router(tags=["calendrier"], responses=PROBLEMS)


@members.get("", response_model=FeedOut, summary="Le flux ICS du foyer existe-t-il ?")
async def get_feed(
    household_id: UUID, principal: CurrentPrincipal, tenant_id: TenantId, session: ReadSessionDep
) -> FeedOut:
    await check_household(session, principal, tenant_id, household_id)
    feed = await FeedService(session).get(tenant_id, household_id)
    if feed is None:
        return FeedOut(exists=False)
    return FeedOut(exists=True, created_at=feed.created_at)


@members.post(
    "", response_model=FeedOut, summary="Créer ou renouveler l'adresse secrète du flux ICS"
)
async def renew_feed(
    household_id: UUID, principal: CurrentPrincipal, tenant_id: TenantId, session: SessionDep
) -> FeedOut:
    """L'ancienne adresse cesse de fonctionner ; la nouvelle n'est montrée qu'ici."""
    await check_household(session, principal, tenant_id, household_id)
    feed, token = await FeedService(session).renew(tenant_id, household_id)
    return FeedOut(exists=True, created_at=feed.created_at, path=f"/calendar-feeds/{token}.ics")


@members.delete("", status_code=204, summary="Supprimer le flux ICS")
async def revoke_feed(
    household_id: UUID, principal: CurrentPrincipal, tenant_id: TenantId, session: SessionDep
) -> None:
    await check_household(session, principal, tenant_id, household_id)
    await FeedService(session).revoke(tenant_id, household_id)


@public.get(
    "/calendar-feeds/{token}.ics",
    summary="Le flux ICS des réservations (adresse secrète)",
    response_class=Response,
)
async def ics_feed(
    token: Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{20,100}$")],
    tenant_id: TenantId,
    session: ReadSessionDep,
    child_id: Annotated[UUID | None, Query(description="Un seul enfant")] = None,
) -> Response:
    content = await FeedService(session).ics(tenant_id, token, child_id)
    return Response(
        content=content,
        media_type="text/calendar; charset=utf-8",
        headers={"Cache-Control": "private, max-age=300", "X-Content-Type-Options": "nosniff"},
    )
