"""A tenant's communication settings and its services (desks) families write to."""

from __future__ import annotations

from uuid import UUID

from marelle_kit.database import WriteSession
from marelle_kit.errors import NotFound
from marelle_kit.security import Principal
from marelle_mailing import catalogue
from marelle_mailing.configuration.repository import (
    DeskMemberRepository,
    DeskRepository,
    SettingsRepository,
)
from marelle_mailing.configuration.schemas import (
    CommunicationSettingsIn,
    DeskIn,
    DeskMembersIn,
)
from marelle_mailing.models import CommunicationSettings, Desk, DeskMember, tenants


class Configuration:
    def __init__(self, session: WriteSession) -> None:
        self.session = session
        self.settings = SettingsRepository(session)
        self.desks = DeskRepository(session)
        self.members = DeskMemberRepository(session)

    async def of(self, tenant_id: UUID) -> CommunicationSettings:
        """The tenant's settings (defaults until an administrator saves them)."""
        return await self.settings.get(tenant_id) or CommunicationSettings(tenant_id=tenant_id)

    async def save(self, tenant_id: UUID, data: CommunicationSettingsIn) -> CommunicationSettings:
        row = await self.settings.get(tenant_id) or CommunicationSettings(tenant_id=tenant_id)
        for name, value in data.model_dump().items():
            setattr(row, name, value)
        await self.settings.add(row)
        return row

    async def tenant_name(self, tenant_id: UUID) -> str:
        return await tenants.name_of(self.session, tenant_id) or catalogue.SOME_TOWN

    async def desk(self, tenant_id: UUID, desk_id: UUID, *, active_only: bool = False) -> Desk:
        desk = await self.desks.get(tenant_id, desk_id)
        if desk is None or (active_only and not desk.active):
            raise NotFound(catalogue.DESK_NOT_FOUND, field="desk_id")
        return desk

    async def add_desk(self, tenant_id: UUID, data: DeskIn) -> Desk:
        if await self.desks.by_name(tenant_id, data.name) is not None:
            raise catalogue.NameTaken(catalogue.DESK_NAME_TAKEN, field="name")
        return await self.desks.add(Desk(tenant_id=tenant_id, **data.model_dump()))

    async def change_desk(self, tenant_id: UUID, desk_id: UUID, data: DeskIn) -> Desk:
        desk = await self.desk(tenant_id, desk_id)
        other = await self.desks.by_name(tenant_id, data.name)
        if other is not None and other.id != desk.id:
            raise catalogue.NameTaken(catalogue.DESK_NAME_TAKEN, field="name")
        for name, value in data.model_dump().items():
            setattr(desk, name, value)
        return await self.desks.add(desk)

    async def set_members(self, tenant_id: UUID, desk_id: UUID, data: DeskMembersIn) -> None:
        await self.desk(tenant_id, desk_id)
        subjects = [m.staff_subject for m in data.members]
        if len(set(subjects)) != len(subjects):
            raise catalogue.NameTaken(catalogue.MEMBER_TWICE, field="members")
        await self.members.replace(
            tenant_id,
            desk_id,
            [
                DeskMember(
                    tenant_id=tenant_id,
                    desk_id=desk_id,
                    staff_subject=m.staff_subject,
                    display_name=m.display_name,
                )
                for m in data.members
            ],
        )

    async def visible_desks(self, principal: Principal, tenant_id: UUID) -> set[UUID] | None:
        """The services whose conversations this staff member sees: None for all of them
        (the tenant does not restrict), else the ones they belong to."""
        settings = await self.of(tenant_id)
        if not settings.restrict_staff_to_their_services:
            return None
        return await self.members.desks_of(tenant_id, principal.subject)

    async def display_name(self, tenant_id: UUID, staff_subject: str) -> str | None:
        member = await self.members.member(tenant_id, staff_subject)
        return member.display_name if member is not None else None
