"""Facts that produce mails."""

from __future__ import annotations

from marelle_contracts import AccountLocked, PasswordResetRequested
from marelle_kit.database import WriteSession
from marelle_kit.events import EventEnvelope, Handler
from marelle_mailing.mails.service import MailService
from marelle_mailing.settings import MailingSettings


def handlers(settings: MailingSettings) -> dict[str, Handler]:
    async def on_password_reset_requested(session: WriteSession, envelope: EventEnvelope) -> None:
        event = envelope.event_as(PasswordResetRequested)
        await MailService(session, settings).password_link(
            envelope.tenant_id, f"{envelope.type}:{envelope.id}", event
        )

    async def on_account_locked(session: WriteSession, envelope: EventEnvelope) -> None:
        event = envelope.event_as(AccountLocked)
        await MailService(session, settings).account_locked(
            envelope.tenant_id, f"{envelope.type}:{envelope.id}", event
        )

    return {
        PasswordResetRequested.event_type: on_password_reset_requested,
        AccountLocked.event_type: on_account_locked,
    }
