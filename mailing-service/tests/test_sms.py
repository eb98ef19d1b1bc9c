"""SMS: segment count and encoding, cost before sending, sender rules, opt-out respected,
capture in embedded mode, the Brevo adapter against a local stand-in of its API (the real
provider is never called by tests)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest
from aiohttp import web
from test_messaging import admin, agent

from marelle_contracts import GuardianDetailsChanged
from marelle_mailing.settings import MailingSettings
from marelle_mailing.sms.encoding import international, size_of
from marelle_mailing.sms.providers import (
    BrevoProvider,
    CaptureProvider,
    OutgoingSms,
    SmsRefused,
    SmsUnavailable,
)
from marelle_mailing.sms.service import deliver_due_sms
from marelle_testkit.plugin import ServiceUnderTest
from marelle_testkit.tokens import TokenFactory

from mailing_world import TENANT, add_household


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("a" * 160, "gsm7", 160, 1),
        ("a" * 161, "gsm7", 161, 2),
        ("a" * 306, "gsm7", 306, 2),
        ("a" * 307, "gsm7", 307, 3),
        ("€" * 80, "gsm7", 160, 1),  # € is an extension character: two septets
        ("€" * 81, "gsm7", 162, 2),
        ("Réservez avant jeudi, à plus ! é è ù à", "gsm7", 38, 1),  # French letters GSM has
        ("Réservez avant jeudi, à bientôt !", "ucs2", 33, 1),  # ô is not GSM
        ("Fermeture exceptionnelle : grève" + "ê", "ucs2", 33, 1),  # ê is not GSM
        ("ê" * 70, "ucs2", 70, 1),
        ("ê" * 71, "ucs2", 71, 2),
        ("ê" * 134, "ucs2", 134, 2),
        ("ê" * 135, "ucs2", 135, 3),
        ("🙂" * 35, "ucs2", 70, 1),  # outside the BMP: two UTF-16 units each
        ("🙂" * 36, "ucs2", 72, 2),
    ],
)
def test_segments_and_encoding(text: str, encoding: str, units: int, segments: int) -> None:
    size = size_of(text)
    assert (size.encoding, size.units, size.segments) == (encoding, units, segments)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("06 12 34 56 78", "+33612345678"),
        ("07.12.34.56.78", "+33712345678"),
        ("+33612345678", "+33612345678"),
        ("0033612345678", "+33612345678"),
        ("05 61 00 00 00", None),  # a landline cannot receive an SMS
        ("12", None),
        ("+32470123456", "+32470123456"),
    ],
)
def test_numbers_in_international_form(raw: str, expected: str | None) -> None:
    assert international(raw) == expected


async def with_phone(svc: ServiceUnderTest, household: Any, phone: str | None) -> None:
    """The family-service's guardian detail fact, for the household's first guardian."""
    async with svc.runtime.database.transaction() as session:
        import sqlalchemy as sa

        from marelle_mailing.models import GuardianCopy

        guardian = await session.scalar(
            sa.select(GuardianCopy).where(GuardianCopy.household_id == household)
        )  # type: ignore[arg-type]
        assert guardian is not None
        gid, first, last = guardian.id, guardian.first_name, guardian.last_name
    await svc.deliver(
        GuardianDetailsChanged(
            household_id=household, guardian_id=gid, first_name=first, last_name=last, phone=phone
        ),
        tenant_id=TENANT,
        key=household,
    )


async def test_estimate_then_send_respecting_opt_outs_through_the_capture(
    mailing: ServiceUnderTest, tokens: TokenFactory
) -> None:
    yes = await add_household(mailing, name="ALAIN", number="000001", sms_authorised=True)
    no = await add_household(mailing, name="BRUN", number="000002", sms_authorised=False)
    landline = await add_household(mailing, name="COLIN", number="000003", sms_authorised=True)
    await with_phone(mailing, yes, "06 12 34 56 78")
    await with_phone(mailing, no, "06 98 76 54 32")
    await with_phone(mailing, landline, "05 61 00 00 00")
    text = "Grève jeudi : pas de cantine. Prévoyez un repas froid." + " " * 0
    missing_sender = await mailing.client.post("/sms", json={"text": text}, headers=agent(tokens))
    assert missing_sender.status_code == 409
    settings = (await mailing.client.get("/settings/communication", headers=admin(tokens))).json()
    await mailing.client.put(
        "/settings/communication",
        json={**settings, "sms_sender": "MairieLvr", "sms_segment_price": "0.0450"},
        headers=admin(tokens),
    )
    estimate = (
        await mailing.client.post("/sms/estimate", json={"text": text * 3}, headers=agent(tokens))
    ).json()
    assert estimate["encoding"] == "gsm7" and estimate["segments"] == 2
    assert (estimate["recipients"], estimate["refused_sms"], estimate["without_mobile"]) == (
        1,
        1,
        1,
    )
    assert Decimal(estimate["cost"]) == Decimal("0.09") and estimate["sender"] == "MairieLvr"
    campaign = (
        await mailing.client.post("/sms", json={"text": text}, headers=agent(tokens))
    ).json()
    assert campaign["status"] == "draft" and Decimal(campaign["cost"]) == Decimal(
        "0.05"
    )  # 0,045 € rounded
    sent = await mailing.client.post(f"/sms/{campaign['id']}/send", headers=agent(tokens))
    assert sent.status_code == 200 and sent.json()["status"] == "sending"
    assert (
        await mailing.client.post(f"/sms/{campaign['id']}/send", headers=agent(tokens))
    ).status_code == 409
    assert await deliver_due_sms(mailing.runtime.database, CaptureProvider()) == 1
    assert await deliver_due_sms(mailing.runtime.database, CaptureProvider()) == 0
    messages = (
        await mailing.client.get(f"/sms/{campaign['id']}/messages", headers=agent(tokens))
    ).json()
    [message] = messages["items"]
    assert message["phone"] == "+33612345678" and message["status"] == "sent"
    assert message["provider_reference"].startswith("capture:")
    view = (await mailing.client.get(f"/sms/{campaign['id']}", headers=agent(tokens))).json()
    assert view["status"] == "sent" and view["deliveries"] == {"sent": 1}


async def test_bad_sms_input(mailing: ServiceUnderTest, tokens: TokenFactory) -> None:
    for body in (
        {"text": ""},
        {"text": "x" * 1001},
        {"text": "a\x07b"},
        {"text": "ok", "criteria": {"x": 1}},
    ):
        assert (
            await mailing.client.post("/sms/estimate", json=body, headers=agent(tokens))
        ).status_code == 422
    settings = (await mailing.client.get("/settings/communication", headers=admin(tokens))).json()
    for sender in ("AB", "Mairie Lavaur", "Mairié", "123456", "ABCDEFGHIJKL"):
        answer = await mailing.client.put(
            "/settings/communication",
            json={**settings, "sms_sender": sender},
            headers=admin(tokens),
        )
        assert answer.status_code == 422, sender
    parent = tokens.headers(roles=["parent"], tenant_id=TENANT, household_id=uuid4())
    assert (
        await mailing.client.post("/sms/estimate", json={"text": "x"}, headers=parent)
    ).status_code == 403


class FakeBrevo:
    """A local stand-in of Brevo's endpoint, answering as its documentation says."""

    def __init__(self, status: int, answer: dict[str, Any]) -> None:
        self.status, self.answer = status, answer
        self.requests: list[tuple[dict[str, str], dict[str, Any]]] = []

    async def handle(self, request: web.Request) -> web.Response:
        self.requests.append((dict(request.headers), await request.json()))
        return web.json_response(self.answer, status=self.status)


async def brevo(status: int, answer: dict[str, Any]) -> tuple[FakeBrevo, web.AppRunner, str]:
    fake = FakeBrevo(status, answer)
    app = web.Application()
    app.router.add_post("/v3/transactionalSMS/send", fake.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return fake, runner, f"http://127.0.0.1:{port}/v3/transactionalSMS/send"


SMS = OutgoingSms(
    reference="ref-1", sender="MairieLvr", phone="+33612345678", text="Bonjour é", unicode=False
)


async def test_the_brevo_adapter_speaks_its_documented_api() -> None:
    fake, runner, url = await brevo(201, {"messageId": 1511882900176220})
    try:
        provider = BrevoProvider(
            MailingSettings(sms_provider="brevo", sms_api_key="k-123", sms_api_url=url)
        )
        assert await provider.send(SMS) == "1511882900176220"
    finally:
        await runner.cleanup()
    [(headers, body)] = fake.requests
    assert headers["api-key"] == "k-123"
    assert body == {
        "sender": "MairieLvr",
        "recipient": "33612345678",
        "content": "Bonjour é",
        "type": "transactional",
        "tag": "ref-1",
        "unicodeEnabled": False,
    }


@pytest.mark.parametrize(
    ("status", "error"),
    [(400, SmsRefused), (401, SmsUnavailable), (402, SmsUnavailable), (503, SmsUnavailable)],
)
async def test_brevo_errors_are_refusals_or_retries(status: int, error: type[Exception]) -> None:
    _fake, runner, url = await brevo(status, {"code": "x", "message": "refusé"})
    try:
        provider = BrevoProvider(
            MailingSettings(sms_provider="brevo", sms_api_key="k", sms_api_url=url)
        )
        with pytest.raises(error):
            await provider.send(SMS)
    finally:
        await runner.cleanup()


def test_the_brevo_provider_needs_its_key() -> None:
    with pytest.raises(ValueError, match="SMS_API_KEY"):
        MailingSettings(sms_provider="brevo")
