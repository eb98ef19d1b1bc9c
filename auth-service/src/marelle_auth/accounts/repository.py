from __future__ import annotations

from uuid import UUID

from sqlmodel import col

from marelle_auth.models import Account
from marelle_kit.repository import Repository


class AccountRepository(Repository[Account]):
    model = Account

    async def by_guardian(self, guardian_id: UUID) -> Account | None:
        return await self.get_one_or_none(
            self.unscoped().where(col(Account.guardian_id) == guardian_id)
        )

    async def by_email(self, tenant_id: UUID, email: str) -> Account | None:
        return await self.get_one_or_none(self.scoped(tenant_id).where(col(Account.email) == email))

    async def by_id(self, account_id: UUID) -> Account | None:
        """Whatever its tenant: the caller compares it with the token's."""
        return await self.get_one_or_none(self.unscoped().where(col(Account.id) == account_id))

    async def staff_of(self, tenant_id: UUID) -> list[Account]:
        """The tenant's staff accounts, by name (a town has tens, not thousands)."""
        return await self.all(
            self.scoped(tenant_id)
            .where(col(Account.kind) == "staff")
            .order_by(col(Account.last_name), col(Account.first_name))
        )

    async def of_tenant_by_ids(self, tenant_id: UUID, ids: list[UUID]) -> list[Account]:
        """The tenant's accounts among ``ids`` (the caller bounds the list)."""
        return await self.all(self.scoped(tenant_id).where(col(Account.id).in_(ids)))
