"""The legal guardians (records): staff add and remove them; they are edited through
editing/ (the PATCH routes live there)."""

from __future__ import annotations

from uuid import UUID

from fastapi import Depends

from marelle_family.guardians.schemas import GuardianIn, GuardianOut
from marelle_family.guardians.service import GuardianService
from marelle_kit import roles
from marelle_kit.security import require_roles
from marelle_kit.tenancy import TenantId
from marelle_kit.unit_of_work import SessionDep, transactional_router

office = transactional_router(
    prefix="/households/{household_id}/guardians",
    tags=["guardians"],
    dependencies=[Depends(require_roles(*roles.OFFICE, roles.OPERATOR))],
)


@office.post("", response_model=GuardianOut, status_code=201)
async def add_guardian(
    household_id: UUID, data: GuardianIn, tenant_id: TenantId, session: SessionDep
) -> GuardianOut:
    guardian = await GuardianService(session).add(tenant_id, household_id, data)
    return GuardianOut.model_validate(guardian)


@office.delete("/{guardian_id}", status_code=204)
async def remove_guardian(
    household_id: UUID, guardian_id: UUID, tenant_id: TenantId, session: SessionDep
) -> None:
    await GuardianService(session).remove(tenant_id, household_id, guardian_id)
