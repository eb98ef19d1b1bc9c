"""Delivery: every mail is a row of the ``mail`` table, its delivery record (queued, sent, or
failed with the reason). Two jobs (marelle_kit.jobs) send them, in both modes:

- ``mailing.deliver-due`` (periodic): claims the due mails (``FOR UPDATE SKIP LOCKED``), leases
  each for ``LEASE`` and asks for one ``mailing.send-mail`` run per mail;
- ``mailing.send-mail`` (one-shot): locks the mail, sends nothing if it is no longer queued
  (a run repeated after a crash), otherwise sends it and records the attempt: sent, or due
  again after a growing back-off, or failed for good after the last attempt.

A run lost with its worker leaves the mail queued: it is handed over again when its lease ends.
Senders: the local mailbox (embedded mode: the mail stays in this database, listed in the back
office) and SMTP (aiosmtplib) when a server is configured."""

from __future__ import annotations

import logging
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Literal, Protocol
from uuid import UUID

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
# A mail handed to a send-mail run is not handed again before this (unless the run reschedules
# it): long enough for any SMTP exchange, short enough that a lost run delays little.
LEASE = timedelta(minutes=15)
Outcome = Literal["sent", "retry", "failed", "done"]


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


async def hand_over_due(database: Database, limit: int = 50) -> list[UUID]:
    """Claim and lease the due mails; returns their ids (to send, after this commit)."""
    async with database.transaction() as session:
        mails = MailRepository(session)
        due = await mails.claim_due(utcnow(), limit)
        for mail in due:
            mail.next_attempt_at = utcnow() + LEASE
            await mails.save(mail)
        return [mail.id for mail in due]


async def send_one(
    database: Database, settings: MailingSettings, mail_id: UUID, sender: Sender
) -> Outcome:
    """Send one mail under its row lock and record the attempt (see the module's docstring)."""
    async with database.transaction() as session:
        mails = MailRepository(session)
        mail = await mails.lock(mail_id)
        if mail is None or mail.status != "queued":
            return "done"
        outcome = await _attempt(mail, settings, sender)
        await mails.save(mail)
        return outcome


async def _attempt(mail: Mail, settings: MailingSettings, sender: Sender) -> Outcome:
    mail.attempts += 1
    try:
        await sender.send(mail)
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
        mail.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if mail.attempts >= settings.max_delivery_attempts:
            mail.status = "failed"
            log.error("mail %s failed for good: %s", mail.id, mail.last_error)
            return "failed"
        mail.next_attempt_at = utcnow() + retry_delay(mail.attempts)
        return "retry"
    mail.status, mail.sent_at, mail.last_error = "sent", utcnow(), None
    return "sent"


def retry_delay(attempts: int) -> timedelta:
    return RETRY_DELAYS[min(max(attempts, 1) - 1, len(RETRY_DELAYS) - 1)]
