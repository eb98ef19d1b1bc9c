"""Facts from the billing-service: the balances that decide whether a household may be erased."""

from __future__ import annotations

from marelle_contracts import BalanceChanged
from marelle_family.models import HouseholdBalance
from marelle_family.privacy.repository import BalanceRepository
from marelle_kit.database import WriteSession
from marelle_kit.events import EventEnvelope, Handler


async def on_balance_changed(session: WriteSession, envelope: EventEnvelope) -> None:
    event = envelope.event_as(BalanceChanged)
    balances = BalanceRepository(session)
    balance = await balances.of_household(event.household_id)
    if balance is None:
        balance = HouseholdBalance(household_id=event.household_id, tenant_id=envelope.tenant_id)
    balance.balance_cents = event.balance_cents
    await balances.save(balance)


handlers: dict[str, Handler] = {BalanceChanged.event_type: on_balance_changed}
