from __future__ import annotations

from collections.abc import Collection, Sequence
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy import delete
from sqlmodel import col

from marelle_booking.models import Activity, ActivityGroup, ActivitySeason, Site
from marelle_booking.repository import BookingRepository


class SiteRepository(BookingRepository[Site]):
    model = Site

    async def of_tenant(self, tenant_id: UUID) -> list[Site]:
        return list(await self.session.scalars(self.scoped(tenant_id).order_by(col(Site.name))))

    async def by_name(self, tenant_id: UUID, name: str) -> Site | None:
        return await self.get_one_or_none(self.scoped(tenant_id).where(col(Site.name) == name))

    async def by_ids(self, tenant_id: UUID, ids: Collection[UUID]) -> dict[UUID, Site]:
        if not ids:
            return {}
        rows = await self.session.scalars(self.scoped(tenant_id).where(col(Site.id).in_(list(ids))))
        return {site.id: site for site in rows}


class ActivityRepository(BookingRepository[Activity]):
    model = Activity

    async def of_tenant(self, tenant_id: UUID, *, active_only: bool = False) -> list[Activity]:
        query = self.scoped(tenant_id)
        if active_only:
            query = query.where(col(Activity.active).is_(True))
        return list(
            await self.session.scalars(query.order_by(col(Activity.position), col(Activity.name)))
        )

    async def by_code(self, tenant_id: UUID, code: str) -> Activity | None:
        return await self.get_one_or_none(self.scoped(tenant_id).where(col(Activity.code) == code))

    async def by_ids(self, tenant_id: UUID, ids: Collection[UUID]) -> dict[UUID, Activity]:
        if not ids:
            return {}
        rows = await self.session.scalars(
            self.scoped(tenant_id).where(col(Activity.id).in_(list(ids)))
        )
        return {activity.id: activity for activity in rows}

    async def with_sites(
        self, tenant_id: UUID, ids: Collection[UUID]
    ) -> list[tuple[Activity, Site]]:
        """Activities and their sites in one query (the grid's hot path)."""
        if not ids:
            return []
        rows = await self.session.execute(
            sa.select(Activity, Site)
            .join(Site, col(Site.id) == col(Activity.site_id))
            .where(col(Activity.tenant_id) == tenant_id, col(Activity.id).in_(list(ids)))
        )
        return [(activity, site) for activity, site in rows.all()]

    async def of_site(self, tenant_id: UUID, site_id: UUID) -> list[Activity]:
        return list(
            await self.session.scalars(
                self.scoped(tenant_id).where(col(Activity.site_id) == site_id)
            )
        )

    async def seasons(
        self, tenant_id: UUID, activity_ids: Collection[UUID]
    ) -> list[ActivitySeason]:
        if not activity_ids:
            return []
        return list(
            await self.session.scalars(
                self.scoped_to(ActivitySeason, tenant_id).where(
                    col(ActivitySeason.activity_id).in_(list(activity_ids))
                )
            )
        )

    async def season(
        self, tenant_id: UUID, activity_id: UUID, school_year_id: UUID
    ) -> ActivitySeason | None:
        found = await self.session.scalars(
            self.scoped_to(ActivitySeason, tenant_id).where(
                col(ActivitySeason.activity_id) == activity_id,
                col(ActivitySeason.school_year_id) == school_year_id,
            )
        )
        return found.one_or_none()

    async def groups(self, tenant_id: UUID, activity_ids: Collection[UUID]) -> list[ActivityGroup]:
        if not activity_ids:
            return []
        return list(
            await self.session.scalars(
                self.scoped_to(ActivityGroup, tenant_id)
                .where(col(ActivityGroup.activity_id).in_(list(activity_ids)))
                .order_by(col(ActivityGroup.code))
            )
        )

    async def replace_groups(
        self, tenant_id: UUID, activity_id: UUID, groups: Sequence[ActivityGroup]
    ) -> None:
        await self.writer.execute(
            delete(ActivityGroup).where(
                col(ActivityGroup.tenant_id) == tenant_id,
                col(ActivityGroup.activity_id) == activity_id,
            )
        )
        self.writer.add_all(groups)
        await self.writer.flush()

    async def store(self, item: Activity | ActivitySeason) -> None:
        self.writer.add(item)
        await self.writer.flush()
