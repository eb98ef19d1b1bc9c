from __future__ import annotations

from marelle_booking.access import READERS, SUPERVISORS
from marelle_booking.town.schemas import TownPolicyIn, TownPolicyOut
from marelle_booking.town.service import TownPolicyService
from marelle_kit.tenancy import TenantId
from marelle_kit.unit_of_work import ReadSessionDep, SessionDep, transactional_router

readers = transactional_router(prefix="/settings", tags=["settings"], dependencies=[READERS])
supervisors = transactional_router(
    prefix="/settings", tags=["settings"], dependencies=[SUPERVISORS]
)


@readers.get("", response_model=TownPolicyOut, summary="Réglages des réservations de la structure")
async def get_settings(tenant_id: TenantId, session: ReadSessionDep) -> TownPolicyOut:
    return TownPolicyOut.model_validate(await TownPolicyService(session).get(tenant_id))


@supervisors.put("", response_model=TownPolicyOut, summary="Modifier les réglages des réservations")
async def put_settings(
    data: TownPolicyIn, tenant_id: TenantId, session: SessionDep
) -> TownPolicyOut:
    """Zone des vacances, jours fériés d'Alsace-Moselle, groupes, dossier complet exigé,
    validation des absences."""
    return TownPolicyOut.model_validate(await TownPolicyService(session).update(tenant_id, data))
