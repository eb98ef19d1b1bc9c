from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Query, Response

from marelle_billing.access import billing_office
from marelle_billing.tariffs.schemas import SimulationIn, SimulationOut, TariffIn, TariffOut
from marelle_billing.tariffs.service import TariffService
from marelle_kit.tenancy import TenantId
from marelle_kit.unit_of_work import SessionDep, transactional_router

office = transactional_router(prefix="/tariffs", tags=["tariffs"], dependencies=billing_office)


@office.get("", response_model=list[TariffOut])
async def list_tariffs(
    tenant_id: TenantId,
    session: SessionDep,
    activity_id: Annotated[UUID | None, Query(description="Seulement cette activité")] = None,
) -> list[TariffOut]:
    """The tenant's tariff versions, by activity then start of validity (the tariff editor)."""
    return await TariffService(session).list(tenant_id, activity_id)


@office.post("", response_model=TariffOut, status_code=201)
async def create_tariff(data: TariffIn, tenant_id: TenantId, session: SessionDep) -> TariffOut:
    """A new tariff version. 422 when its rules are inconsistent (QF brackets with a gap or an
    overlap, floor above ceiling...); 409 ``tariff-overlap`` when a version of the same scope
    is valid on some of its days."""
    return await TariffService(session).create(tenant_id, data)


@office.get("/{tariff_id}", response_model=TariffOut)
async def get_tariff(tariff_id: UUID, tenant_id: TenantId, session: SessionDep) -> TariffOut:
    return await TariffService(session).get(tenant_id, tariff_id)


@office.put("/{tariff_id}", response_model=TariffOut)
async def replace_tariff(
    tariff_id: UUID, data: TariffIn, tenant_id: TenantId, session: SessionDep
) -> TariffOut:
    """Change a version (issued invoices keep what they were priced at: they never change)."""
    return await TariffService(session).update(tenant_id, tariff_id, data)


@office.delete("/{tariff_id}", status_code=204)
async def delete_tariff(tariff_id: UUID, tenant_id: TenantId, session: SessionDep) -> Response:
    """Only a version never used on an invoice (409 ``tariff-in-use``: close it instead)."""
    await TariffService(session).delete(tenant_id, tariff_id)
    return Response(status_code=204)


simulator = transactional_router(prefix="/simulator", tags=["tariffs"], dependencies=billing_office)


@simulator.post("", response_model=SimulationOut)
async def simulate(data: SimulationIn, tenant_id: TenantId, session: SessionDep) -> SimulationOut:
    """The tariff editor's simulator: family, child, day (and optionally state, times, late,
    absence charge) -> the price, the tariff, the QF of that day and the rule applied."""
    return await TariffService(session).simulate(tenant_id, data)
