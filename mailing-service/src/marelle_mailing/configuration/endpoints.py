from __future__ import annotations

from uuid import UUID

from fastapi import Depends, Response

from marelle_kit.security import CurrentPrincipal, require_roles
from marelle_kit.tenancy import TenantId
from marelle_kit.unit_of_work import SessionDep, transactional_router
from marelle_mailing.access import SETTINGS_ADMINS
from marelle_mailing.configuration.schemas import (
    CommunicationSettingsIn,
    CommunicationSettingsOut,
    ContactPage,
    DeskIn,
    DeskMemberOut,
    DeskMembersIn,
    DeskOut,
    DeskStaffView,
)
from marelle_mailing.configuration.service import Configuration

members = transactional_router(tags=["contact"])
admins = transactional_router(
    tags=["communication settings"], dependencies=[Depends(require_roles(*SETTINGS_ADMINS))]
)


@members.get("/contact", response_model=ContactPage)
async def contact_page(
    tenant_id: TenantId, principal: CurrentPrincipal, session: SessionDep
) -> ContactPage:
    """« Messagerie » header for any signed-in member of the tenant: the town's postal
    address, phone, opening hours and the services one can write to (active ones, in order)."""
    config = Configuration(session)
    settings = await config.of(tenant_id)
    return ContactPage(
        tenant_name=await config.tenant_name(tenant_id),
        postal_address=settings.postal_address,
        phone=settings.phone,
        opening_hours=settings.opening_hours,
        desks=[
            DeskOut.model_validate(d)
            for d in await config.desks.of_tenant(tenant_id, active_only=True)
        ],
    )


@admins.get("/settings/communication", response_model=CommunicationSettingsOut)
async def read_settings(tenant_id: TenantId, session: SessionDep) -> CommunicationSettingsOut:
    """The tenant's communication settings (defaults until saved). Administrators."""
    return CommunicationSettingsOut.model_validate(await Configuration(session).of(tenant_id))


@admins.put("/settings/communication", response_model=CommunicationSettingsOut)
async def write_settings(
    data: CommunicationSettingsIn, tenant_id: TenantId, session: SessionDep
) -> CommunicationSettingsOut:
    """Replace the settings (422 when the deadline reminder is enabled without the deadline's
    weekday and time, or an SMS sender is not 3 to 11 letters and digits)."""
    row = await Configuration(session).save(tenant_id, data)
    return CommunicationSettingsOut.model_validate(row)


@admins.get("/desks", response_model=list[DeskStaffView])
async def list_desks(tenant_id: TenantId, session: SessionDep) -> list[DeskStaffView]:
    """Every service of the tenant, inactive ones included. Administrators."""
    desks = await Configuration(session).desks.of_tenant(tenant_id, active_only=False)
    return [DeskStaffView.model_validate(d) for d in desks]


@admins.post("/desks", response_model=DeskStaffView, status_code=201)
async def add_desk(data: DeskIn, tenant_id: TenantId, session: SessionDep) -> DeskStaffView:
    """A new service families can write to. 409 when the name is taken."""
    return DeskStaffView.model_validate(await Configuration(session).add_desk(tenant_id, data))


@admins.put("/desks/{desk_id}", response_model=DeskStaffView)
async def change_desk(
    desk_id: UUID, data: DeskIn, tenant_id: TenantId, session: SessionDep
) -> DeskStaffView:
    """Rename, describe, reorder or deactivate a service (its conversations stay)."""
    desk = await Configuration(session).change_desk(tenant_id, desk_id, data)
    return DeskStaffView.model_validate(desk)


@admins.get("/desks/{desk_id}/members", response_model=list[DeskMemberOut])
async def desk_members(
    desk_id: UUID, tenant_id: TenantId, session: SessionDep
) -> list[DeskMemberOut]:
    """The staff accounts of a service."""
    config = Configuration(session)
    await config.desk(tenant_id, desk_id)
    return [
        DeskMemberOut.model_validate(m) for m in await config.members.of_desk(tenant_id, desk_id)
    ]


@admins.put("/desks/{desk_id}/members", status_code=204)
async def set_desk_members(
    desk_id: UUID, data: DeskMembersIn, tenant_id: TenantId, session: SessionDep
) -> Response:
    """The staff accounts of a service (the whole list): with the tenant's restriction on,
    they alone see its conversations."""
    await Configuration(session).set_members(tenant_id, desk_id, data)
    return Response(status_code=204)
