from __future__ import annotations

from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import col

from marelle_kit.repository import Page, Repository
from marelle_mailing.models import SmsCampaign, SmsMessage


class SmsCampaignRepository(Repository[SmsCampaign]):
    model = SmsCampaign

    async def page(self, tenant_id: UUID, *, limit: int, offset: int) -> Page[SmsCampaign]:
        return await self.paginate(
            self.scoped(tenant_id).order_by(col(SmsCampaign.created_at).desc()),
            limit=limit,
            offset=offset,
        )


class SmsRepository(Repository[SmsMessage]):
    model = SmsMessage

    async def claim_due(self, now: datetime, limit: int) -> list[SmsMessage]:
        return list(
            await self.session.scalars(
                sa.select(SmsMessage)
                .where(col(SmsMessage.status) == "queued", col(SmsMessage.next_attempt_at) <= now)
                .order_by(col(SmsMessage.next_attempt_at))
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )

    async def of_campaign(
        self, tenant_id: UUID, campaign_id: UUID, *, limit: int, offset: int
    ) -> Page[SmsMessage]:
        return await self.paginate(
            self.scoped(tenant_id)
            .where(col(SmsMessage.campaign_id) == campaign_id)
            .order_by(col(SmsMessage.phone)),
            limit=limit,
            offset=offset,
        )

    async def status_counts(self, campaign_id: UUID) -> dict[str, int]:
        rows = await self.session.execute(
            sa.select(col(SmsMessage.status), sa.func.count())
            .where(col(SmsMessage.campaign_id) == campaign_id)
            .group_by(col(SmsMessage.status))
        )
        return {status: int(n) for status, n in rows.all()}

    async def erase_household(self, household_id: UUID) -> None:
        await self.session.execute(
            sa.delete(SmsMessage).where(col(SmsMessage.household_id) == household_id)
        )
