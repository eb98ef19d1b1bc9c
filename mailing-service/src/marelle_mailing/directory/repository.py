"""Every query on the read models (households, guardians, children, activities, cells)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import col

from marelle_kit.repository import Repository
from marelle_mailing.models import (
    ActivityCopy,
    BookingCellCopy,
    ChildCopy,
    GuardianCopy,
    HouseholdCopy,
    InvoiceCopy,
)

# The cell states that mean "this child takes part in the activity that day".
ATTENDING_STATES = ("requested", "booked", "present", "absent_excused", "absent_unexcused")


class HouseholdRepository(Repository[HouseholdCopy]):
    model = HouseholdCopy

    async def by_id(self, household_id: UUID) -> HouseholdCopy | None:
        return await self.session.get(HouseholdCopy, household_id)

    async def lock(self, household_id: UUID) -> HouseholdCopy | None:
        return await self.session.scalar(
            sa.select(HouseholdCopy).where(col(HouseholdCopy.id) == household_id).with_for_update()
        )

    async def of_tenant(self, tenant_id: UUID) -> list[HouseholdCopy]:
        return list(
            await self.session.scalars(
                self.scoped(tenant_id)
                .where(col(HouseholdCopy.erased_at).is_(None))
                .order_by(col(HouseholdCopy.family_number))
            )
        )

    async def many(self, tenant_id: UUID, ids: Iterable[UUID]) -> list[HouseholdCopy]:
        wanted = list(ids)
        if not wanted:
            return []
        return list(
            await self.session.scalars(
                self.scoped(tenant_id)
                .where(col(HouseholdCopy.id).in_(wanted))
                .order_by(col(HouseholdCopy.family_number))
            )
        )

    async def by_family_number(self, tenant_id: UUID, number: str) -> HouseholdCopy | None:
        return await self.get_one_or_none(
            self.scoped(tenant_id).where(col(HouseholdCopy.family_number) == number)
        )

    async def erase_invoices(self, household_id: UUID) -> None:
        await self.session.execute(
            sa.delete(InvoiceCopy).where(col(InvoiceCopy.household_id) == household_id)
        )

    async def quotient_expiring(self, until: date) -> list[HouseholdCopy]:
        """Households whose QF stops being valid on or before ``until`` (every tenant)."""
        return list(
            await self.session.scalars(
                sa.select(HouseholdCopy).where(
                    col(HouseholdCopy.erased_at).is_(None),
                    col(HouseholdCopy.quotient_valid_until).is_not(None),
                    col(HouseholdCopy.quotient_valid_until) <= until,
                )
            )
        )


class GuardianRepository(Repository[GuardianCopy]):
    model = GuardianCopy

    async def by_id(self, guardian_id: UUID) -> GuardianCopy | None:
        return await self.session.get(GuardianCopy, guardian_id)

    async def of_household(self, tenant_id: UUID, household_id: UUID) -> list[GuardianCopy]:
        return list(
            await self.session.scalars(
                self.scoped(tenant_id)
                .where(col(GuardianCopy.household_id) == household_id)
                .order_by(col(GuardianCopy.rank))
            )
        )

    async def of_households(
        self, tenant_id: UUID, household_ids: Sequence[UUID]
    ) -> dict[UUID, list[GuardianCopy]]:
        found: dict[UUID, list[GuardianCopy]] = {h: [] for h in household_ids}
        if not household_ids:
            return found
        rows = await self.session.scalars(
            self.scoped(tenant_id)
            .where(col(GuardianCopy.household_id).in_(list(household_ids)))
            .order_by(col(GuardianCopy.rank))
        )
        for guardian in rows:
            found.setdefault(guardian.household_id, []).append(guardian)
        return found

    async def household_of_email(self, tenant_id: UUID, email: str) -> UUID | None:
        return await self.session.scalar(
            sa.select(col(GuardianCopy.household_id))
            .where(
                col(GuardianCopy.tenant_id) == tenant_id,
                sa.func.lower(col(GuardianCopy.email)) == email.lower(),
            )
            .limit(1)
        )

    async def delete_of_household(self, household_id: UUID) -> None:
        await self.session.execute(
            sa.delete(GuardianCopy).where(col(GuardianCopy.household_id) == household_id)
        )


class ChildRepository(Repository[ChildCopy]):
    model = ChildCopy

    async def by_id(self, child_id: UUID) -> ChildCopy | None:
        return await self.session.get(ChildCopy, child_id)

    async def of_households(
        self, tenant_id: UUID, household_ids: Sequence[UUID]
    ) -> dict[UUID, list[ChildCopy]]:
        found: dict[UUID, list[ChildCopy]] = {h: [] for h in household_ids}
        if not household_ids:
            return found
        rows = await self.session.scalars(
            self.scoped(tenant_id)
            .where(col(ChildCopy.household_id).in_(list(household_ids)))
            .order_by(col(ChildCopy.first_name))
        )
        for child in rows:
            found.setdefault(child.household_id, []).append(child)
        return found

    async def many(self, ids: Iterable[UUID]) -> dict[UUID, ChildCopy]:
        wanted = list(ids)
        if not wanted:
            return {}
        rows = await self.session.scalars(sa.select(ChildCopy).where(col(ChildCopy.id).in_(wanted)))
        return {child.id: child for child in rows}

    async def delete_of_household(self, household_id: UUID) -> None:
        await self.session.execute(
            sa.delete(ChildCopy).where(col(ChildCopy.household_id) == household_id)
        )


class ActivityRepository(Repository[ActivityCopy]):
    model = ActivityCopy

    async def by_id(self, activity_id: UUID) -> ActivityCopy | None:
        return await self.session.get(ActivityCopy, activity_id)

    async def many(self, ids: Iterable[UUID]) -> dict[UUID, ActivityCopy]:
        wanted = list(ids)
        if not wanted:
            return {}
        rows = await self.session.scalars(
            sa.select(ActivityCopy).where(col(ActivityCopy.id).in_(wanted))
        )
        return {activity.id: activity for activity in rows}

    async def of_tenant(self, tenant_id: UUID) -> list[ActivityCopy]:
        return list(
            await self.session.scalars(
                self.scoped(tenant_id).order_by(col(ActivityCopy.site_name), col(ActivityCopy.name))
            )
        )


class CellRepository(Repository[BookingCellCopy]):
    model = BookingCellCopy

    async def lock(self, cell_id: UUID) -> BookingCellCopy | None:
        return await self.session.scalar(
            sa.select(BookingCellCopy).where(col(BookingCellCopy.id) == cell_id).with_for_update()
        )

    async def delete_of_household(self, household_id: UUID) -> None:
        await self.session.execute(
            sa.delete(BookingCellCopy).where(col(BookingCellCopy.household_id) == household_id)
        )

    async def households_attending(
        self,
        tenant_id: UUID,
        *,
        activity_ids: Sequence[UUID] | None,
        site_ids: Sequence[UUID] | None,
        first_day: date,
        last_day: date | None,
    ) -> set[UUID]:
        """Households with a child taking part (booked, requested, present...) on a day of
        [first_day, last_day] in one of the activities (or at one of the sites)."""
        query = (
            sa.select(col(BookingCellCopy.household_id))
            .where(
                col(BookingCellCopy.tenant_id) == tenant_id,
                col(BookingCellCopy.state).in_(ATTENDING_STATES),
                col(BookingCellCopy.day) >= first_day,
            )
            .distinct()
        )
        if last_day is not None:
            query = query.where(col(BookingCellCopy.day) <= last_day)
        if activity_ids is not None:
            query = query.where(col(BookingCellCopy.activity_id).in_(list(activity_ids)))
        if site_ids is not None:
            query = query.join(
                ActivityCopy, col(ActivityCopy.id) == col(BookingCellCopy.activity_id)
            ).where(col(ActivityCopy.site_id).in_(list(site_ids)))
        return set(await self.session.scalars(query))

    async def children_attending(
        self, tenant_id: UUID, household_id: UUID, first_day: date
    ) -> list[tuple[UUID, UUID]]:
        """(activity id, site id) pairs a household's children take part in from a day on."""
        rows = await self.session.execute(
            sa.select(col(BookingCellCopy.activity_id), col(ActivityCopy.site_id))
            .join(ActivityCopy, col(ActivityCopy.id) == col(BookingCellCopy.activity_id))
            .where(
                col(BookingCellCopy.tenant_id) == tenant_id,
                col(BookingCellCopy.household_id) == household_id,
                col(BookingCellCopy.state).in_(ATTENDING_STATES),
                col(BookingCellCopy.day) >= first_day,
            )
            .distinct()
        )
        return [(activity_id, site_id) for activity_id, site_id in rows.all()]
