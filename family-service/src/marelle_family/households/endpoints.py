from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends, Query

from marelle_family.households.schemas import HouseholdCreate, HouseholdOut
from marelle_family.households.service import HouseholdService
from marelle_kit.security import OPERATOR, STAFF_ROLES, CurrentPrincipal, require_roles
from marelle_kit.tenancy import TenantId
from marelle_kit.unit_of_work import SessionDep, transactional_router

staff = transactional_router(
    prefix="/households",
    tags=["households"],
    dependencies=[Depends(require_roles(*STAFF_ROLES, OPERATOR))],
)
members = transactional_router(prefix="/households", tags=["households"])


@staff.post("", response_model=HouseholdOut, status_code=201)
async def create_household(
    data: HouseholdCreate, tenant_id: TenantId, session: SessionDep
) -> HouseholdOut:
    return HouseholdOut.model_validate(await HouseholdService(session).create(tenant_id, data))


@staff.get("", response_model=list[HouseholdOut])
async def list_households(
    tenant_id: TenantId,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[HouseholdOut]:
    households = await HouseholdService(session).list(tenant_id, limit=limit, offset=offset)
    return [HouseholdOut.model_validate(h) for h in households]


@members.get("/{household_id}", response_model=HouseholdOut)
async def get_household(
    household_id: UUID, principal: CurrentPrincipal, tenant_id: TenantId, session: SessionDep
) -> HouseholdOut:
    household = await HouseholdService(session).get_for(principal, tenant_id, household_id)
    return HouseholdOut.model_validate(household)
