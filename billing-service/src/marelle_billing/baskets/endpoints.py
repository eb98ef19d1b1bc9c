from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Body, Query, Request

from marelle_billing.baskets.schemas import BasketIn, BasketItemIn, BasketOut, BasketPaymentOut
from marelle_billing.baskets.service import BasketService
from marelle_billing.deps import SettingsDep
from marelle_billing.payments.service import IncidentLog
from marelle_kit.security import CurrentPrincipal
from marelle_kit.tenancy import TenantId
from marelle_kit.unit_of_work import SessionDep, transactional_router

members = transactional_router(prefix="/baskets", tags=["baskets"])


def _service(request: Request, session: SessionDep, settings: SettingsDep) -> BasketService:
    return BasketService(session, settings, IncidentLog(request.app.state.runtime.database))


@members.post("", response_model=BasketOut, status_code=201)
async def create_basket(
    data: BasketIn,
    request: Request,
    principal: CurrentPrincipal,
    tenant_id: TenantId,
    session: SessionDep,
    settings: SettingsDep,
) -> BasketOut:
    """Open a prepaid meal basket, each meal priced (the household's own tariff). It holds
    for the town's delay, then expires (billing.basket.expired releases the places).
    409 ``basket-conflict`` when one is already open or being paid."""
    return await _service(request, session, settings).create(tenant_id, principal, data)


@members.get("", response_model=list[BasketOut])
async def household_baskets(
    household_id: Annotated[UUID, Query()],
    request: Request,
    principal: CurrentPrincipal,
    tenant_id: TenantId,
    session: SessionDep,
    settings: SettingsDep,
) -> list[BasketOut]:
    return await _service(request, session, settings).of_household(
        tenant_id, principal, household_id
    )


@members.get("/{basket_id}", response_model=BasketOut)
async def get_basket(
    basket_id: UUID,
    request: Request,
    principal: CurrentPrincipal,
    tenant_id: TenantId,
    session: SessionDep,
    settings: SettingsDep,
) -> BasketOut:
    return await _service(request, session, settings).view(tenant_id, principal, basket_id)


@members.post("/{basket_id}/items", response_model=BasketOut)
async def add_items(
    basket_id: UUID,
    items: Annotated[list[BasketItemIn], Body(min_length=1, max_length=200)],
    request: Request,
    principal: CurrentPrincipal,
    tenant_id: TenantId,
    session: SessionDep,
    settings: SettingsDep,
) -> BasketOut:
    return await _service(request, session, settings).add_items(
        tenant_id, principal, basket_id, items
    )


@members.delete("/{basket_id}/items/{item_id}", response_model=BasketOut)
async def remove_item(
    basket_id: UUID,
    item_id: UUID,
    request: Request,
    principal: CurrentPrincipal,
    tenant_id: TenantId,
    session: SessionDep,
    settings: SettingsDep,
) -> BasketOut:
    return await _service(request, session, settings).remove_item(
        tenant_id, principal, basket_id, item_id
    )


@members.post("/{basket_id}/pay", response_model=BasketPaymentOut)
async def pay_basket(
    basket_id: UUID,
    request: Request,
    principal: CurrentPrincipal,
    tenant_id: TenantId,
    session: SessionDep,
    settings: SettingsDep,
    email: Annotated[str | None, Body(embed=True, max_length=254)] = None,
) -> BasketPaymentOut:
    """Pay the basket online: it is « to be paid » (60 more minutes of grace) until the
    provider's result; paid -> completed (billing.basket.paid); refused -> open again."""
    return await _service(request, session, settings).pay(tenant_id, principal, basket_id, email)


@members.post("/{basket_id}/cancel", response_model=BasketOut)
async def cancel_basket(
    basket_id: UUID,
    request: Request,
    principal: CurrentPrincipal,
    tenant_id: TenantId,
    session: SessionDep,
    settings: SettingsDep,
) -> BasketOut:
    """Abandon an open basket: its places are released (billing.basket.expired, reason
    ``cancelled``)."""
    return await _service(request, session, settings).cancel(tenant_id, principal, basket_id)
