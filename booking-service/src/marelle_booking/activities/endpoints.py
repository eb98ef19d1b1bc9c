from __future__ import annotations

from datetime import date
from uuid import UUID

from marelle_booking.access import READERS, SUPERVISORS
from marelle_booking.activities.schemas import (
    ActivityIn,
    ActivityOut,
    DayCapacityIn,
    GroupIn,
    GroupOut,
    SeasonIn,
    SeasonOut,
    SiteIn,
    SiteOut,
)
from marelle_booking.activities.service import ActivityService, SiteService
from marelle_booking.openapi import PROBLEMS
from marelle_kit.tenancy import TenantId
from marelle_kit.unit_of_work import ReadSessionDep, SessionDep, transactional_router

readers = transactional_router(tags=["activités"], dependencies=[READERS])
supervisors = transactional_router(
    tags=["activités"], dependencies=[SUPERVISORS], responses=PROBLEMS
)


@readers.get("/sites", response_model=list[SiteOut], summary="Les sites (écoles, centres)")
async def list_sites(tenant_id: TenantId, session: ReadSessionDep) -> list[SiteOut]:
    return [SiteOut.model_validate(s) for s in await SiteService(session).all(tenant_id)]


@supervisors.post("/sites", response_model=SiteOut, status_code=201, summary="Ajouter un site")
async def create_site(data: SiteIn, tenant_id: TenantId, session: SessionDep) -> SiteOut:
    return SiteOut.model_validate(await SiteService(session).create(tenant_id, data))


@supervisors.put("/sites/{site_id}", response_model=SiteOut, summary="Modifier un site")
async def update_site(
    site_id: UUID, data: SiteIn, tenant_id: TenantId, session: SessionDep
) -> SiteOut:
    return SiteOut.model_validate(await SiteService(session).update(tenant_id, site_id, data))


@readers.get("/activities", response_model=list[ActivityOut], summary="Les activités")
async def list_activities(tenant_id: TenantId, session: ReadSessionDep) -> list[ActivityOut]:
    service = ActivityService(session)
    return await service.views(tenant_id, await service.all(tenant_id))


@readers.get(
    "/activities/{activity_id}",
    response_model=ActivityOut,
    summary="Une activité",
    responses=PROBLEMS,
)
async def get_activity(
    activity_id: UUID, tenant_id: TenantId, session: ReadSessionDep
) -> ActivityOut:
    service = ActivityService(session)
    return (await service.views(tenant_id, [await service.get(tenant_id, activity_id)]))[0]


@supervisors.post(
    "/activities", response_model=ActivityOut, status_code=201, summary="Créer une activité"
)
async def create_activity(
    data: ActivityIn, tenant_id: TenantId, session: SessionDep
) -> ActivityOut:
    """Publie ``booking.activity.published`` (mode et unité de facturation, part fiscale)."""
    service = ActivityService(session)
    return (await service.views(tenant_id, [await service.create(tenant_id, data)]))[0]


@supervisors.put(
    "/activities/{activity_id}", response_model=ActivityOut, summary="Modifier une activité"
)
async def update_activity(
    activity_id: UUID, data: ActivityIn, tenant_id: TenantId, session: SessionDep
) -> ActivityOut:
    service = ActivityService(session)
    return (await service.views(tenant_id, [await service.update(tenant_id, activity_id, data)]))[0]


@readers.get(
    "/activities/{activity_id}/seasons",
    response_model=list[SeasonOut],
    summary="Jours d'ouverture par année scolaire",
)
async def list_seasons(
    activity_id: UUID, tenant_id: TenantId, session: ReadSessionDep
) -> list[SeasonOut]:
    return await ActivityService(session).seasons(tenant_id, activity_id)


@supervisors.put(
    "/activities/{activity_id}/seasons/{school_year_id}",
    response_model=SeasonOut,
    summary="Fixer les jours d'ouverture et la capacité d'une année scolaire",
)
async def set_season(
    activity_id: UUID,
    school_year_id: UUID,
    data: SeasonIn,
    tenant_id: TenantId,
    session: SessionDep,
) -> SeasonOut:
    return await ActivityService(session).set_season(tenant_id, activity_id, school_year_id, data)


@supervisors.put(
    "/activities/{activity_id}/groups",
    response_model=list[GroupOut],
    summary="Les groupes d'enfants et leur capacité (structures qui comptent par groupe)",
)
async def set_groups(
    activity_id: UUID, data: list[GroupIn], tenant_id: TenantId, session: SessionDep
) -> list[GroupOut]:
    return await ActivityService(session).set_groups(tenant_id, activity_id, data)


@supervisors.put(
    "/activities/{activity_id}/capacity/{day}",
    status_code=204,
    summary="Changer la capacité d'un jour (sortie, encadrement réduit…)",
)
async def set_day_capacity(
    activity_id: UUID, day: date, data: DayCapacityIn, tenant_id: TenantId, session: SessionDep
) -> None:
    await ActivityService(session).set_day_capacity(
        tenant_id, activity_id, day, data.group_code, data.limit
    )
