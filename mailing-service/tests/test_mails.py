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
from marelle_mailing.mails.celery_delivery import deliver_one
from marelle_mailing.mails.delivery import LocalMailbox, MailDispatcher, SmtpSender
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


async def test_the_local_mailbox_delivers_and_records(mailing: ServiceUnderTest) -> None:
    await mailing.deliver(reset_requested(), tenant_id=TENANT, key="k")
    dispatcher = MailDispatcher(mailing.runtime.database, MailingSettings(), LocalMailbox())
    assert await dispatcher.deliver_due() == 1
    assert await dispatcher.deliver_due() == 0
    [mail] = await mails(mailing)
    assert (mail.status, mail.attempts) == ("sent", 1) and mail.sent_at is not None


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
        dispatcher = MailDispatcher(mailing.runtime.database, settings, SmtpSender(settings))
        assert await dispatcher.deliver_due() == 1
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
    dispatcher = MailDispatcher(mailing.runtime.database, settings, SmtpSender(settings))
    assert await dispatcher.deliver_due() == 1
    [mail] = await mails(mailing)
    assert mail.status == "queued" and mail.attempts == 1 and mail.last_error
    assert mail.next_attempt_at > utcnow()  # backed off
    assert await dispatcher.deliver_due() == 0  # not due yet

    async with mailing.runtime.database.transaction() as session:
        await session.execute(sa.update(Mail).values(next_attempt_at=utcnow()))
    assert await dispatcher.deliver_due() == 1
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


async def test_a_celery_task_sends_once_retries_with_back_off_and_fails_with_its_reason(
    mailing: ServiceUnderTest,
) -> None:
    """What a Celery worker runs for one mail (distributed mode); the end-to-end test runs the
    worker itself against Redis."""
    await mailing.deliver(reset_requested(), tenant_id=TENANT, key="k")
    [mail] = await mails(mailing)
    url = str(mailing.runtime.database.url)
    unreachable = MailingSettings(
        database_url=url, smtp_host="127.0.0.1", smtp_port=free_port(), max_delivery_attempts=2
    )
    outcome, delay = await deliver_one(unreachable, mail.id)
    assert (outcome, delay) == ("retry", timedelta(seconds=30))
    [mail] = await mails(mailing)
    assert mail.status == "queued" and mail.attempts == 1 and mail.last_error
    assert mail.next_attempt_at > utcnow() + timedelta(minutes=15)  # left to Celery's retry
    assert (await deliver_one(unreachable, mail.id))[0] == "failed"

    async with mailing.runtime.database.transaction() as session:
        await session.execute(sa.update(Mail).values(status="queued", attempts=0))
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        reachable = MailingSettings(database_url=url, smtp_host="127.0.0.1", smtp_port=port)
        assert (await deliver_one(reachable, mail.id))[0] == "sent"
        # The same task delivered twice (acks late) sends nothing more.
        assert (await deliver_one(reachable, mail.id))[0] == "done"
        for _ in range(50):
            if inbox.messages:
                break
            await asyncio.sleep(0.05)
    finally:
        controller.stop()
    assert len(inbox.messages) == 1
