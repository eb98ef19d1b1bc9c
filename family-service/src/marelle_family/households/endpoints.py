"""The households (records): created by staff, read by their parents and by staff; edited
through editing/ (the PATCH routes live there)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends, Query

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
)
from marelle_family.households.service import HouseholdService, household_for
from marelle_kit import roles
from marelle_kit.localtime import local_today
from marelle_kit.repository import MAX_LIMIT, MAX_OFFSET
from marelle_kit.security import CurrentPrincipal, require_roles
from marelle_kit.tenancy import TenantId
from marelle_kit.unit_of_work import ReadSessionDep, SessionDep, transactional_router

office = transactional_router(
    prefix="/households",
    tags=["households"],
    dependencies=[Depends(require_roles(*roles.OFFICE, roles.OPERATOR))],
)
readers = transactional_router(
    prefix="/households",
    tags=["households"],
    dependencies=[Depends(require_roles(*roles.RECORD_READERS, roles.OPERATOR))],
)
members = transactional_router(prefix="/households", tags=["households"])


@office.post("", response_model=HouseholdOut, status_code=201)
async def create_household(
    data: HouseholdCreate, tenant_id: TenantId, session: SessionDep
) -> HouseholdOut:
    service = HouseholdService(session)
    return await service.view(await service.create(tenant_id, data))


@readers.get("", response_model=list[HouseholdListing])
async def list_households(
    tenant_id: TenantId,
    session: ReadSessionDep,
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
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
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
    # "Expired" is judged on the Paris calendar day.
    return await HouseholdRepository(session).search(
        tenant_id, filters, today=local_today(), limit=limit, offset=offset
    )


@members.get("/{household_id}", response_model=HouseholdOut)
async def get_household(
    household_id: UUID, principal: CurrentPrincipal, tenant_id: TenantId, session: SessionDep
) -> HouseholdOut:
    """The whole record; staff reading it are written to the children's access log."""
    household = await household_for(session, principal, tenant_id, household_id)
    return await HouseholdService(session).view(household, principal)


@members.post("/{household_id}/certification", response_model=HouseholdDetails)
async def certify(
    household_id: UUID, principal: CurrentPrincipal, tenant_id: TenantId, session: SessionDep
) -> HouseholdDetails:
    """The parent certifies that the record is up to date (the date is kept and shown)."""
    household = await household_for(session, principal, tenant_id, household_id)
    return HouseholdDetails.model_validate(
        await HouseholdService(session).certify(household, principal)
    )
