from __future__ import annotations

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from marelle_auth.models import Account


class AccountRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_guardian(self, guardian_id: UUID) -> Account | None:
        return await self.session.scalar(
            select(Account).where(col(Account.guardian_id) == guardian_id)
        )

    async def by_email(self, tenant_id: UUID, email: str) -> Account | None:
        return await self.session.scalar(
            select(Account)
            .where(col(Account.tenant_id) == tenant_id)
            .where(col(Account.email) == email)
        )

    async def of_tenant_by_ids(self, tenant_id: UUID, ids: list[UUID]) -> list[Account]:
        return list(
            await self.session.scalars(
                select(Account)
                .where(col(Account.tenant_id) == tenant_id)
                .where(col(Account.id).in_(ids))
            )
        )

    async def get(self, account_id: UUID) -> Account | None:
        return await self.session.get(Account, account_id)

    async def save(self, account: Account) -> None:
        self.session.add(account)
        await self.session.flush()
