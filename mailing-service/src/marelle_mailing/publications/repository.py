from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from marelle_kit.repository import Page, Repository
from marelle_mailing.models import (
    DocumentsVisit,
    HouseholdCopy,
    Publication,
    PublicationAcknowledgement,
    PublicationCategory,
    StoredFile,
)


class CategoryRepository(Repository[PublicationCategory]):
    model = PublicationCategory

    async def of_tenant(self, tenant_id: UUID) -> list[PublicationCategory]:
        return list(
            await self.session.scalars(
                self.scoped(tenant_id).order_by(
                    col(PublicationCategory.position), col(PublicationCategory.name)
                )
            )
        )

    async def by_name(self, tenant_id: UUID, name: str) -> PublicationCategory | None:
        return await self.get_one_or_none(
            self.scoped(tenant_id).where(col(PublicationCategory.name) == name)
        )

    async def in_use(self, category_id: UUID) -> bool:
        found = await self.session.scalar(
            sa.select(col(Publication.id))
            .where(col(Publication.category_id) == category_id)
            .limit(1)
        )
        return found is not None


class PublicationRepository(Repository[Publication]):
    model = Publication

    async def page(
        self,
        tenant_id: UUID,
        *,
        category_id: UUID | None,
        current_on: date | None,
        limit: int,
        offset: int,
    ) -> Page[Publication]:
        query = self.scoped(tenant_id)
        if category_id is not None:
            query = query.where(col(Publication.category_id) == category_id)
        if current_on is not None:
            query = query.where(*_current(current_on))
        return await self.paginate(
            query.order_by(col(Publication.published_on).desc(), col(Publication.id).desc()),
            limit=limit,
            offset=offset,
        )

    async def current_for(
        self,
        tenant_id: UUID,
        on: date,
        *,
        schools: Collection[str],
        activities: Collection[str],
        sites: Collection[str],
    ) -> list[Publication]:
        """Published, not expired, not withdrawn, and meant for this audience."""
        audience = [col(Publication.audience) == "all"]
        for kind, refs in (("school", schools), ("activity", activities), ("site", sites)):
            if refs:
                audience.append(
                    sa.and_(
                        col(Publication.audience) == kind,
                        col(Publication.audience_ref).in_(list(refs)),
                    )
                )
        return list(
            await self.session.scalars(
                self.scoped(tenant_id)
                .where(*_current(on), sa.or_(*audience))
                .order_by(col(Publication.published_on).desc(), col(Publication.id).desc())
            )
        )

    async def files(self, ids: Collection[UUID]) -> dict[UUID, StoredFile]:
        if not ids:
            return {}
        rows = await self.session.scalars(
            sa.select(StoredFile).where(col(StoredFile.id).in_(list(ids)))
        )
        return {f.id: f for f in rows}

    async def acknowledgement_counts(self, ids: Collection[UUID]) -> dict[UUID, int]:
        if not ids:
            return {}
        rows = await self.session.execute(
            sa.select(col(PublicationAcknowledgement.publication_id), sa.func.count())
            .where(col(PublicationAcknowledgement.publication_id).in_(list(ids)))
            .group_by(col(PublicationAcknowledgement.publication_id))
        )
        return {pid: int(n) for pid, n in rows.all()}

    async def acknowledgements_of(
        self, publication_id: UUID
    ) -> list[tuple[PublicationAcknowledgement, HouseholdCopy | None]]:
        rows = await self.session.execute(
            sa.select(PublicationAcknowledgement, HouseholdCopy)
            .outerjoin(
                HouseholdCopy, col(HouseholdCopy.id) == col(PublicationAcknowledgement.household_id)
            )
            .where(col(PublicationAcknowledgement.publication_id) == publication_id)
            .order_by(col(PublicationAcknowledgement.acknowledged_at))
        )
        return [(a, h) for a, h in rows.all()]

    async def household_acknowledgements(
        self, household_id: UUID, ids: Collection[UUID]
    ) -> dict[UUID, PublicationAcknowledgement]:
        if not ids:
            return {}
        rows = await self.session.scalars(
            sa.select(PublicationAcknowledgement).where(
                col(PublicationAcknowledgement.household_id) == household_id,
                col(PublicationAcknowledgement.publication_id).in_(list(ids)),
            )
        )
        return {a.publication_id: a for a in rows}

    async def acknowledge(self, acknowledgement: PublicationAcknowledgement) -> bool:
        """Insert once; False when the household had already acknowledged (idempotent, also
        under two concurrent clicks: the unique constraint decides, in a savepoint)."""
        try:
            async with self.session.begin_nested():
                self.session.add(acknowledgement)
                await self.session.flush()
        except IntegrityError:
            return False
        return True

    async def visit(self, household_id: UUID) -> DocumentsVisit | None:
        return await self.session.get(DocumentsVisit, household_id)

    async def save_visit(self, visit: DocumentsVisit) -> None:
        self.session.add(visit)
        await self.session.flush()

    async def erase_household(self, household_id: UUID) -> None:
        await self.session.execute(
            sa.delete(PublicationAcknowledgement).where(
                col(PublicationAcknowledgement.household_id) == household_id
            )
        )
        await self.session.execute(
            sa.delete(DocumentsVisit).where(col(DocumentsVisit.household_id) == household_id)
        )


def _current(on: date) -> list[Any]:
    return [
        col(Publication.withdrawn_at).is_(None),
        col(Publication.published_on) <= on,
        sa.or_(col(Publication.expires_on).is_(None), col(Publication.expires_on) >= on),
    ]
