"""Transactional mails: one mail per fact, rendered in French for the tenant, delivered to the
local mailbox or over real SMTP, with retries and a delivery record."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from datetime import timedelta
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from uuid import UUID, uuid4

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from marelle_contracts import PasswordResetRequested, TenantCreated
from marelle_kit.clock import utcnow
from marelle_kit.events import EventEnvelope
from marelle_kit.ids import new_id
from marelle_kit.jobs import InProcessJobRunner
from marelle_mailing.mails.delivery import LEASE, LocalMailbox, SmtpSender, hand_over_due, send_one
from marelle_mailing.mails.jobs import deliver_due
from marelle_mailing.models import Mail
from marelle_mailing.service import definition
from marelle_mailing.settings import MailingSettings
from marelle_testkit.databases import sqlite_url
from marelle_testkit.plugin import ServiceUnderTest, service_under_test
from marelle_testkit.tokens import TokenFactory

TENANT = UUID(int=5)


@pytest.fixture
async def mailing(tmp_path: Path, tokens: TokenFactory) -> AsyncIterator[ServiceUnderTest]:
    async with service_under_test(definition, sqlite_url(tmp_path, "mailing"), tokens) as svc:
        await svc.deliver(
            TenantCreated(tenant_id=TENANT, slug="lavaur", name="Mairie de Lavaur"),
            tenant_id=TENANT,
            key=TENANT,
        )
        yield svc


def reset_requested(purpose: str = "first_login") -> PasswordResetRequested:
    return PasswordResetRequested(
        account_id=uuid4(),
        email="anne.roy@exemple.fr",
        first_name="Anne",
        purpose=purpose,  # type: ignore[arg-type]
        token="tok_" + "x" * 40,
        expires_at=utcnow() + timedelta(hours=24),
    )


async def mails(svc: ServiceUnderTest) -> list[Mail]:
    async with svc.runtime.database.transaction() as session:
        return list(await session.scalars(sa.select(Mail).order_by(Mail.created_at)))  # type: ignore[arg-type]


async def test_a_first_login_request_becomes_one_french_mail_for_the_tenant(
    mailing: ServiceUnderTest,
) -> None:
    event = reset_requested()
    envelope = EventEnvelope(
        id=new_id(),
        type=event.event_type,
        version=1,
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
        assert "http://127.0.0.1:8000/mot-de-passe/tok_" in text
    assert 'lang="fr"' in mail.html


async def test_a_forgotten_password_mail_says_60_minutes(mailing: ServiceUnderTest) -> None:
    await mailing.deliver(reset_requested("reset"), tenant_id=TENANT, key="k")
    [mail] = await mails(mailing)
    assert "réinitialisez" in mail.subject and "60 minutes" in mail.text


async def test_the_delivery_jobs_send_to_the_local_mailbox_and_record_it(
    mailing: ServiceUnderTest,
) -> None:
    """The periodic job hands the due mail to a one-shot run, which sends it (embedded mode:
    the local mailbox); a second round finds nothing due."""
    await mailing.deliver(reset_requested(), tenant_id=TENANT, key="k")
    runner = mailing.runtime.jobs
    assert isinstance(runner, InProcessJobRunner)
    assert {"mailing.deliver-due", "mailing.send-mail"} <= set(runner.jobs)
    await runner.run(deliver_due)
    await runner.drain()
    [mail] = await mails(mailing)
    assert (mail.status, mail.attempts) == ("sent", 1) and mail.sent_at is not None
    assert await hand_over_due(mailing.runtime.database) == []


async def deliver(svc: ServiceUnderTest, settings: MailingSettings, sender: object) -> list[str]:
    """One delivery round as the jobs run it: hand over what is due, send each."""
    database = svc.runtime.database
    return [
        await send_one(database, settings, mail_id, sender)  # type: ignore[arg-type]
        for mail_id in await hand_over_due(database)
    ]


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
        await mailing.deliver(reset_requested(), tenant_id=TENANT, key="k")
        settings = MailingSettings(smtp_host="127.0.0.1", smtp_port=port)
        assert await deliver(mailing, settings, SmtpSender(settings)) == ["sent"]
        for _ in range(50):
            if inbox.messages:
                break
            await asyncio.sleep(0.05)
    finally:
        controller.stop()
    [message] = inbox.messages
    assert message["To"] == "anne.roy@exemple.fr"
    assert "Mairie de Lavaur" in str(message["Subject"]) or "Lavaur" in message.as_string()
    [mail] = await mails(mailing)
    assert mail.status == "sent"


async def test_an_unreachable_smtp_server_is_retried_then_failed_with_its_reason(
    mailing: ServiceUnderTest,
) -> None:
    await mailing.deliver(reset_requested(), tenant_id=TENANT, key="k")
    settings = MailingSettings(
        smtp_host="127.0.0.1", smtp_port=free_port(), max_delivery_attempts=2, smtp_timeout=2
    )
    sender = SmtpSender(settings)
    assert await deliver(mailing, settings, sender) == ["retry"]
    [mail] = await mails(mailing)
    assert mail.status == "queued" and mail.attempts == 1 and mail.last_error
    assert utcnow() + timedelta(seconds=20) < mail.next_attempt_at < utcnow() + LEASE
    assert await deliver(mailing, settings, sender) == []  # not due yet

    async with mailing.runtime.database.transaction() as session:
        await session.execute(sa.update(Mail).values(next_attempt_at=utcnow()))
    assert await deliver(mailing, settings, sender) == ["failed"]
    [mail] = await mails(mailing)
    assert (mail.status, mail.attempts) == ("failed", 2)
    assert "Connect" in (mail.last_error or "") or "Errno" in (mail.last_error or "")


async def test_staff_see_their_tenants_mails_only(
    mailing: ServiceUnderTest, tokens: TokenFactory
) -> None:
    await mailing.deliver(reset_requested(), tenant_id=TENANT, key="k")
    agent = tokens.headers(roles=["agent"], tenant_id=TENANT)
    [summary] = (await mailing.client.get("/mails", headers=agent)).json()
    full = (await mailing.client.get(f"/mails/{summary['id']}", headers=agent)).json()
    assert "Créer le mot de passe" in full["html"]
    stranger = tokens.headers(roles=["agent"], tenant_id=uuid4())
    assert (await mailing.client.get("/mails", headers=stranger)).json() == []
    assert (
        await mailing.client.get(f"/mails/{summary['id']}", headers=stranger)
    ).status_code == 404
    parent = tokens.headers(roles=["parent"], tenant_id=TENANT)
    assert (await mailing.client.get("/mails", headers=parent)).status_code == 403


async def test_a_locked_account_is_told_when_it_opens_again(mailing: ServiceUnderTest) -> None:
    from datetime import UTC, datetime

    from marelle_contracts import AccountLocked

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
    await mailing.deliver(reset_requested(), tenant_id=TENANT, key="k")
    database = mailing.runtime.database
    [mail_id] = await hand_over_due(database)
    [mail] = await mails(mailing)
    assert mail.next_attempt_at > utcnow() + LEASE - timedelta(minutes=1)
    assert await hand_over_due(database) == []  # leased: not handed twice

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
