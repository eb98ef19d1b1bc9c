from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends, Query

from marelle_billing.accounts.schemas import AccountOut
from marelle_billing.accounts.service import ACCOUNT_READERS, AccountService
from marelle_kit import roles
from marelle_kit.security import CurrentPrincipal, require_roles
from marelle_kit.tenancy import TenantId
from marelle_kit.unit_of_work import ReadSessionDep, transactional_router

staff = transactional_router(
    prefix="/accounts",
    tags=["accounts"],
    dependencies=[Depends(require_roles(*ACCOUNT_READERS, roles.OPERATOR))],
)
members = transactional_router(prefix="/accounts", tags=["accounts"])


@staff.get("", response_model=list[AccountOut])
async def list_accounts(
    tenant_id: TenantId,
    session: ReadSessionDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[AccountOut]:
    accounts = await AccountService(session).list(tenant_id, limit=limit, offset=offset)
    return [AccountOut.model_validate(a) for a in accounts]


@members.get("/{account_id}", response_model=AccountOut)
async def get_account(
    account_id: UUID, principal: CurrentPrincipal, tenant_id: TenantId, session: ReadSessionDep
) -> AccountOut:
    account = await AccountService(session).get_for(principal, tenant_id, account_id)
    return AccountOut.model_validate(account)
