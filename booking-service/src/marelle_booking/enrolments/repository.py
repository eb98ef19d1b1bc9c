from __future__ import annotations

from collections.abc import Collection
from uuid import UUID

from sqlmodel import col

from marelle_booking.models import Enrolment
from marelle_booking.repository import BookingRepository


class EnrolmentRepository(BookingRepository[Enrolment]):
    model = Enrolment

    async def of_household(self, tenant_id: UUID, household_id: UUID) -> list[Enrolment]:
        return list(
            await self.session.scalars(
                self.scoped(tenant_id)
                .where(col(Enrolment.household_id) == household_id)
                .order_by(col(Enrolment.created_at))
            )
        )

    async def of_children(
        self, tenant_id: UUID, child_ids: Collection[UUID], school_year_ids: Collection[UUID]
    ) -> list[Enrolment]:
        if not child_ids or not school_year_ids:
            return []
        return list(
            await self.session.scalars(
                self.scoped(tenant_id).where(
                    col(Enrolment.child_id).in_(list(child_ids)),
                    col(Enrolment.school_year_id).in_(list(school_year_ids)),
                )
            )
        )

    async def find(
        self, tenant_id: UUID, child_id: UUID, activity_id: UUID, school_year_id: UUID
    ) -> Enrolment | None:
        return await self.get_one_or_none(
            self.scoped(tenant_id).where(
                col(Enrolment.child_id) == child_id,
                col(Enrolment.activity_id) == activity_id,
                col(Enrolment.school_year_id) == school_year_id,
            )
        )

    async def search(
        self,
        tenant_id: UUID,
        *,
        status: str | None,
        activity_id: UUID | None,
        limit: int,
        offset: int,
    ) -> list[Enrolment]:
        query = self.scoped(tenant_id)
        if status is not None:
            query = query.where(col(Enrolment.status) == status)
        if activity_id is not None:
            query = query.where(col(Enrolment.activity_id) == activity_id)
        page = await self.paginate(
            query.order_by(col(Enrolment.created_at), col(Enrolment.id)), limit=limit, offset=offset
        )
        return page.items
