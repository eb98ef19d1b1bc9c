from __future__ import annotations

from uuid import UUID

from fastapi import Depends, Response

from marelle_family.adults.schemas import AdultIn, AdultOut, AdultPatch
from marelle_family.adults.service import AdultService
from marelle_family.editing.schemas import EditOutcome
from marelle_family.editing.service import RecordEditor
from marelle_family.households.service import HouseholdService
from marelle_kit import roles
from marelle_kit.errors import Conflict
from marelle_kit.security import CurrentPrincipal, require_roles
from marelle_kit.tenancy import TenantId
from marelle_kit.unit_of_work import SessionDep, transactional_router

staff = transactional_router(
    prefix="/households/{household_id}/adults",
    tags=["adults"],
    dependencies=[Depends(require_roles(*roles.OFFICE, roles.OPERATOR))],
)
members = transactional_router(prefix="/households/{household_id}/adults", tags=["adults"])


@staff.post("", response_model=AdultOut, status_code=201)
async def add_adult(
    household_id: UUID,
    data: AdultIn,
    principal: CurrentPrincipal,
    tenant_id: TenantId,
    session: SessionDep,
) -> AdultOut:
    household = await HouseholdService(session).get_for(principal, tenant_id, household_id)
    if household.erased_at is not None:
        raise Conflict("Ce foyer a été effacé : son dossier ne peut plus être modifié.")
    return AdultOut.model_validate(await AdultService(session).add(tenant_id, household.id, data))


@members.patch("/{adult_id}", response_model=EditOutcome)
async def edit_adult(
    household_id: UUID,
    adult_id: UUID,
    data: AdultPatch,
    principal: CurrentPrincipal,
    tenant_id: TenantId,
    session: SessionDep,
) -> EditOutcome:
    return await RecordEditor(session).edit(
        principal, tenant_id, household_id, "adult", adult_id, data
    )


@staff.delete("/{adult_id}", status_code=204)
async def remove_adult(
    household_id: UUID,
    adult_id: UUID,
    principal: CurrentPrincipal,
    tenant_id: TenantId,
    session: SessionDep,
) -> Response:
    await HouseholdService(session).get_for(principal, tenant_id, household_id)
    service = AdultService(session)
    await service.remove(await service.get(tenant_id, household_id, adult_id))
    return Response(status_code=204)
