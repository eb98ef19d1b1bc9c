"""Facts of the auth-service that produce mails."""

from __future__ import annotations

import logging

from marelle_contracts import AccountLocked, PasswordResetRequested
from marelle_kit.database import WriteSession
from marelle_kit.events import EventEnvelope, Handler
from marelle_kit.sealed import SealBroken
from marelle_mailing.links.service import LinkKeys
from marelle_mailing.mails.service import MailQueue
from marelle_mailing.settings import MailingSettings

log = logging.getLogger(__name__)


def handlers(settings: MailingSettings) -> dict[str, Handler]:
    async def on_password_reset_requested(session: WriteSession, envelope: EventEnvelope) -> None:
        if envelope.version < 2:
            # Version 1 carried the token in clear: it is not copied into this database (not
            # even as a dead letter). The person asks for a new link; it comes sealed.
            log.warning("ignored a version 1 password link event %s", envelope.id)
            return
        event = envelope.event_as(PasswordResetRequested)
        try:  # only to check it is this account's; the token is opened again at delivery
            await LinkKeys(session).open_token(
                event.sealed_token,
                tenant_id=envelope.tenant_id,
                account_id=event.account_id,
                purpose=event.purpose,
            )
        except SealBroken as exc:
            log.error("password link event %s: sealed token refused (%s)", envelope.id, exc)
            return
        await MailQueue(session, settings).password_link(
            envelope.tenant_id, f"{envelope.type}:{envelope.id}", event, envelope.key
        )

    async def on_account_locked(session: WriteSession, envelope: EventEnvelope) -> None:
        event = envelope.event_as(AccountLocked)
        await MailQueue(session, settings).account_locked(
            envelope.tenant_id, f"{envelope.type}:{envelope.id}", event, envelope.key
        )

    return {
        PasswordResetRequested.event_type: on_password_reset_requested,
        AccountLocked.event_type: on_account_locked,
    }
