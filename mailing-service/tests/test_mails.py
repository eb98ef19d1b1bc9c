"""Transactional mails: one mail per fact, rendered in French for the tenant, delivered to the
local mailbox or over real SMTP, with retries and a delivery record."""

from __future__ import annotations

import asyncio
import socket
from datetime import timedelta
from email import message_from_bytes
from email.message import Message
from uuid import uuid4

import sqlalchemy as sa
from aiosmtpd.controller import Controller

from marelle_contracts import AccountLocked
from marelle_kit.clock import utcnow
from marelle_kit.events import EventEnvelope
from marelle_kit.ids import new_id
from marelle_kit.jobs import InProcessJobRunner
from marelle_mailing.mails.delivery import LEASE, LocalMailbox, SmtpSender, hand_over_due, send_one
from marelle_mailing.mails.jobs import deliver_due
from marelle_mailing.models import Mail
from marelle_mailing.settings import MailingSettings
from marelle_testkit.plugin import ServiceUnderTest
from marelle_testkit.tokens import TokenFactory

from mailing_world import TENANT, deliver_round, mails, reset_requested


async def test_a_first_login_request_becomes_one_french_mail_for_the_tenant(
    mailing: ServiceUnderTest,
) -> None:
    event = await reset_requested(mailing)
    envelope = EventEnvelope(
        id=new_id(),
        type=event.event_type,
        version=event.event_version,
        tenant_id=TENANT,
        key="k",
        occurred_at=utcnow(),
        correlation_id="c",
        causation_id=None,
        payload=event.model_dump(mode="json"),
    )
    await mailing.runtime.consumer.deliver(envelope)
    await mailing.runtime.consumer.deliver(envelope)  # the same fact twice: one mail

    [mail] = await mails(mailing)
    assert mail.to_address == "anne.roy@exemple.fr"
    assert mail.subject == "Mairie de Lavaur — créez votre mot de passe"
    assert mail.dedup_key == f"auth.password_reset.requested:{envelope.id}"
    assert mail.status == "queued"
    for text in (mail.html, mail.text):
        assert "Bonjour Anne" in text
        assert "Créer le mot de passe" in text
        assert "24 heures" in text
        assert "indésirables" in text
        assert "tok_" not in text  # the stored copy never holds the link (issue 9 item 1)
    assert 'lang="fr"' in mail.html


async def test_a_forgotten_password_mail_says_60_minutes(mailing: ServiceUnderTest) -> None:
    await mailing.deliver(
        await reset_requested(mailing, purpose="reset"), tenant_id=TENANT, key="k"
    )
    [mail] = await mails(mailing)
    assert "réinitialisez" in mail.subject and "60 minutes" in mail.text


async def test_the_delivery_jobs_send_to_the_local_mailbox_and_record_it(
    mailing: ServiceUnderTest,
) -> None:
    """The periodic job hands the due mail to a one-shot run, which sends it (embedded mode:
    the local mailbox); a second round finds nothing due."""
    await mailing.deliver(await reset_requested(mailing), tenant_id=TENANT, key="k")
    runner = mailing.runtime.jobs
    assert isinstance(runner, InProcessJobRunner)
    assert {"mailing.deliver-due", "mailing.send-mail"} <= set(runner.jobs)
    await runner.run(deliver_due)
    await runner.drain()
    [mail] = await mails(mailing)
    assert (mail.status, mail.attempts) == ("sent", 1) and mail.sent_at is not None
    assert await hand_over_due(mailing.runtime.database, MailingSettings()) == []
    # The demo's captured mailbox keeps the mail as received; the secret itself is forgotten.
    assert "http://127.0.0.1:8000/mot-de-passe/tok_" in (mail.captured_text or "")
    assert mail.sealed_secret is None and "tok_" not in mail.text


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_smtp_delivery_to_a_real_server(mailing: ServiceUnderTest) -> None:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        await mailing.deliver(await reset_requested(mailing), tenant_id=TENANT, key="k")
        settings = MailingSettings(smtp_host="127.0.0.1", smtp_port=port)
        assert await deliver_round(mailing, settings, SmtpSender(settings)) == ["sent"]
        for _ in range(50):
            if inbox.messages:
                break
            await asyncio.sleep(0.05)
    finally:
        controller.stop()
    [message] = inbox.messages
    assert message["To"] == "anne.roy@exemple.fr"
    assert "http://127.0.0.1:8000/mot-de-passe/tok_" in message.as_string()  # the live link
    assert message["List-Unsubscribe"] is None  # never on a transactional mail
    assert "Mairie de Lavaur" in str(message["Subject"]) or "Lavaur" in message.as_string()
    [mail] = await mails(mailing)
    assert mail.status == "sent"


async def test_an_unreachable_smtp_server_is_retried_then_failed_with_its_reason(
    mailing: ServiceUnderTest,
) -> None:
    await mailing.deliver(await reset_requested(mailing), tenant_id=TENANT, key="k")
    settings = MailingSettings(
        smtp_host="127.0.0.1", smtp_port=free_port(), max_delivery_attempts=2, smtp_timeout=2
    )
    sender = SmtpSender(settings)
    assert await deliver_round(mailing, settings, sender) == ["retry"]
    [mail] = await mails(mailing)
    assert mail.status == "queued" and mail.attempts == 1 and mail.last_error
    assert utcnow() + timedelta(seconds=20) < mail.next_attempt_at < utcnow() + LEASE
    assert await deliver_round(mailing, settings, sender) == []  # not due yet

    async with mailing.runtime.database.transaction() as session:
        await session.execute(sa.update(Mail).values(next_attempt_at=utcnow()))
    assert await deliver_round(mailing, settings, sender) == ["failed"]
    [mail] = await mails(mailing)
    assert (mail.status, mail.attempts) == ("failed", 2)
    assert "Connect" in (mail.last_error or "") or "Errno" in (mail.last_error or "")


async def test_only_supervisors_read_mails_and_never_a_usable_link(
    mailing: ServiceUnderTest, tokens: TokenFactory
) -> None:
    """Issue 9 item 1, the attack: an agent asks a link for the admin's address and reads it
    in « Courriels envoyés ». Agents cannot read mails any more; a supervisor reads a copy
    without the link; outside the embedded demo's capture nothing shows it."""
    token = "tok_admin_" + "y" * 30
    await mailing.deliver(
        await reset_requested(mailing, token=token, email="admin@lavaur.fr"),
        tenant_id=TENANT,
        key="k",
    )
    agent = tokens.headers(roles=["agent"], tenant_id=TENANT)
    assert (await mailing.client.get("/mails", headers=agent)).status_code == 403
    manager = tokens.headers(roles=["manager"], tenant_id=TENANT)
    [summary] = (await mailing.client.get("/mails", headers=manager)).json()["items"]
    assert (await mailing.client.get(f"/mails/{summary['id']}", headers=agent)).status_code == 403
    full = (await mailing.client.get(f"/mails/{summary['id']}", headers=manager)).json()
    assert token not in full["html"] and token not in full["text"]
    assert "lien personnel : retiré de la copie conservée" in full["text"]
    assert full["live_copy"] is False and full["notice"] is None
    stranger = tokens.headers(roles=["manager"], tenant_id=uuid4())
    assert (await mailing.client.get("/mails", headers=stranger)).json()["items"] == []
    assert (
        await mailing.client.get(f"/mails/{summary['id']}", headers=stranger)
    ).status_code == 404
    parent = tokens.headers(roles=["parent"], tenant_id=TENANT)
    assert (await mailing.client.get("/mails", headers=parent)).status_code == 403
    # Nothing in the whole database holds the token in clear, before or after delivery.
    await deliver_round(mailing, MailingSettings(), LocalMailbox())
    async with mailing.runtime.database.transaction() as session:
        [row] = await session.scalars(sa.select(Mail))
        assert token not in row.html + row.text + (row.sealed_secret or "")
        assert row.sealed_secret is None  # forgotten once sent


async def test_the_embedded_captured_mailbox_shows_the_live_link_and_says_so(
    mailing: ServiceUnderTest, tokens: TokenFactory
) -> None:
    await mailing.deliver(await reset_requested(mailing), tenant_id=TENANT, key="k")
    await deliver_round(mailing, MailingSettings(), LocalMailbox())
    manager = tokens.headers(roles=["manager"], tenant_id=TENANT)
    [summary] = (await mailing.client.get("/mails", headers=manager)).json()["items"]
    full = (await mailing.client.get(f"/mails/{summary['id']}", headers=manager)).json()
    assert full["live_copy"] is True and "Boîte de démonstration" in full["notice"]
    assert "/mot-de-passe/tok_" in full["text"]


async def test_a_sealed_token_of_another_account_or_expired_makes_no_mail(
    mailing: ServiceUnderTest,
) -> None:
    """A ciphertext lifted from another event (another account) or expired is refused."""
    event = await reset_requested(mailing)
    pasted = event.model_copy(update={"account_id": uuid4()})
    await mailing.deliver(pasted, tenant_id=TENANT, key="k")
    expired = await reset_requested(mailing, expires_in=timedelta(seconds=-5))
    await mailing.deliver(expired, tenant_id=TENANT, key="k")
    garbage = event.model_copy(update={"sealed_token": "not.a.jwe.at.all"})
    await mailing.deliver(garbage, tenant_id=TENANT, key="k")
    assert await mails(mailing) == []


async def test_a_version_1_event_with_a_clear_token_is_not_copied(
    mailing: ServiceUnderTest,
) -> None:
    envelope = EventEnvelope(
        id=new_id(),
        type="auth.password_reset.requested",
        version=1,
        tenant_id=TENANT,
        key="k",
        occurred_at=utcnow(),
        correlation_id="c",
        causation_id=None,
        payload={"token": "clear-token", "email": "a@exemple.fr"},
    )
    await mailing.runtime.consumer.deliver(envelope)
    assert await mails(mailing) == []
    dead = mailing.runtime.definition.tables.dead_letter
    async with mailing.runtime.database.transaction() as session:
        assert list(await session.scalars(sa.select(dead.c.envelope))) == []


async def test_a_locked_account_is_told_when_it_opens_again(mailing: ServiceUnderTest) -> None:
    from datetime import UTC, datetime

    await mailing.deliver(
        AccountLocked(
            account_id=uuid4(),
            email="anne.roy@exemple.fr",
            first_name="Anne",
            locked_until=datetime(2026, 11, 23, 9, 30, tzinfo=UTC),
        ),
        tenant_id=TENANT,
        key="k",
    )
    [mail] = await mails(mailing)
    assert mail.subject == "Mairie de Lavaur — accès à votre compte suspendu"
    assert "23/11/2026 à 10\u00a0h\u00a030" in mail.text  # Paris time, French style
    assert "mot de passe oublié" in mail.text


async def test_a_handed_over_mail_is_leased_and_sent_once_even_if_its_run_repeats(
    mailing: ServiceUnderTest,
) -> None:
    """A send-mail run repeated (a worker lost after sending, acks late) sends nothing more;
    a run lost before sending leaves the mail to the next hand-over once its lease ends."""
    await mailing.deliver(await reset_requested(mailing), tenant_id=TENANT, key="k")
    database = mailing.runtime.database
    [mail_id] = await hand_over_due(database, MailingSettings())
    [mail] = await mails(mailing)
    assert mail.next_attempt_at > utcnow() + LEASE - timedelta(minutes=1)
    assert await hand_over_due(database, MailingSettings()) == []  # leased: not handed twice

    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings = MailingSettings(smtp_host="127.0.0.1", smtp_port=port)
        assert await send_one(database, settings, mail_id, SmtpSender(settings)) == "sent"
        assert await send_one(database, settings, mail_id, SmtpSender(settings)) == "done"
        for _ in range(50):
            if inbox.messages:
                break
            await asyncio.sleep(0.05)
    finally:
        controller.stop()
    assert len(inbox.messages) == 1
    assert await send_one(database, MailingSettings(), new_id(), LocalMailbox()) == "done"
