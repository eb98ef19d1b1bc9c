from __future__ import annotations

from collections.abc import Collection
from uuid import UUID

from sqlalchemy import delete
from sqlmodel import col

from marelle_booking.models import CalendarFeed, ChildView, HouseholdView
from marelle_booking.repository import BookingRepository


class ChildViewRepository(BookingRepository[ChildView]):
    model = ChildView

    async def find(self, child_id: UUID) -> ChildView | None:
        return await self.session.get(ChildView, child_id)

    async def of_household(self, tenant_id: UUID, household_id: UUID) -> list[ChildView]:
        return list(
            await self.session.scalars(
                self.scoped(tenant_id)
                .where(col(ChildView.household_id) == household_id)
                .order_by(col(ChildView.birth_date), col(ChildView.first_name))
            )
        )

    async def all_of_tenant(self, tenant_id: UUID) -> list[ChildView]:
        return list(
            await self.session.scalars(
                self.scoped(tenant_id).order_by(col(ChildView.last_name), col(ChildView.first_name))
            )
        )

    async def by_ids(self, tenant_id: UUID, ids: Collection[UUID]) -> dict[UUID, ChildView]:
        if not ids:
            return {}
        rows = await self.session.scalars(
            self.scoped(tenant_id).where(col(ChildView.id).in_(list(ids)))
        )
        return {child.id: child for child in rows}


class HouseholdViewRepository(BookingRepository[HouseholdView]):
    model = HouseholdView

    async def find(self, household_id: UUID) -> HouseholdView | None:
        return await self.session.get(HouseholdView, household_id)

    async def by_ids(self, tenant_id: UUID, ids: Collection[UUID]) -> dict[UUID, HouseholdView]:
        if not ids:
            return {}
        rows = await self.session.scalars(
            self.scoped(tenant_id).where(col(HouseholdView.id).in_(list(ids)))
        )
        return {household.id: household for household in rows}

    async def forget_feed(self, household_id: UUID) -> None:
        await self.writer.execute(
            delete(CalendarFeed).where(col(CalendarFeed.household_id) == household_id)
        )
