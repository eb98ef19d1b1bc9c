from __future__ import annotations

from uuid import UUID

import sqlalchemy as sa
from sqlmodel import col

from marelle_kit.database import WriteSession
from marelle_kit.repository import Repository
from marelle_mailing.models import CommunicationSettings, Desk, DeskMember


class SettingsRepository:
    def __init__(self, session: WriteSession) -> None:
        self.session = session

    async def get(self, tenant_id: UUID) -> CommunicationSettings | None:
        return await self.session.get(CommunicationSettings, tenant_id)

    async def with_reminders(self) -> list[CommunicationSettings]:
        return list(
            await self.session.scalars(
                sa.select(CommunicationSettings).where(
                    col(CommunicationSettings.deadline_reminder_enabled).is_(True)
                )
            )
        )

    async def add(self, row: CommunicationSettings) -> None:
        self.session.add(row)
        await self.session.flush()


class DeskRepository(Repository[Desk]):
    model = Desk

    async def of_tenant(self, tenant_id: UUID, *, active_only: bool) -> list[Desk]:
        query = self.scoped(tenant_id).order_by(col(Desk.position), col(Desk.name))
        if active_only:
            query = query.where(col(Desk.active).is_(True))
        return list(await self.session.scalars(query))

    async def by_name(self, tenant_id: UUID, name: str) -> Desk | None:
        return await self.get_one_or_none(self.scoped(tenant_id).where(col(Desk.name) == name))

    async def many(self, tenant_id: UUID, ids: list[UUID]) -> dict[UUID, Desk]:
        if not ids:
            return {}
        rows = await self.session.scalars(self.scoped(tenant_id).where(col(Desk.id).in_(ids)))
        return {desk.id: desk for desk in rows}


class DeskMemberRepository(Repository[DeskMember]):
    model = DeskMember

    async def of_desk(self, tenant_id: UUID, desk_id: UUID) -> list[DeskMember]:
        return list(
            await self.session.scalars(
                self.scoped(tenant_id)
                .where(col(DeskMember.desk_id) == desk_id)
                .order_by(col(DeskMember.display_name), col(DeskMember.staff_subject))
            )
        )

    async def desks_of(self, tenant_id: UUID, staff_subject: str) -> set[UUID]:
        rows = await self.session.scalars(
            sa.select(col(DeskMember.desk_id)).where(
                col(DeskMember.tenant_id) == tenant_id,
                col(DeskMember.staff_subject) == staff_subject,
            )
        )
        return set(rows)

    async def member(self, tenant_id: UUID, staff_subject: str) -> DeskMember | None:
        rows = await self.session.scalars(
            self.scoped(tenant_id).where(col(DeskMember.staff_subject) == staff_subject).limit(1)
        )
        return rows.first()

    async def replace(self, tenant_id: UUID, desk_id: UUID, members: list[DeskMember]) -> None:
        await self.session.execute(
            sa.delete(DeskMember).where(
                col(DeskMember.tenant_id) == tenant_id, col(DeskMember.desk_id) == desk_id
            )
        )
        await self.add_all(members)
