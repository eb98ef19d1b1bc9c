"""Facts from other services that open or update billing accounts."""

from __future__ import annotations

from marelle_billing.accounts.service import AccountService
from marelle_contracts import HouseholdCreated, HouseholdErased, QuotientChanged
from marelle_kit.database import WriteSession
from marelle_kit.events import EventEnvelope, Handler


async def on_household_created(session: WriteSession, envelope: EventEnvelope) -> None:
    event = envelope.event_as(HouseholdCreated)
    await AccountService(session).open_for_household(
        envelope.tenant_id, event.household_id, event.family_number, event.name
    )


async def on_quotient_changed(session: WriteSession, envelope: EventEnvelope) -> None:
    event = envelope.event_as(QuotientChanged)
    await AccountService(session).quotient_changed(
        event.household_id, event.quotient, event.valid_until
    )


async def on_household_erased(session: WriteSession, envelope: EventEnvelope) -> None:
    event = envelope.event_as(HouseholdErased)
    await AccountService(session).household_erased(event.household_id)


handlers: dict[str, Handler] = {
    HouseholdCreated.event_type: on_household_created,
    QuotientChanged.event_type: on_quotient_changed,
    HouseholdErased.event_type: on_household_erased,
}
