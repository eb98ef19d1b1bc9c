from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends, Query

from marelle_kit.repository import MAX_LIMIT, MAX_OFFSET
from marelle_kit.security import CurrentPrincipal, require_roles
from marelle_kit.tenancy import TenantId
from marelle_kit.unit_of_work import SessionDep, transactional_router
from marelle_mailing.access import COMMUNICATION_STAFF
from marelle_mailing.sms.repository import SmsRepository
from marelle_mailing.sms.schemas import (
    SmsCampaignOut,
    SmsCampaignPage,
    SmsEstimate,
    SmsIn,
    SmsMessageOut,
    SmsMessagePage,
)
from marelle_mailing.sms.service import SmsService

staff = transactional_router(
    prefix="/sms", tags=["SMS"], dependencies=[Depends(require_roles(*COMMUNICATION_STAFF))]
)
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]


@staff.post("/estimate", response_model=SmsEstimate)
async def estimate(data: SmsIn, tenant_id: TenantId, session: SessionDep) -> SmsEstimate:
    """Before sending: encoding (GSM 7 bits or UCS-2), SMS per recipient, mobiles reached
    (families that refused SMS left out), cost."""
    return await SmsService(session).estimate(tenant_id, data)


@staff.post("", response_model=SmsCampaignOut, status_code=201)
async def create(
    data: SmsIn, tenant_id: TenantId, principal: CurrentPrincipal, session: SessionDep
) -> SmsCampaignOut:
    """A draft with its estimate. 409 when the tenant has no SMS sender yet."""
    return await SmsService(session).create(principal, tenant_id, data)


@staff.get("", response_model=SmsCampaignPage)
async def list_campaigns(
    tenant_id: TenantId, session: SessionDep, limit: Limit = 50, offset: Offset = 0
) -> SmsCampaignPage:
    """The tenant's SMS sendings, newest first, with their deliveries per status."""
    return await SmsService(session).page(tenant_id, limit=limit, offset=offset)


@staff.get("/{campaign_id}", response_model=SmsCampaignOut)
async def read(campaign_id: UUID, tenant_id: TenantId, session: SessionDep) -> SmsCampaignOut:
    """One sending: text, sender, encoding, SMS per recipient, cost, deliveries."""
    return await SmsService(session).view(tenant_id, campaign_id)


@staff.post("/{campaign_id}/send", response_model=SmsCampaignOut)
async def send(campaign_id: UUID, tenant_id: TenantId, session: SessionDep) -> SmsCampaignOut:
    """Queue one SMS per mobile (409 when already sent or nobody matches)."""
    return await SmsService(session).send(tenant_id, campaign_id)


@staff.get("/{campaign_id}/messages", response_model=SmsMessagePage)
async def messages(
    campaign_id: UUID,
    tenant_id: TenantId,
    session: SessionDep,
    limit: Limit = 100,
    offset: Offset = 0,
) -> SmsMessagePage:
    """Each number's status (queued, sent, failed with the provider's reason)."""
    campaign = await SmsService(session).get(tenant_id, campaign_id)
    page = await SmsRepository(session).of_campaign(
        tenant_id, campaign.id, limit=limit, offset=offset
    )
    return SmsMessagePage(
        items=[SmsMessageOut.model_validate(m) for m in page.items],
        total=page.total,
        limit=limit,
        offset=offset,
    )
