from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends, Query

from marelle_billing.access import billing_office
from marelle_billing.accounts.schemas import AccountOut, AccountPatch, StatementOut
from marelle_billing.accounts.service import ACCOUNT_READERS, AccountService
from marelle_kit import roles
from marelle_kit.security import CurrentPrincipal, require_roles
from marelle_kit.tenancy import TenantId
from marelle_kit.unit_of_work import ReadSessionDep, SessionDep, transactional_router

staff = transactional_router(
    prefix="/accounts",
    tags=["accounts"],
    dependencies=[Depends(require_roles(*ACCOUNT_READERS, roles.OPERATOR))],
)
office = transactional_router(prefix="/accounts", tags=["accounts"], dependencies=billing_office)
members = transactional_router(prefix="/accounts", tags=["accounts"])


@staff.get("", response_model=list[AccountOut])
async def list_accounts(
    tenant_id: TenantId,
    session: ReadSessionDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> list[AccountOut]:
    """The households' accounts with their balances, by name."""
    accounts = await AccountService(session).list(tenant_id, limit=limit, offset=offset)
    return [AccountOut.model_validate(a) for a in accounts]


@members.get("/{account_id}", response_model=AccountOut)
async def get_account(
    account_id: UUID, principal: CurrentPrincipal, tenant_id: TenantId, session: ReadSessionDep
) -> AccountOut:
    """A household's account (a parent: their own; the id is the household's)."""
    account = await AccountService(session).get_for(principal, tenant_id, account_id)
    return AccountOut.model_validate(account)


@members.get("/{account_id}/statement", response_model=StatementOut)
async def statement(
    account_id: UUID, principal: CurrentPrincipal, tenant_id: TenantId, session: ReadSessionDep
) -> StatementOut:
    """« Relevé de compte »: invoices, payments, credits and refunds with the running
    balance, the credit available, the unpaid total and the next due date (home page)."""
    return await AccountService(session).statement(principal, tenant_id, account_id)


@office.patch("/{account_id}", response_model=AccountOut)
async def set_category(
    account_id: UUID, data: AccountPatch, tenant_id: TenantId, session: SessionDep
) -> AccountOut:
    """The household's tariff category (tariffs may be scoped to one)."""
    account = await AccountService(session).set_category(tenant_id, account_id, data)
    return AccountOut.model_validate(account)
