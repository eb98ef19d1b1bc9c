"""Prepaid meal baskets and their lines."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import col

from marelle_billing.models import Basket, BasketItem, BasketState
from marelle_kit.database import WriteSession
from marelle_kit.repository import Repository


class BasketRepository(Repository[Basket]):
    model = Basket

    def __init__(self, session: WriteSession) -> None:
        super().__init__(session)

    async def lock(self, basket_id: UUID) -> Basket | None:
        return await self.session.scalar(
            sa.select(Basket)
            .where(col(Basket.id) == basket_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )

    async def pending_of(self, tenant_id: UUID, household_id: UUID) -> Basket | None:
        query = self.scoped(tenant_id).where(
            col(Basket.household_id) == household_id,
            col(Basket.state).in_([BasketState.OPEN, BasketState.TO_BE_PAID]),
        )
        found: Basket | None = await self.session.scalar(
            query.order_by(col(Basket.created_at).desc()).limit(1)
        )
        return found

    async def of_household(self, tenant_id: UUID, household_id: UUID) -> list[Basket]:
        query = (
            self.scoped(tenant_id)
            .where(col(Basket.household_id) == household_id)
            .order_by(col(Basket.created_at).desc())
            .limit(50)
        )
        return list(await self.session.scalars(query))

    async def items(self, basket_id: UUID) -> list[BasketItem]:
        return list(
            await self.session.scalars(
                sa.select(BasketItem)
                .where(col(BasketItem.basket_id) == basket_id)
                .order_by(col(BasketItem.day), col(BasketItem.child_id))
            )
        )

    async def add_item(self, item: BasketItem) -> None:
        self.session.add(item)
        await self.session.flush()

    async def delete_item(self, item: BasketItem) -> None:
        await self.session.delete(item)
        await self.session.flush()

    async def item(self, basket_id: UUID, item_id: UUID) -> BasketItem | None:
        return await self.session.scalar(
            sa.select(BasketItem).where(
                col(BasketItem.basket_id) == basket_id, col(BasketItem.id) == item_id
            )
        )

    async def due_for_expiry(
        self, open_before: datetime, paying_before: datetime, limit: int
    ) -> list[Basket]:
        """Open baskets past their hold, and baskets being paid past their grace."""
        return list(
            await self.session.scalars(
                sa.select(Basket)
                .where(
                    sa.or_(
                        sa.and_(
                            col(Basket.state) == BasketState.OPEN,
                            col(Basket.expires_at) < open_before,
                        ),
                        sa.and_(
                            col(Basket.state) == BasketState.TO_BE_PAID,
                            col(Basket.expires_at) < paying_before,
                        ),
                    )
                )
                .order_by(col(Basket.expires_at))
                .limit(limit)
            )
        )
