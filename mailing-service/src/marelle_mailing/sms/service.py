"""SMS to families: the same criteria as mailings, the SMS authorisation respected (an opt-out
household is never texted), the sender the tenant set (11 characters at most), the encoding,
the number of SMS per recipient and the cost shown before sending; delivery through the
provider port with retries."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from uuid import UUID

from marelle_kit.clock import utcnow
from marelle_kit.database import Database, WriteSession
from marelle_kit.errors import NotFound
from marelle_kit.security import Principal
from marelle_mailing import catalogue
from marelle_mailing.configuration.service import Configuration
from marelle_mailing.mailings.schemas import Criteria
from marelle_mailing.mailings.segments import matching
from marelle_mailing.models import SmsCampaign, SmsMessage
from marelle_mailing.sms.encoding import international, size_of
from marelle_mailing.sms.providers import OutgoingSms, SmsProvider, SmsRefused, SmsUnavailable
from marelle_mailing.sms.repository import SmsCampaignRepository, SmsRepository
from marelle_mailing.sms.schemas import SmsCampaignOut, SmsCampaignPage, SmsEstimate, SmsIn

log = logging.getLogger(__name__)

RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=10), timedelta(hours=1))
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1


@dataclass(frozen=True)
class SmsTarget:
    household_id: UUID
    phone: str


@dataclass(frozen=True)
class SmsSegment:
    targets: list[SmsTarget]
    refused: int
    without_mobile: int


async def sms_segment(session: WriteSession, tenant_id: UUID, criteria: Criteria) -> SmsSegment:
    targets: list[SmsTarget] = []
    seen: set[str] = set()
    refused = without = 0
    for household, guardians, _children in await matching(session, tenant_id, criteria):
        if not household.sms_authorised:
            refused += 1
            continue
        phones = [international(g.phone) for g in guardians if g.phone]
        mobiles = [p for p in phones if p is not None]
        if not mobiles:
            without += 1
            continue
        for phone in mobiles:
            if phone not in seen:
                seen.add(phone)
                targets.append(SmsTarget(household.id, phone))
    return SmsSegment(targets, refused, without)


def rounded(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


class SmsService:
    def __init__(self, session: WriteSession) -> None:
        self.session = session
        self.campaigns = SmsCampaignRepository(session)
        self.messages = SmsRepository(session)
        self.config = Configuration(session)

    async def estimate(self, tenant_id: UUID, data: SmsIn) -> SmsEstimate:
        settings = await self.config.of(tenant_id)
        size = size_of(data.text)
        segment = await sms_segment(self.session, tenant_id, data.criteria)
        price = settings.sms_segment_price
        return SmsEstimate(
            sender=settings.sms_sender,
            encoding=size.encoding,
            characters=len(data.text),
            segments=size.segments,
            recipients=len(segment.targets),
            refused_sms=segment.refused,
            without_mobile=segment.without_mobile,
            segment_price=price,
            cost=rounded(size.cost(len(segment.targets), price)),
        )

    async def create(self, principal: Principal, tenant_id: UUID, data: SmsIn) -> SmsCampaignOut:
        estimate = await self.estimate(tenant_id, data)
        if not estimate.sender:
            raise catalogue.SmsSenderMissing(
                catalogue.SMS_SENDER_MISSING,
                field="sms_sender",
            )
        campaign = SmsCampaign(
            tenant_id=tenant_id,
            text=data.text,
            sender=estimate.sender,
            criteria=data.criteria.model_dump(mode="json"),
            encoding=estimate.encoding,
            segments=estimate.segments,
            recipients=estimate.recipients,
            segment_price=estimate.segment_price,
            created_by=principal.subject,
        )
        await self.campaigns.add(campaign)
        return await self.view(tenant_id, campaign.id)

    async def get(self, tenant_id: UUID, campaign_id: UUID) -> SmsCampaign:
        found = await self.campaigns.get(tenant_id, campaign_id)
        if found is None:
            raise NotFound(catalogue.SMS_NOT_FOUND)
        return found

    async def view(self, tenant_id: UUID, campaign_id: UUID) -> SmsCampaignOut:
        campaign = await self.get(tenant_id, campaign_id)
        return await self._view(campaign)

    async def _view(self, campaign: SmsCampaign) -> SmsCampaignOut:
        deliveries = await self.messages.status_counts(campaign.id)
        status = campaign.status
        if status == "sending" and not deliveries.get("queued"):
            status = "sent"
        return SmsCampaignOut(
            id=campaign.id,
            text=campaign.text,
            criteria=Criteria.model_validate(campaign.criteria),
            sender=campaign.sender,
            encoding=campaign.encoding,
            characters=len(campaign.text),
            segments=campaign.segments,
            recipients=campaign.recipients,
            refused_sms=0,
            without_mobile=0,
            segment_price=campaign.segment_price,
            cost=rounded(campaign.segment_price * campaign.segments * campaign.recipients),
            status=status,
            created_by=campaign.created_by,
            created_at=campaign.created_at,
            sent_at=campaign.sent_at,
            deliveries=deliveries,
        )

    async def page(self, tenant_id: UUID, *, limit: int, offset: int) -> SmsCampaignPage:
        page = await self.campaigns.page(tenant_id, limit=limit, offset=offset)
        return SmsCampaignPage(
            items=[await self._view(c) for c in page.items],
            total=page.total,
            limit=limit,
            offset=offset,
        )

    async def send(self, tenant_id: UUID, campaign_id: UUID) -> SmsCampaignOut:
        """Queue one SMS per mobile, once (the campaign's row is locked). The recipients are
        those of now: a family that opted out since the estimate is not texted."""
        campaign = await self.campaigns.get_for_update(tenant_id, campaign_id)
        if campaign is None:
            raise NotFound(catalogue.SMS_NOT_FOUND)
        if campaign.status != "draft":
            raise catalogue.SmsAlreadySent(catalogue.SMS_ALREADY_SENT)
        segment = await sms_segment(
            self.session, tenant_id, Criteria.model_validate(campaign.criteria)
        )
        if not segment.targets:
            raise catalogue.NobodyMatches(catalogue.NO_MOBILE_MATCHES)
        await self.messages.add_all(
            [
                SmsMessage(
                    tenant_id=tenant_id,
                    campaign_id=campaign.id,
                    household_id=t.household_id,
                    phone=t.phone,
                    text=campaign.text,
                    sender=campaign.sender,
                )
                for t in segment.targets
            ]
        )
        campaign.status, campaign.sent_at = "sending", utcnow()
        campaign.recipients = len(segment.targets)
        await self.campaigns.add(campaign)
        return await self._view(campaign)


async def attempt_sms(message: SmsMessage, provider: SmsProvider) -> None:
    message.attempts += 1
    try:
        message.provider_reference = await provider.send(
            OutgoingSms(
                reference=str(message.id),
                sender=message.sender,
                phone=message.phone,
                text=message.text,
                unicode=size_of(message.text).encoding == "ucs2",
            )
        )
    except SmsRefused as exc:
        message.status, message.last_error = "failed", str(exc)
        return
    except SmsUnavailable as exc:
        message.last_error = str(exc)
        if message.attempts >= MAX_ATTEMPTS:
            message.status = "failed"
        else:
            message.next_attempt_at = utcnow() + RETRY_DELAYS[message.attempts - 1]
        return
    message.status, message.sent_at, message.last_error = "sent", utcnow(), None


async def deliver_due_sms(database: Database, provider: SmsProvider, limit: int = 50) -> int:
    """One batch: claim due messages (locked, others skipped), send each, record it."""
    async with database.transaction() as session:
        repository = SmsRepository(session)
        messages = await repository.claim_due(utcnow(), limit)
        for message in messages:
            await attempt_sms(message, provider)
            await repository.save(message)
        return len(messages)
