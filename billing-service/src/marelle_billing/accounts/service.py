from __future__ import annotations

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from marelle_billing.accounts.repository import AccountRepository
from marelle_billing.models import BillingAccount
from marelle_kit.errors import NotFound
from marelle_kit.security import Principal


class AccountService:
    def __init__(self, session: AsyncSession) -> None:
        self.accounts = AccountRepository(session)

    async def open_for_household(
        self, tenant_id: UUID, household_id: UUID, family_number: str, name: str
    ) -> None:
        if await self.accounts.get_any_tenant(household_id) is not None:
            return  # already open: the household fact was applied before
        await self.accounts.add(
            BillingAccount(
                id=household_id, tenant_id=tenant_id, family_number=family_number, name=name
            )
        )

    async def get_for(
        self, principal: Principal, tenant_id: UUID, account_id: UUID
    ) -> BillingAccount:
        account = await self.accounts.get(tenant_id, account_id)
        if account is None or not principal.may_access_household(account.id):
            raise NotFound("Ce compte de facturation n'existe pas.")
        return account

    async def list(self, tenant_id: UUID, *, limit: int, offset: int) -> list[BillingAccount]:
        return await self.accounts.list(tenant_id, limit=limit, offset=offset)
