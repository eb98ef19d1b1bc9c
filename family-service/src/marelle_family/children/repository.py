from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from sqlalchemy import delete
from sqlmodel import col, select

from marelle_family.models import AuthorisedContact, Child, ChildRecordRead
from marelle_kit.database import WriteSession


class ChildRepository:
    def __init__(self, session: WriteSession) -> None:
        self.session = session

    async def get(self, tenant_id: UUID, household_id: UUID, child_id: UUID) -> Child | None:
        return await self.session.scalar(
            select(Child).where(
                col(Child.tenant_id) == tenant_id,
                col(Child.household_id) == household_id,
                col(Child.id) == child_id,
            )
        )

    async def of_household(self, tenant_id: UUID, household_id: UUID) -> list[Child]:
        return list(
            await self.session.scalars(
                select(Child)
                .where(col(Child.tenant_id) == tenant_id, col(Child.household_id) == household_id)
                .order_by(col(Child.birth_date), col(Child.first_name))
            )
        )

    async def add(self, child: Child) -> None:
        self.session.add(child)
        await self.session.flush()

    async def contacts_of(self, child_ids: Iterable[UUID]) -> dict[UUID, list[AuthorisedContact]]:
        ids = list(child_ids)
        found: dict[UUID, list[AuthorisedContact]] = {child_id: [] for child_id in ids}
        if not ids:
            return found
        rows = await self.session.scalars(
            select(AuthorisedContact)
            .where(col(AuthorisedContact.child_id).in_(ids))
            .order_by(col(AuthorisedContact.created_at), col(AuthorisedContact.last_name))
        )
        for contact in rows:
            found[contact.child_id].append(contact)
        return found

    async def replace_contacts(self, child: Child, contacts: list[AuthorisedContact]) -> None:
        await self.session.execute(
            delete(AuthorisedContact).where(col(AuthorisedContact.child_id) == child.id)
        )
        self.session.add_all(contacts)
        await self.session.flush()

    async def log_reads(self, reads: list[ChildRecordRead]) -> None:
        self.session.add_all(reads)
        await self.session.flush()

    async def reads(
        self, tenant_id: UUID, *, child_id: UUID | None, limit: int, offset: int
    ) -> list[ChildRecordRead]:
        query = select(ChildRecordRead).where(col(ChildRecordRead.tenant_id) == tenant_id)
        if child_id is not None:
            query = query.where(col(ChildRecordRead.child_id) == child_id)
        return list(
            await self.session.scalars(
                query.order_by(col(ChildRecordRead.read_at).desc()).limit(limit).offset(offset)
            )
        )
