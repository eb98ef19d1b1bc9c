from __future__ import annotations

from uuid import UUID

import sqlalchemy as sa
from sqlmodel import col

from marelle_family.models import (
    Adult,
    AuthorisedContact,
    ChangeRequest,
    Child,
    Document,
    HouseholdBalance,
)
from marelle_kit.database import WriteSession
from marelle_kit.repository import Repository


class BalanceRepository(Repository[HouseholdBalance]):
    """The read model of the billing-service's balances (one row per household)."""

    model = HouseholdBalance

    async def of_household(self, household_id: UUID) -> HouseholdBalance | None:
        return await self.get_one_or_none(
            self.unscoped().where(col(HouseholdBalance.household_id) == household_id)
        )


class ErasureRepository:
    """What an erasure deletes: the household's people, requests and documents."""

    def __init__(self, session: WriteSession) -> None:
        self.session = session

    async def document_ids(self, tenant_id: UUID, household_id: UUID) -> list[UUID]:
        return list(
            await self.session.scalars(
                sa.select(col(Document.id)).where(
                    col(Document.tenant_id) == tenant_id,
                    col(Document.household_id) == household_id,
                )
            )
        )

    async def delete_people_and_papers(self, tenant_id: UUID, household_id: UUID) -> None:
        for table in (Document, ChangeRequest, AuthorisedContact, Child, Adult):
            await self.session.execute(
                sa.delete(table).where(
                    col(table.tenant_id) == tenant_id, col(table.household_id) == household_id
                )
            )
