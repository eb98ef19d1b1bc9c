"""Delivery: a dispatcher claims due mails and hands them to a sender, with retries and a
growing back-off; every attempt is recorded (queued, sent, failed with the reason).

Senders: the local mailbox (embedded mode: the mail stays in this database, listed in the back
office) and SMTP (distributed mode, aiosmtplib)."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Protocol

import aiosmtplib

from marelle_kit.clock import utcnow
from marelle_kit.database import Database
from marelle_mailing.mails.repository import MailRepository
from marelle_mailing.models import Mail
from marelle_mailing.settings import MailingSettings

log = logging.getLogger(__name__)

RETRY_DELAYS = (
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(minutes=30),
    timedelta(hours=2),
)


class Sender(Protocol):
    async def send(self, mail: Mail) -> None: ...


class LocalMailbox:
    """Embedded mode: nothing leaves the machine; the back office shows the mail."""

    async def send(self, mail: Mail) -> None:
        return None


class SmtpSender:
    def __init__(self, settings: MailingSettings) -> None:
        self.settings = settings

    def message(self, mail: Mail) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.settings.sender
        message["To"] = mail.to_address
        message["Subject"] = mail.subject
        message["Message-ID"] = make_msgid(idstring=str(mail.id), domain="marelle.invalid")
        message.set_content(mail.text)
        message.add_alternative(mail.html, subtype="html")
        return message

    async def send(self, mail: Mail) -> None:
        assert self.settings.smtp_host is not None
        await aiosmtplib.send(
            self.message(mail),
            hostname=self.settings.smtp_host,
            port=self.settings.smtp_port,
            username=self.settings.smtp_username,
            password=self.settings.smtp_password,
            start_tls=self.settings.smtp_starttls,
            timeout=self.settings.smtp_timeout,
        )


def sender_for(settings: MailingSettings) -> Sender:
    return SmtpSender(settings) if settings.smtp_host else LocalMailbox()


class MailDispatcher:
    def __init__(self, database: Database, settings: MailingSettings, sender: Sender) -> None:
        self.database = database
        self.settings = settings
        self.sender = sender

    async def deliver_due(self, limit: int = 20) -> int:
        """One round: claim due mails, send each, record the outcome. Returns mails handled."""
        async with self.database.transaction() as session:
            mails = await MailRepository(session).claim_due(utcnow(), limit)
            for mail in mails:
                mail.attempts += 1
                try:
                    await self.sender.send(mail)
                except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
                    mail.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                    if mail.attempts >= self.settings.max_delivery_attempts:
                        mail.status = "failed"
                        log.error("mail %s failed for good: %s", mail.id, mail.last_error)
                    else:
                        delay = RETRY_DELAYS[min(mail.attempts - 1, len(RETRY_DELAYS) - 1)]
                        mail.next_attempt_at = utcnow() + delay
                else:
                    mail.status, mail.sent_at, mail.last_error = "sent", utcnow(), None
                session.add(mail)
            return len(mails)

    async def run(self) -> None:
        while True:
            try:
                handled = await self.deliver_due()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("mail dispatcher round failed")
                handled = 0
            if not handled:
                await asyncio.sleep(self.settings.delivery_poll_interval)
