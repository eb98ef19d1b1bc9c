"""A household's ICS feed at a secret address: a random token, only its hash kept; renewing
it makes the old address stop working."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from uuid import UUID

from marelle_booking import timing
from marelle_booking.activities.repository import ActivityRepository, SiteRepository
from marelle_booking.activities.service import slots_of
from marelle_booking.cells.repository import CellRepository
from marelle_booking.cells.schemas import STATUS_LABELS
from marelle_booking.cells.states import HOLDS_A_PLACE
from marelle_booking.cells.writer import today
from marelle_booking.families.repository import ChildViewRepository, HouseholdViewRepository
from marelle_booking.feeds.ics import FeedEntry, render_ics
from marelle_booking.feeds.repository import FeedRepository
from marelle_booking.models import CalendarFeed, tenants
from marelle_contracts import CellState
from marelle_kit.database import ReadSession
from marelle_kit.errors import NotFound

FEED_DAYS_BEFORE = 31
FEED_DAYS_AFTER = 200


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class FeedService:
    def __init__(self, session: ReadSession) -> None:
        self.session = session
        self.feeds = FeedRepository(session)

    async def get(self, tenant_id: UUID, household_id: UUID) -> CalendarFeed | None:
        return await self.feeds.of_household(tenant_id, household_id)

    async def renew(self, tenant_id: UUID, household_id: UUID) -> tuple[CalendarFeed, str]:
        household = await HouseholdViewRepository(self.session).get(tenant_id, household_id)
        if household is None or household.erased:
            raise NotFound("Ce foyer n'existe pas.")
        token = secrets.token_urlsafe(32)
        feed = await self.feeds.of_household(tenant_id, household_id) or CalendarFeed(
            household_id=household_id, tenant_id=tenant_id, token_hash=""
        )
        feed.token_hash = token_hash(token)
        feed.created_at = timing.now()
        return await self.feeds.save(feed), token

    async def revoke(self, tenant_id: UUID, household_id: UUID) -> None:
        feed = await self.feeds.of_household(tenant_id, household_id)
        if feed is not None:
            await self.feeds.delete(feed)

    async def ics(self, tenant_id: UUID, token: str, child_id: UUID | None) -> bytes:
        feed = await self.feeds.by_token_hash(tenant_id, token_hash(token))
        if feed is None:
            raise NotFound("Ce calendrier n'existe pas (son adresse a peut-être été renouvelée).")
        first = today() - timedelta(days=FEED_DAYS_BEFORE)
        last = today() + timedelta(days=FEED_DAYS_AFTER)
        cells = [
            c
            for c in await CellRepository(self.session).of_household(
                tenant_id, feed.household_id, first, last
            )
            if CellState(c.state) in HOLDS_A_PLACE and (child_id is None or c.child_id == child_id)
        ]
        children = await ChildViewRepository(self.session).by_ids(
            tenant_id, {c.child_id for c in cells}
        )
        activities = await ActivityRepository(self.session).by_ids(
            tenant_id, {c.activity_id for c in cells}
        )
        sites = await SiteRepository(self.session).by_ids(
            tenant_id, {a.site_id for a in activities.values()}
        )
        entries = []
        for cell in cells:
            activity = activities[cell.activity_id]
            slots = slots_of(activity)
            child = children.get(cell.child_id)
            entries.append(
                FeedEntry(
                    cell_id=cell.id,
                    version=cell.version,
                    day=cell.day,
                    child_name=child.first_name if child else "",
                    activity_name=activity.name,
                    site_name=sites[activity.site_id].name if activity.site_id in sites else "",
                    state_label=STATUS_LABELS.get(cell.state, cell.state),
                    start=slots[0].start if slots else None,
                    end=slots[-1].end if slots else None,
                )
            )
        name = await tenants.name_of(self.session, tenant_id) or "Marelle"
        return render_ics(name, entries, timing.now())
