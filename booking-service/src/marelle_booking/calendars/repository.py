from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import col

from marelle_booking.models import Closure, PublicHoliday, SchoolHoliday, SchoolYear
from marelle_kit.repository import Repository


class ReferenceRepository(Repository[SchoolHoliday]):
    """The national calendars (not tenant-owned: every tenant reads the same rows)."""

    model = SchoolHoliday

    async def school_holiday_keys(self) -> set[tuple[str, date]]:
        rows = await self.session.execute(
            sa.select(col(SchoolHoliday.zone), col(SchoolHoliday.first_day))
        )
        return {(zone, first_day) for zone, first_day in rows}

    async def public_holiday_days(self) -> set[date]:
        return set(await self.session.scalars(sa.select(col(PublicHoliday.day))))

    async def add_reference(
        self, spans: Sequence[SchoolHoliday], days: Sequence[PublicHoliday]
    ) -> None:
        self.writer.add_all([*spans, *days])
        await self.writer.flush()

    async def school_holidays(self) -> list[SchoolHoliday]:
        return list(
            await self.session.scalars(
                sa.select(SchoolHoliday).order_by(
                    col(SchoolHoliday.zone), col(SchoolHoliday.first_day)
                )
            )
        )

    async def public_holidays(self) -> list[PublicHoliday]:
        return list(
            await self.session.scalars(sa.select(PublicHoliday).order_by(col(PublicHoliday.day)))
        )


class SchoolYearRepository(Repository[SchoolYear]):
    model = SchoolYear

    async def of_tenant(self, tenant_id: UUID) -> list[SchoolYear]:
        return list(
            await self.session.scalars(self.scoped(tenant_id).order_by(col(SchoolYear.first_day)))
        )

    async def by_label(self, tenant_id: UUID, label: str) -> SchoolYear | None:
        return await self.get_one_or_none(
            self.scoped(tenant_id).where(col(SchoolYear.label) == label)
        )

    async def overlapping(self, tenant_id: UUID, first: date, last: date) -> list[SchoolYear]:
        return list(
            await self.session.scalars(
                self.scoped(tenant_id).where(
                    col(SchoolYear.first_day) <= last, col(SchoolYear.last_day) >= first
                )
            )
        )


class ClosureRepository(Repository[Closure]):
    model = Closure

    async def overlapping(self, tenant_id: UUID, first: date, last: date) -> list[Closure]:
        return list(
            await self.session.scalars(
                self.scoped(tenant_id)
                .where(col(Closure.first_day) <= last, col(Closure.last_day) >= first)
                .order_by(col(Closure.first_day), col(Closure.created_at))
            )
        )
