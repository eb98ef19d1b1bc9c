from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import col

from marelle_family.models import AuthorisedContact, Child, ChildRecordRead
from marelle_kit.repository import Repository


class ChildRepository(Repository[Child]):
    model = Child

    async def in_household(
        self, tenant_id: UUID, household_id: UUID, child_id: UUID
    ) -> Child | None:
        return await self.get_one_or_none(
            self.scoped(tenant_id).where(
                col(Child.household_id) == household_id, col(Child.id) == child_id
            )
        )

    async def of_household(self, tenant_id: UUID, household_id: UUID) -> list[Child]:
        return await self.all(
            self.scoped(tenant_id)
            .where(col(Child.household_id) == household_id)
            .order_by(col(Child.birth_date), col(Child.first_name))
        )


class ContactRepository(Repository[AuthorisedContact]):
    model = AuthorisedContact

    async def of_children(
        self, tenant_id: UUID, child_ids: Iterable[UUID]
    ) -> dict[UUID, list[AuthorisedContact]]:
        ids = list(child_ids)
        found: dict[UUID, list[AuthorisedContact]] = {child_id: [] for child_id in ids}
        if not ids:
            return found
        rows = await self.all(
            self.scoped(tenant_id)
            .where(col(AuthorisedContact.child_id).in_(ids))
            .order_by(col(AuthorisedContact.created_at), col(AuthorisedContact.last_name))
        )
        for contact in rows:
            found[contact.child_id].append(contact)
        return found

    async def replace(self, child: Child, contacts: list[AuthorisedContact]) -> None:
        await self.writer.execute(
            sa.delete(AuthorisedContact).where(col(AuthorisedContact.child_id) == child.id)
        )
        await self.add_all(contacts)


class AccessLogRepository(Repository[ChildRecordRead]):
    """Every read of a child's record by staff."""

    model = ChildRecordRead

    async def reads(
        self, tenant_id: UUID, *, child_id: UUID | None, limit: int, offset: int
    ) -> list[ChildRecordRead]:
        query = self.scoped(tenant_id)
        if child_id is not None:
            query = query.where(col(ChildRecordRead.child_id) == child_id)
        return await self.window(
            query.order_by(col(ChildRecordRead.read_at).desc()), limit=limit, offset=offset
        )
