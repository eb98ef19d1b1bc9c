from __future__ import annotations

from datetime import date
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import col

from marelle_booking.models import Activity, BookingCell, ChildView, MealOrder, Site
from marelle_booking.repository import BookingRepository
from marelle_contracts import CellState

MEAL_STATES = [CellState.BOOKED.value, CellState.PRESENT.value]


class CountRepository(BookingRepository[MealOrder]):
    model = MealOrder

    async def meals(
        self, tenant_id: UUID, first: date, last: date, site_id: UUID | None
    ) -> list[tuple[date, UUID, str, str | None, int]]:
        """(day, site, site name, diet, meals): one grouped query over the period."""
        query = (
            sa.select(
                col(BookingCell.day),
                col(Site.id),
                col(Site.name),
                col(ChildView.diet),
                sa.func.count(),
            )
            .join(Activity, col(Activity.id) == col(BookingCell.activity_id))
            .join(Site, col(Site.id) == col(Activity.site_id))
            .join(ChildView, col(ChildView.id) == col(BookingCell.child_id), isouter=True)
            .where(
                col(BookingCell.tenant_id) == tenant_id,
                col(BookingCell.day) >= first,
                col(BookingCell.day) <= last,
                col(BookingCell.state).in_(MEAL_STATES),
                col(Activity.includes_meal).is_(True),
            )
            .group_by(col(BookingCell.day), col(Site.id), col(Site.name), col(ChildView.diet))
            .order_by(col(BookingCell.day), col(Site.name), col(ChildView.diet))
        )
        if site_id is not None:
            query = query.where(col(Site.id) == site_id)
        return [(d, s, n, diet, int(c)) for d, s, n, diet, c in await self.session.execute(query)]

    async def orders(self, tenant_id: UUID, first: date, last: date) -> list[MealOrder]:
        return list(
            await self.session.scalars(
                self.scoped(tenant_id)
                .where(col(MealOrder.first_day) <= last, col(MealOrder.last_day) >= first)
                .order_by(col(MealOrder.first_day), col(MealOrder.version))
            )
        )

    async def last_version(self, tenant_id: UUID, first: date, last: date) -> int:
        found = await self.session.scalar(
            sa.select(sa.func.max(col(MealOrder.version))).where(
                col(MealOrder.tenant_id) == tenant_id,
                col(MealOrder.first_day) == first,
                col(MealOrder.last_day) == last,
            )
        )
        return int(found or 0)
