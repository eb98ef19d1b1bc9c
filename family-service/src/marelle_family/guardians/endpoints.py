from __future__ import annotations

from uuid import UUID

from fastapi import Depends

from marelle_family.guardians.schemas import GuardianIn, GuardianOut, GuardianPatch
from marelle_family.guardians.service import GuardianService
from marelle_kit.security import OPERATOR, STAFF_ROLES, require_roles
from marelle_kit.tenancy import TenantId
from marelle_kit.unit_of_work import SessionDep, transactional_router

staff = transactional_router(
    prefix="/households/{household_id}/guardians",
    tags=["guardians"],
    dependencies=[Depends(require_roles(*STAFF_ROLES, OPERATOR))],
)


@staff.post("", response_model=GuardianOut, status_code=201)
async def add_guardian(
    household_id: UUID, data: GuardianIn, tenant_id: TenantId, session: SessionDep
) -> GuardianOut:
    guardian = await GuardianService(session).add(tenant_id, household_id, data)
    return GuardianOut.model_validate(guardian)


@staff.patch("/{guardian_id}", response_model=GuardianOut)
async def update_guardian(
    household_id: UUID,
    guardian_id: UUID,
    data: GuardianPatch,
    tenant_id: TenantId,
    session: SessionDep,
) -> GuardianOut:
    guardian = await GuardianService(session).update(tenant_id, household_id, guardian_id, data)
    return GuardianOut.model_validate(guardian)


@staff.delete("/{guardian_id}", status_code=204)
async def remove_guardian(
    household_id: UUID, guardian_id: UUID, tenant_id: TenantId, session: SessionDep
) -> None:
    await GuardianService(session).remove(tenant_id, household_id, guardian_id)
