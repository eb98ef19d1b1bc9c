from __future__ import annotations

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from marelle_billing.models import BillingAccount


class AccountRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, tenant_id: UUID, account_id: UUID) -> BillingAccount | None:
        return await self.session.scalar(
            select(BillingAccount).where(
                col(BillingAccount.tenant_id) == tenant_id,
                col(BillingAccount.id) == account_id,
            )
        )

    async def get_any_tenant(self, account_id: UUID) -> BillingAccount | None:
        return await self.session.get(BillingAccount, account_id)

    async def list(self, tenant_id: UUID, *, limit: int, offset: int) -> list[BillingAccount]:
        return list(
            await self.session.scalars(
                select(BillingAccount)
                .where(col(BillingAccount.tenant_id) == tenant_id)
                .order_by(col(BillingAccount.name), col(BillingAccount.family_number))
                .limit(limit)
                .offset(offset)
            )
        )

    async def add(self, account: BillingAccount) -> None:
        self.session.add(account)
        await self.session.flush()
