from __future__ import annotations

from datetime import date
from uuid import UUID

from marelle_billing import catalogue
from marelle_billing.accounts.repository import AccountRepository
from marelle_billing.models import BillingAccount
from marelle_kit import roles
from marelle_kit.database import ReadSession
from marelle_kit.errors import NotFound
from marelle_kit.security import Principal

# Who reads a household's billing account besides its parents.
ACCOUNT_READERS = roles.OFFICE | roles.BILLING_OFFICE


class AccountService:
    """Built on a read session it only reads (``get_for``, ``list``)."""

    def __init__(self, session: ReadSession) -> None:
        self.accounts = AccountRepository(session)

    async def open_for_household(
        self, tenant_id: UUID, household_id: UUID, family_number: str, name: str
    ) -> None:
        if await self.accounts.by_household(household_id) is not None:
            return  # already open: the household fact was applied before
        await self.accounts.add(
            BillingAccount(
                id=household_id, tenant_id=tenant_id, family_number=family_number, name=name
            )
        )

    async def quotient_changed(
        self, household_id: UUID, quotient: int | None, valid_until: date | None
    ) -> None:
        account = await self.accounts.by_household(household_id)
        if account is None:
            return  # the household fact comes first on the same key; nothing to update
        account.quotient = quotient
        account.quotient_valid_until = valid_until
        await self.accounts.save(account)

    async def household_erased(self, household_id: UUID) -> None:
        """RGPD erasure: the account keeps its family number and amounts, not the names."""
        account = await self.accounts.by_household(household_id)
        if account is None:
            return
        account.name = catalogue.ERASED_HOUSEHOLD
        account.quotient = None
        account.quotient_valid_until = None
        await self.accounts.save(account)

    async def get_for(
        self, principal: Principal, tenant_id: UUID, account_id: UUID
    ) -> BillingAccount:
        account = await self.accounts.get(tenant_id, account_id)
        if account is None or not principal.may_access_household(account.id, staff=ACCOUNT_READERS):
            raise NotFound(catalogue.ACCOUNT_NOT_FOUND)
        return account

    async def list(self, tenant_id: UUID, *, limit: int, offset: int) -> list[BillingAccount]:
        return await self.accounts.of_tenant(tenant_id, limit=limit, offset=offset)
