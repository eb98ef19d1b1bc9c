"""Other adults of a household (records): staff add and remove them; they are edited through
editing/ (the PATCH routes live there)."""

from __future__ import annotations

from uuid import UUID

from fastapi import Depends, Response

from marelle_family.adults.schemas import AdultIn, AdultOut
from marelle_family.adults.service import AdultService
from marelle_family.households.service import household_for, require_editable
from marelle_kit import roles
from marelle_kit.security import CurrentPrincipal, require_roles
from marelle_kit.tenancy import TenantId
from marelle_kit.unit_of_work import SessionDep, transactional_router

office = transactional_router(
    prefix="/households/{household_id}/adults",
    tags=["adults"],
    dependencies=[Depends(require_roles(*roles.OFFICE, roles.OPERATOR))],
)


@office.post("", response_model=AdultOut, status_code=201)
async def add_adult(
    household_id: UUID,
    data: AdultIn,
    principal: CurrentPrincipal,
    tenant_id: TenantId,
    session: SessionDep,
) -> AdultOut:
    household = await household_for(session, principal, tenant_id, household_id)
    require_editable(household)
    return AdultOut.model_validate(await AdultService(session).add(tenant_id, household.id, data))


@office.delete("/{adult_id}", status_code=204)
async def remove_adult(
    household_id: UUID,
    adult_id: UUID,
    principal: CurrentPrincipal,
    tenant_id: TenantId,
    session: SessionDep,
) -> Response:
    await household_for(session, principal, tenant_id, household_id)
    service = AdultService(session)
    await service.remove(await service.get(tenant_id, household_id, adult_id))
    return Response(status_code=204)
