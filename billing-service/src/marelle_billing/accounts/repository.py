from __future__ import annotations

from uuid import UUID

from sqlmodel import col

from marelle_billing.models import BillingAccount
from marelle_kit.repository import Repository


class AccountRepository(Repository[BillingAccount]):
    model = BillingAccount

    async def by_household(self, household_id: UUID) -> BillingAccount | None:
        """The household's account whatever its tenant: the id comes from a consumed fact,
        whose envelope already names the tenant."""
        return await self.get_one_or_none(
            self.unscoped().where(col(BillingAccount.id) == household_id)
        )

    async def of_tenant(self, tenant_id: UUID, *, limit: int, offset: int) -> list[BillingAccount]:
        query = self.scoped(tenant_id).order_by(
            col(BillingAccount.name), col(BillingAccount.family_number)
        )
        return await self.window(query, limit=limit, offset=offset)
