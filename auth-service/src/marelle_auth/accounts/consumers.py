"""Facts from the family-service that create, move or close parent logins."""

from __future__ import annotations

from marelle_auth.accounts.service import AccountService
from marelle_contracts import GuardianAdded, GuardianEmailChanged, GuardianRemoved
from marelle_kit.database import WriteSession
from marelle_kit.events import EventEnvelope, Handler


async def on_guardian_added(session: WriteSession, envelope: EventEnvelope) -> None:
    event = envelope.event_as(GuardianAdded)
    await AccountService(session).guardian_added(
        envelope.tenant_id,
        event.household_id,
        event.guardian_id,
        event.email,
        event.first_name,
        event.last_name,
    )


async def on_guardian_email_changed(session: WriteSession, envelope: EventEnvelope) -> None:
    event = envelope.event_as(GuardianEmailChanged)
    await AccountService(session).guardian_email_changed(event.guardian_id, event.email)


async def on_guardian_removed(session: WriteSession, envelope: EventEnvelope) -> None:
    event = envelope.event_as(GuardianRemoved)
    await AccountService(session).guardian_removed(event.guardian_id)


handlers: dict[str, Handler] = {
    GuardianAdded.event_type: on_guardian_added,
    GuardianEmailChanged.event_type: on_guardian_email_changed,
    GuardianRemoved.event_type: on_guardian_removed,
}
