from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import Depends, Query
from pydantic import BaseModel, ConfigDict

from marelle_auth.audit.repository import AuditRepository
from marelle_kit import roles
from marelle_kit.security import require_roles
from marelle_kit.tenancy import TenantId
from marelle_kit.unit_of_work import SessionDep, transactional_router

# Tenant admins and managers read their tenant's security events; agents do not.
admins = transactional_router(
    prefix="/audit",
    tags=["audit"],
    dependencies=[Depends(require_roles(*roles.SUPERVISORS, roles.OPERATOR))],
)


class AuditOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    account_id: UUID | None
    email: str | None
    action: str
    outcome: str
    ip: str | None
    detail: str | None
    at: datetime


@admins.get("", response_model=list[AuditOut])
async def list_audit(
    tenant_id: TenantId,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[AuditOut]:
    entries = await AuditRepository(session).of_tenant(tenant_id, limit=limit, offset=offset)
    return [AuditOut.model_validate(e) for e in entries]
