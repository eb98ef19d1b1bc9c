"""The tenant's billing settings and online payment providers."""

from __future__ import annotations

from uuid import UUID

import sqlalchemy as sa
from sqlmodel import col

from marelle_billing.models import BillingProfile, PaymentProvider
from marelle_kit.database import WriteSession


class ProfileRepository:
    def __init__(self, session: WriteSession) -> None:
        self.session = session

    async def get(self, tenant_id: UUID) -> BillingProfile | None:
        return await self.session.get(BillingProfile, tenant_id)

    async def add(self, item: BillingProfile | PaymentProvider) -> None:
        self.session.add(item)
        await self.session.flush()

    async def providers(self, tenant_id: UUID) -> list[PaymentProvider]:
        return list(
            await self.session.scalars(
                sa.select(PaymentProvider)
                .where(col(PaymentProvider.tenant_id) == tenant_id)
                .order_by(col(PaymentProvider.purpose))
            )
        )

    async def provider(self, tenant_id: UUID, purpose: str) -> PaymentProvider | None:
        return await self.session.scalar(
            sa.select(PaymentProvider).where(
                col(PaymentProvider.tenant_id) == tenant_id, col(PaymentProvider.purpose) == purpose
            )
        )

    async def delete(self, item: PaymentProvider) -> None:
        await self.session.delete(item)
        await self.session.flush()
