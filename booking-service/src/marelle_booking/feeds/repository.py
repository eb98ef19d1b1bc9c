from __future__ import annotations

from uuid import UUID

from sqlmodel import col

from marelle_booking.models import CalendarFeed
from marelle_booking.repository import BookingRepository


class FeedRepository(BookingRepository[CalendarFeed]):
    model = CalendarFeed

    async def of_household(self, tenant_id: UUID, household_id: UUID) -> CalendarFeed | None:
        return await self.get_one_or_none(
            self.scoped(tenant_id).where(col(CalendarFeed.household_id) == household_id)
        )

    async def by_token_hash(self, tenant_id: UUID, token_hash: str) -> CalendarFeed | None:
        return await self.get_one_or_none(
            self.scoped(tenant_id).where(col(CalendarFeed.token_hash) == token_hash)
        )
