"""Delivery: a dispatcher claims due mails and hands them to a sender, with retries and a
growing back-off; every attempt is recorded (queued, sent, bounced, failed with the reason).

The mail that leaves is built here, from the stored copy: the personal link is opened from its
sealed token and written in, the unsubscribe link and the RFC 8058 headers are added to grouped
mails, attachments are read from the file store. Grouped mails are throttled (one rate shared
by every dispatcher); transactional mails never wait for them.

Senders: the local mailbox (embedded mode: the mail stays in this database, listed in the back
office) and SMTP (distributed mode, aiosmtplib)."""

from __future__ import annotations

import asyncio
import html
import logging
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Literal, Protocol

import aiosmtplib
from sqlalchemy.ext.asyncio import AsyncSession

from marelle_kit.clock import utcnow
from marelle_kit.database import Database
from marelle_kit.sealed import SealBroken, open_sealed
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
GROUPED_LANE = "grouped"
Outcome = Literal["sent", "bounced", "failed", "retry"]


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


async def outgoing(session: AsyncSession, settings: MailingSettings, mail: Mail) -> Outgoing:
    """The mail as it leaves: secrets written in, headers, attachments."""
    body_html, body_text = mail.html, mail.text
    message = EmailMessage()
    if mail.sealed_secret is not None:
        try:
            payload = open_sealed(await LinkKeys(session).private_set(), mail.sealed_secret)
        except SealBroken as exc:
            raise NotSendable("le lien personnel ne peut pas être ouvert") from exc
        if payload.get("tenant_id") != str(mail.tenant_id):
            raise NotSendable("le lien personnel n'est pas de cette structure")
        if float(payload.get("exp", 0)) <= utcnow().timestamp():
            raise NotSendable("le lien personnel a expiré avant l'envoi")
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
        message.add_attachment(
            await files.content(stored),
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
    session: AsyncSession, settings: MailingSettings, mail: Mail, sender: Sender
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


async def claim_due(session: AsyncSession, settings: MailingSettings, limit: int) -> list[Mail]:
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


class MailDispatcher:
    def __init__(self, database: Database, settings: MailingSettings, sender: Sender) -> None:
        self.database = database
        self.settings = settings
        self.sender = sender

    async def deliver_due(self, limit: int = 20) -> int:
        """One round: claim due mails, send each, record the outcome. Returns mails handled."""
        async with self.database.transaction() as session:
            mails = await claim_due(session, self.settings, limit)
            for mail in mails:
                await attempt(session, self.settings, mail, self.sender)
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
