from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends, Query

from marelle_family.editing.schemas import EditOutcome
from marelle_family.editing.service import RecordEditor
from marelle_family.households.repository import (
    SEARCH_MAX_LENGTH,
    HouseholdFilters,
    HouseholdRepository,
)
from marelle_family.households.schemas import (
    HouseholdCreate,
    HouseholdDetails,
    HouseholdListing,
    HouseholdOut,
    HouseholdPatch,
)
from marelle_family.households.service import HouseholdService
from marelle_kit import roles
from marelle_kit.clock import utcnow
from marelle_kit.errors import Problem
from marelle_kit.security import CurrentPrincipal, require_roles
from marelle_kit.tenancy import TenantId
from marelle_kit.unit_of_work import SessionDep, transactional_router

staff = transactional_router(
    prefix="/households",
    tags=["households"],
    dependencies=[Depends(require_roles(*roles.OFFICE, roles.OPERATOR))],
)
members = transactional_router(prefix="/households", tags=["households"])


@staff.post("", response_model=HouseholdOut, status_code=201)
async def create_household(
    data: HouseholdCreate, tenant_id: TenantId, session: SessionDep
) -> HouseholdOut:
    service = HouseholdService(session)
    return await service.view(await service.create(tenant_id, data))


@staff.get("", response_model=list[HouseholdListing])
async def list_households(
    tenant_id: TenantId,
    session: SessionDep,
    q: Annotated[
        str | None,
        Query(
            max_length=SEARCH_MAX_LENGTH,
            description="Nom ou n° du foyer, nom ou e-mail d'un responsable, nom d'un enfant",
        ),
    ] = None,
    school: Annotated[
        str | None,
        Query(max_length=SEARCH_MAX_LENGTH, description="École d'un enfant (contient)"),
    ] = None,
    not_validated: Annotated[
        bool, Query(description="Au moins une fiche enfant n'est pas validée")
    ] = False,
    quotient_expired: Annotated[
        bool, Query(description="Pas de quotient familial, ou sa validité est dépassée")
    ] = False,
    missing_email: Annotated[
        bool, Query(description="Aucun responsable légal n'a d'adresse e-mail")
    ] = False,
    ids: Annotated[
        list[UUID] | None,
        Query(alias="id", max_length=100, description="Seulement ces foyers (100 au plus)"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[HouseholdListing]:
    """The tenant's households, by name, searched and filtered for the back office."""
    filters = HouseholdFilters(
        ids=tuple(ids or ()),
        q=q,
        school=school,
        not_validated=not_validated,
        quotient_expired=quotient_expired,
        missing_email=missing_email,
    )
    return await HouseholdRepository(session).search(
        tenant_id, filters, today=utcnow().date(), limit=limit, offset=offset
    )


@members.get("/{household_id}", response_model=HouseholdOut)
async def get_household(
    household_id: UUID, principal: CurrentPrincipal, tenant_id: TenantId, session: SessionDep
) -> HouseholdOut:
    """The whole record; staff reading it are written to the children's access log."""
    service = HouseholdService(session)
    return await service.view(await service.get_for(principal, tenant_id, household_id), principal)


@members.patch("/{household_id}", response_model=EditOutcome)
async def edit_household(
    household_id: UUID,
    data: HouseholdPatch,
    principal: CurrentPrincipal,
    tenant_id: TenantId,
    session: SessionDep,
) -> EditOutcome:
    return await RecordEditor(session).edit(
        principal, tenant_id, household_id, "household", household_id, data
    )


class OnlyParents(Problem):
    status = 403
    type = "only-parents"
    title = "Réservé aux familles"


@members.post("/{household_id}/certification", response_model=HouseholdDetails)
async def certify(
    household_id: UUID, principal: CurrentPrincipal, tenant_id: TenantId, session: SessionDep
) -> HouseholdDetails:
    """The parent certifies that the record is up to date (the date is kept and shown)."""
    if principal.household_id != household_id:
        raise OnlyParents("Seul un responsable du foyer peut certifier ses informations.")
    service = HouseholdService(session)
    household = await service.get_for(principal, tenant_id, household_id)
    return HouseholdDetails.model_validate(await service.certify(household, principal))
