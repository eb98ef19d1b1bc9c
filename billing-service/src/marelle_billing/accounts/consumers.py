"""Facts from other services that open billing accounts (the quotient and the erasure are
applied by marelle_billing.readmodels.consumers, which keeps their history too)."""

from __future__ import annotations

from marelle_billing.accounts.service import AccountService
from marelle_contracts import HouseholdCreated
from marelle_kit.database import WriteSession
from marelle_kit.events import EventEnvelope, Handler


async def on_household_created(session: WriteSession, envelope: EventEnvelope) -> None:
    event = envelope.event_as(HouseholdCreated)
    await AccountService(session).open_for_household(
        envelope.tenant_id, event.household_id, event.family_number, event.name
    )


handlers: dict[str, Handler] = {HouseholdCreated.event_type: on_household_created}
