from __future__ import annotations

from uuid import UUID

from fastapi import Depends

from marelle_family.editing.schemas import EditOutcome
from marelle_family.editing.service import RecordEditor
from marelle_family.guardians.schemas import GuardianIn, GuardianOut, GuardianPatch
from marelle_family.guardians.service import GuardianService
from marelle_kit import roles
from marelle_kit.security import CurrentPrincipal, require_roles
from marelle_kit.tenancy import TenantId
from marelle_kit.unit_of_work import SessionDep, transactional_router

staff = transactional_router(
    prefix="/households/{household_id}/guardians",
    tags=["guardians"],
    dependencies=[Depends(require_roles(*roles.OFFICE, roles.OPERATOR))],
)
members = transactional_router(prefix="/households/{household_id}/guardians", tags=["guardians"])


@staff.post("", response_model=GuardianOut, status_code=201)
async def add_guardian(
    household_id: UUID, data: GuardianIn, tenant_id: TenantId, session: SessionDep
) -> GuardianOut:
    guardian = await GuardianService(session).add(tenant_id, household_id, data)
    return GuardianOut.model_validate(guardian)


@members.patch("/{guardian_id}", response_model=EditOutcome)
async def edit_guardian(
    household_id: UUID,
    guardian_id: UUID,
    data: GuardianPatch,
    principal: CurrentPrincipal,
    tenant_id: TenantId,
    session: SessionDep,
) -> EditOutcome:
    """Staff change at once; a parent as the tenant chooses per field group."""
    return await RecordEditor(session).edit(
        principal, tenant_id, household_id, "guardian", guardian_id, data
    )


@staff.delete("/{guardian_id}", status_code=204)
async def remove_guardian(
    household_id: UUID, guardian_id: UUID, tenant_id: TenantId, session: SessionDep
) -> None:
    await GuardianService(session).remove(tenant_id, household_id, guardian_id)
