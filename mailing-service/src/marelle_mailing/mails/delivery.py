"""Delivery: every mail is a row of the ``mail`` table, its delivery record (queued, sent,
bounced, or failed with the reason). Two jobs (marelle_kit.jobs) send them, in both modes:

- ``mailing.deliver-due`` (periodic): claims the due mails (``FOR UPDATE SKIP LOCKED``),
  transactional ones first, grouped ones (mailings) within their rate (one locked lane row
  shared by every worker), leases each for ``LEASE`` and asks for one ``mailing.send-mail`` run
  per mail;
- ``mailing.send-mail`` (one-shot): locks the mail, sends nothing if it is no longer queued (a
  run repeated after a crash), otherwise builds the mail that leaves and records the attempt:
  sent, bounced (refused for good by the receiving server), due again after a growing back-off,
  or failed for good after the last attempt.

The mail that leaves is built from the stored copy: the personal link is opened from its
sealed token and written in, the unsubscribe link and the RFC 8058 headers are added to grouped
mails, attachments are read from the file store. A run lost with its worker leaves the mail
queued: it is handed over again when its lease ends.

Senders: the local mailbox (embedded mode: the mail stays in this database, listed in the back
office) and SMTP (aiosmtplib) when a server is configured."""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Literal, Protocol
from uuid import UUID

import aiosmtplib

from marelle_kit.clock import utcnow
from marelle_kit.database import Database, WriteSession
from marelle_kit.errors import NotFound
from marelle_kit.sealed import SealBroken, open_sealed
from marelle_mailing import catalogue
from marelle_mailing.composing.context import Links
from marelle_mailing.files.service import Files
from marelle_mailing.links.service import LinkKeys
from marelle_mailing.mails.repository import LaneRepository, MailRepository
from marelle_mailing.mails.service import LINK_PLACEHOLDER, UNSUBSCRIBE_PLACEHOLDER
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
GROUPED_LANE = "grouped"
Outcome = Literal["sent", "bounced", "failed", "retry", "done"]


class NotSendable(Exception):
    """The mail cannot leave as it is, and never will (e.g. its link expired before)."""


@dataclass(frozen=True)
class Outgoing:
    message: EmailMessage
    html: str
    text: str


class Sender(Protocol):
    async def send(self, mail: Mail, outgoing: Outgoing) -> None: ...


class LocalMailbox:
    """Embedded mode: nothing leaves the machine; the back office shows the captured mail, with
    its live links (the demo's mailbox says so)."""

    async def send(self, mail: Mail, outgoing: Outgoing) -> None:
        mail.captured_html, mail.captured_text = outgoing.html, outgoing.text


class SmtpSender:
    def __init__(self, settings: MailingSettings) -> None:
        self.settings = settings

    async def send(self, mail: Mail, outgoing: Outgoing) -> None:
        assert self.settings.smtp_host is not None
        await aiosmtplib.send(
            outgoing.message,
            hostname=self.settings.smtp_host,
            port=self.settings.smtp_port,
            username=self.settings.smtp_username,
            password=self.settings.smtp_password,
            start_tls=self.settings.smtp_starttls,
            timeout=self.settings.smtp_timeout,
        )


def sender_for(settings: MailingSettings) -> Sender:
    return SmtpSender(settings) if settings.smtp_host else LocalMailbox()


async def outgoing(session: WriteSession, settings: MailingSettings, mail: Mail) -> Outgoing:
    """The mail as it leaves: secrets written in, headers, attachments."""
    body_html, body_text = mail.html, mail.text
    message = EmailMessage()
    if mail.sealed_secret is not None:
        try:
            payload = open_sealed(await LinkKeys(session).private_set(), mail.sealed_secret)
        except SealBroken as exc:
            raise NotSendable(catalogue.LINK_UNREADABLE) from exc
        if payload.get("tenant_id") != str(mail.tenant_id):
            raise NotSendable(catalogue.LINK_OTHER_TENANT)
        if float(payload.get("exp", 0)) <= utcnow().timestamp():
            raise NotSendable(catalogue.LINK_EXPIRED_BEFORE_SENDING)
        link = await Links(session, settings).page(
            mail.tenant_id, "password_link", str(payload["token"])
        )
        body_html = body_html.replace(LINK_PLACEHOLDER, html.escape(link))
        body_text = body_text.replace(LINK_PLACEHOLDER, link)
    if mail.kind == "grouped" and mail.unsubscribe_token:
        portal = await Links(session, settings).portal(mail.tenant_id)
        url = f"{portal}/api/mailing/unsubscribe/{mail.unsubscribe_token}"
        body_html = body_html.replace(UNSUBSCRIBE_PLACEHOLDER, html.escape(url))
        body_text = body_text.replace(UNSUBSCRIBE_PLACEHOLDER, url)
        # RFC 2369 and RFC 8058: the one-click POST (List-Unsubscribe=One-Click) to the URL.
        targets = [f"<{url}>"]
        if settings.unsubscribe_mailto:
            targets.append(f"<mailto:{settings.unsubscribe_mailto}?subject=unsubscribe>")
        message["List-Unsubscribe"] = ", ".join(targets)
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        message["Precedence"] = "bulk"
    else:
        message["Auto-Submitted"] = "auto-generated"
    message["From"] = settings.sender
    message["To"] = mail.to_address
    message["Subject"] = mail.subject
    message["Message-ID"] = make_msgid(idstring=str(mail.id), domain="marelle.invalid")
    message.set_content(body_text)
    message.add_alternative(body_html, subtype="html")
    files = Files(session, settings)
    for stored in await MailRepository(session).files_of(mail.id):
        maintype, subtype = stored.content_type.split("/", 1)
        extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
        try:
            data = await files.content(stored)
        except NotFound as exc:
            raise NotSendable(catalogue.ATTACHMENT_LOST.format(name=stored.name)) from exc
        message.add_attachment(
            data,
            maintype=maintype,
            subtype=subtype,
            filename=f"{stored.name}.{extension.get(stored.content_type, 'bin')}",
        )
    return Outgoing(message, body_html, body_text)


def is_bounce(exc: Exception) -> bool:
    """The receiving server refused the recipient or the message for good (5xx)."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        return bool(exc.recipients) and all(r.code >= 500 for r in exc.recipients)
    if isinstance(exc, aiosmtplib.SMTPRecipientRefused | aiosmtplib.SMTPDataError):
        return 500 <= exc.code < 600
    return False


def delay_after(attempts: int) -> timedelta:
    return RETRY_DELAYS[min(max(attempts, 1) - 1, len(RETRY_DELAYS) - 1)]


async def attempt(
    session: WriteSession, settings: MailingSettings, mail: Mail, sender: Sender
) -> Outcome:
    """One attempt at one (locked) mail; records the outcome on the row."""
    mail.attempts += 1
    try:
        out = await outgoing(session, settings, mail)
        await sender.send(mail, out)
    except NotSendable as exc:
        mail.status, mail.last_error, mail.sealed_secret = "failed", str(exc), None
        log.error("mail %s cannot be sent: %s", mail.id, exc)
        return "failed"
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
        mail.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if is_bounce(exc):
            mail.status, mail.sealed_secret = "bounced", None
            log.warning("mail %s bounced: %s", mail.id, mail.last_error)
            return "bounced"
        if mail.attempts >= settings.max_delivery_attempts:
            mail.status, mail.sealed_secret = "failed", None
            log.error("mail %s failed for good: %s", mail.id, mail.last_error)
            return "failed"
        mail.next_attempt_at = utcnow() + delay_after(mail.attempts)
        return "retry"
    # Sent: the secret is not needed any more, and the stored copy never had it.
    mail.status, mail.sent_at, mail.last_error = "sent", utcnow(), None
    mail.sealed_secret = None
    return "sent"


async def claim_due(session: WriteSession, settings: MailingSettings, limit: int) -> list[Mail]:
    """Due transactional mails first, then grouped ones within the lane's rate."""
    now = utcnow()
    mails = MailRepository(session)
    claimed = await mails.claim_due(now, limit, kind="transactional")
    room = limit - len(claimed)
    if room > 0:
        lane = await LaneRepository(session).allowance(
            GROUPED_LANE, settings.grouped_per_minute, now
        )
        allowed = min(room, settings.grouped_per_minute - lane.handed_in_window)
        grouped = await mails.claim_due(now, allowed, kind="grouped")
        lane.handed_in_window += len(grouped)
        session.add(lane)
        claimed += grouped
    for mail in claimed:
        mail.handed_at = now
    return claimed


async def hand_over_due(
    database: Database, settings: MailingSettings, limit: int = 50
) -> list[UUID]:
    """Claim and lease the due mails; returns their ids (to send, after this commit)."""
    async with database.transaction() as session:
        mails = MailRepository(session)
        due = await claim_due(session, settings, limit)
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
        outcome = await attempt(session, settings, mail, sender)
        await mails.save(mail)
        return outcome
