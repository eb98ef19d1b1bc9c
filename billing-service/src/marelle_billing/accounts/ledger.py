"""The households' balances: changed only under the account's row lock, each change published
(billing.balance.changed, which the family-service's erasure gate waits on)."""

from __future__ import annotations

from uuid import UUID

from marelle_billing.invoicing.repository import InvoiceRepository
from marelle_billing.models import events
from marelle_contracts import BalanceChanged
from marelle_kit.clock import utcnow
from marelle_kit.database import WriteSession
from marelle_kit.events import record_events


class Ledger:
    def __init__(self, session: WriteSession) -> None:
        self.session = session
        self.repository = InvoiceRepository(session)

    async def lock(self, household_ids: list[UUID]) -> dict[UUID, int]:
        """Lock the accounts first: whoever changes what a household owes takes this lock
        before touching its invoices or payments (one order: no deadlock)."""
        return await self.repository.lock_accounts(household_ids)

    async def apply(self, tenant_id: UUID, deltas: dict[UUID, int]) -> dict[UUID, int]:
        """Add ``deltas`` (cents, positive = owed) to locked balances; publish the new ones."""
        balances = await self.repository.lock_accounts(list(deltas))
        changed = {
            household_id: balances[household_id] + delta
            for household_id, delta in deltas.items()
            if household_id in balances and delta
        }
        if not changed:
            return {}
        await self.repository.set_balances(changed, utcnow())
        await record_events(
            self.session,
            events,
            [
                (BalanceChanged(household_id=household_id, balance_cents=balance), household_id)
                for household_id, balance in changed.items()
            ],
            tenant_id=tenant_id,
        )
        return changed
