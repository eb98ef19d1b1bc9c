"""Mailings: templates with merge fields, recipients by criteria (exactly the matching
households, none that refused e-mails), attachments, per-recipient documents, preview and test
send, throttled sending with a status per recipient, retry against a failing SMTP server, and
the one-click unsubscribe that stops grouped mails but never transactional ones."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from email import message_from_bytes
from email.message import Message
from email.policy import default as default_policy
from typing import Any
from uuid import UUID, uuid4

import sqlalchemy as sa
from aiosmtpd.controller import Controller
from test_messaging import PDF, admin, agent
from test_publications import ACTIVITY, SITE, book, publish_activity

from marelle_contracts import AccountFirstSignedIn, AccountLocked, BalanceChanged
from marelle_kit.clock import utcnow
from marelle_kit.localtime import local_today
from marelle_mailing.mails.delivery import LocalMailbox, SmtpSender
from marelle_mailing.models import DeliveryLane, Mail
from marelle_mailing.settings import MailingSettings
from marelle_testkit.plugin import ServiceUnderTest
from marelle_testkit.tokens import TokenFactory

from mailing_world import OTHER_TENANT, TENANT, add_household, deliver_round, mails


async def families(svc: ServiceUnderTest) -> dict[str, UUID]:
    """A small town: households with different schools, classes, activities, balances,
    consents and logins."""
    await publish_activity(svc)
    today = local_today()
    found = {
        "alain": await add_household(
            svc,
            name="ALAIN",
            number="000001",
            guardians=(("Paul", "paul@exemple.fr"), ("Lucie", "lucie@exemple.fr")),
            children=(("Théo", "École Jules Ferry", "CE2"), ("Anna", "École Jules Ferry", "CP")),
        ),
        "brun": await add_household(
            svc,
            name="BRUN",
            number="000002",
            guardians=(("Marc", "marc@exemple.fr"),),
            children=(("Lou", "École Marie Curie", "CP"),),
        ),
        "colin": await add_household(  # refuses the town's e-mails
            svc,
            name="COLIN",
            number="000003",
            guardians=(("Inès", "ines@exemple.fr"),),
            children=(("Zoé", "École Jules Ferry", "CM1"),),
            email_authorised=False,
        ),
        "dupont": await add_household(  # no address at all
            svc,
            name="DUPONT",
            number="000004",
            guardians=(("Jean", None),),
            children=(("Léo", "École Jules Ferry", "CE2"),),
        ),
        "elsewhere": await add_household(
            svc,
            tenant=OTHER_TENANT,
            name="ALAIN",
            number="000001",
            guardians=(("Autre", "autre@exemple.fr"),),
        ),
    }
    await book(svc, found["brun"], today + timedelta(days=2))
    await svc.deliver(
        BalanceChanged(household_id=found["brun"], balance_cents=4820),
        tenant_id=TENANT,
        key=found["brun"],
    )
    await svc.deliver(
        AccountFirstSignedIn(
            account_id=uuid4(), household_id=found["alain"], guardian_id=None, signed_in_at=utcnow()
        ),
        tenant_id=TENANT,
        key=found["alain"],
    )
    return found


async def segment(svc: ServiceUnderTest, tokens: TokenFactory, **criteria: Any) -> Any:
    answer = await svc.client.post("/mailings/segment", json=criteria, headers=agent(tokens))
    assert answer.status_code == 200, answer.text
    return answer.json()


def numbers(seg: Any) -> list[str]:
    return [r["family_number"] for r in seg["sample"]]


async def test_a_segment_reaches_exactly_the_matching_households_and_none_that_refused(
    mailing: ServiceUnderTest, tokens: TokenFactory
) -> None:
    await families(mailing)
    everyone = await segment(mailing, tokens)
    assert numbers(everyone) == ["000001", "000002"]
    assert (everyone["addresses"], everyone["refused_email"], everyone["without_address"]) == (
        3,
        1,
        1,
    )
    assert numbers(await segment(mailing, tokens, schools=["école jules ferry"])) == ["000001"]
    assert numbers(await segment(mailing, tokens, levels=["CP"])) == ["000001", "000002"]
    assert numbers(
        await segment(mailing, tokens, schools=["École Jules Ferry"], levels=["CP"])
    ) == ["000001"]
    assert numbers(await segment(mailing, tokens, activities=[str(ACTIVITY)])) == ["000002"]
    assert numbers(await segment(mailing, tokens, sites=[str(SITE)])) == ["000002"]
    assert numbers(await segment(mailing, tokens, sites=[str(uuid4())])) == []
    assert numbers(await segment(mailing, tokens, unpaid_balance=True)) == ["000002"]
    assert numbers(await segment(mailing, tokens, never_signed_in=True)) == ["000002"]
    assert (
        numbers(
            await segment(
                mailing, tokens, activities=[str(ACTIVITY)], period_to=local_today().isoformat()
            )
        )
        == []
    )
    # Facts nobody publishes yet: a clear refusal, not a guess.
    for criterion in ({"record_not_validated": True}, {"missing_document": "attestation"}):
        answer = await mailing.client.post(
            "/mailings/segment", json=criterion, headers=agent(tokens)
        )
        assert answer.status_code == 409 and answer.json()["type"].endswith("criterion-unavailable")
    bad = await mailing.client.post(
        "/mailings/segment", json={"schools": "x", "color": 1}, headers=agent(tokens)
    )
    assert bad.status_code == 422


async def create(svc: ServiceUnderTest, tokens: TokenFactory, **body: Any) -> Any:
    answer = await svc.client.post(
        "/mailings", json={"name": "Information", **body}, headers=agent(tokens)
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


async def test_the_portal_invitation_goes_to_households_that_never_signed_in(
    mailing: ServiceUnderTest, tokens: TokenFactory
) -> None:
    found = await families(mailing)
    invitation = await create(
        mailing,
        tokens,
        name="Nouveau mode de connexion",
        template_key="portal_invitation",
        criteria={"never_signed_in": True},
    )
    assert "nouveau mode de connexion" in invitation["subject"]
    preview = await mailing.client.post(
        f"/mailings/{invitation['id']}/preview",
        json={"household_id": str(found["brun"])},
        headers=agent(tokens),
    )
    assert "Première connexion ou mot de passe oublié" in preview.json()["text"]
    sent = await mailing.client.post(
        f"/mailings/{invitation['id']}/send", json={}, headers=agent(tokens)
    )
    assert sent.json() == {"queued": 1, "households": 1, "skipped_missing_document": 0}
    [mail] = await mails(mailing)
    assert mail.to_address == "marc@exemple.fr" and mail.kind == "grouped"
    again = await mailing.client.post(
        f"/mailings/{invitation['id']}/send", json={}, headers=agent(tokens)
    )
    assert again.status_code == 409 and again.json()["type"].endswith("mailing-not-draft")


async def test_merge_fields_sanitised_html_preview_and_test_send(
    mailing: ServiceUnderTest, tokens: TokenFactory
) -> None:
    found = await families(mailing)
    draft = await create(
        mailing,
        tokens,
        subject="{{ commune }} : information pour la famille {{ foyer }}",
        html=(
            "<p>Bonjour {{ prenom }},</p><script>alert('x')</script>"
            "<p onclick='evil()'>Enfants : {{ enfants }}. Famille n° {{ numero_famille }}."
            "{% if montant_du %} Reste à payer : {{ montant_du }}.{% endif %}</p>"
            '<p><a href="javascript:alert(1)">piège</a> <a href="https://lavaur.fr">site</a></p>'
        ),
    )
    assert "<script" not in draft["html"] and "onclick" not in draft["html"]
    assert "javascript:" not in draft["html"]
    assert "Enfants : {{ enfants }}" in draft["text"]  # derived from the HTML
    preview = (
        await mailing.client.post(
            f"/mailings/{draft['id']}/preview",
            json={"household_id": str(found["brun"])},
            headers=agent(tokens),
        )
    ).json()
    assert preview["subject"] == "Mairie de Lavaur : information pour la famille BRUN"
    assert "Bonjour Marc" in preview["text"] and "Enfants : Lou." in preview["text"]
    assert "Reste à payer : 48,20\u202f€" in preview["text"]
    assert "Ne plus recevoir" in preview["html"]
    other = await mailing.client.post(
        f"/mailings/{draft['id']}/preview",
        json={"household_id": str(found["elsewhere"])},
        headers=agent(tokens),
    )
    assert other.status_code == 404
    await mailing.client.post(
        f"/mailings/{draft['id']}/attachments",
        files={"file": ("menus.pdf", PDF)},
        headers=agent(tokens),
    )
    test = await mailing.client.post(
        f"/mailings/{draft['id']}/test",
        json={"to": "agent@lavaur.fr", "household_id": str(found["alain"])},
        headers=agent(tokens),
    )
    assert test.status_code == 202
    [mail] = await mails(mailing)
    assert mail.to_address == "agent@lavaur.fr" and mail.subject.startswith("[Essai]")
    assert "Bonjour Paul" in mail.text and "Anna et Théo" in mail.text
    # Unknown merge fields and broken syntax are refused, with the field named.
    for html in ("<p>{{ inconnu }}</p>", "<p>{% if %}</p>", "<p>{{ foyer.__class__ }}</p>"):
        answer = await mailing.client.post(
            "/mailings", json={"name": "x", "subject": "x", "html": html}, headers=agent(tokens)
        )
        assert answer.status_code == 422, html
        assert answer.json()["type"].endswith("validation-error")
        assert answer.json()["errors"][0]["field"] == "html"
    notification = await mailing.client.post(
        "/mailings", json={"name": "x", "template_key": "invoice_issued"}, headers=agent(tokens)
    )
    assert notification.status_code == 422


async def test_per_recipient_documents_shared_attachments_and_headers(
    mailing: ServiceUnderTest, tokens: TokenFactory
) -> None:
    found = await families(mailing)
    draft = await create(
        mailing,
        tokens,
        subject="Votre facture",
        html="<p>Ci-joint votre facture.</p>",
        per_recipient_document=True,
    )
    mid = draft["id"]
    await mailing.client.post(
        f"/mailings/{mid}/attachments", files={"file": ("tarifs.pdf", PDF)}, headers=agent(tokens)
    )
    batch = await mailing.client.post(
        f"/mailings/{mid}/recipient-documents",
        files=[("files", ("000002-facture-novembre.pdf", PDF)), ("files", ("inconnu.pdf", PDF))],
        headers=agent(tokens),
    )
    assert batch.json() == {"matched": ["000002-facture-novembre"], "unmatched": ["inconnu"]}
    refused = await mailing.client.post(f"/mailings/{mid}/send", json={}, headers=agent(tokens))
    assert refused.status_code == 409 and refused.json()["households"] == ["000001"]
    # Billing (or staff) pushes the other one by household id.
    pushed = await mailing.client.put(
        f"/mailings/{mid}/recipient-documents/{found['alain']}",
        files={"file": ("facture ALAIN.pdf", PDF)},
        headers=agent(tokens),
    )
    assert pushed.status_code == 201
    foreign = await mailing.client.put(
        f"/mailings/{mid}/recipient-documents/{found['elsewhere']}",
        files={"file": ("x.pdf", PDF)},
        headers=agent(tokens),
    )
    assert foreign.status_code == 404
    sent = await mailing.client.post(f"/mailings/{mid}/send", json={}, headers=agent(tokens))
    assert sent.json()["queued"] == 3

    inbox, controller, settings = smtp_inbox()
    try:
        await deliver_round(mailing, settings, SmtpSender(settings))
        await wait_for(lambda: len(inbox.messages) == 3)
    finally:
        controller.stop()
    by_to = {m["To"]: m for m in inbox.messages}
    marc = by_to["marc@exemple.fr"]
    names = sorted(part.get_filename() for part in marc.iter_attachments())
    assert names == ["000002-facture-novembre.pdf", "tarifs.pdf"]
    paul = by_to["paul@exemple.fr"]
    assert sorted(p.get_filename() for p in paul.iter_attachments()) == [
        "facture ALAIN.pdf",
        "tarifs.pdf",
    ]
    # RFC 8058 headers on grouped mails, the link in the body too.
    assert marc["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert marc["List-Unsubscribe"].startswith("<http://127.0.0.1:8000/api/mailing/unsubscribe/")
    body = marc.get_body(preferencelist=("plain",))
    assert body is not None and "/api/mailing/unsubscribe/" in body.get_content()
    view = (await mailing.client.get(f"/mailings/{mid}", headers=agent(tokens))).json()
    assert view["status"] == "sent" and view["deliveries"] == {"sent": 3}
    assert view["recipient_documents"] == 2


class Inbox:
    def __init__(self, refuse: set[str] | None = None, fail_first: int = 0) -> None:
        self.messages: list[Message] = []
        self.refuse = refuse or set()
        self.fail_first = fail_first
        self.at: list[datetime] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]
        if address in self.refuse:
            return "550 5.1.1 Mailbox unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        if self.fail_first > 0:
            self.fail_first -= 1
            return "451 4.3.0 Try again later"
        self.messages.append(message_from_bytes(envelope.content, policy=default_policy))
        self.at.append(utcnow())
        return "250 OK"


def smtp_inbox(**kwargs: Any) -> tuple[Inbox, Controller, MailingSettings]:
    from test_mails import free_port

    inbox, port = Inbox(**kwargs), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    return inbox, controller, MailingSettings(smtp_host="127.0.0.1", smtp_port=port, smtp_timeout=5)


async def wait_for(condition: Any) -> None:
    for _ in range(100):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition never met")


async def grouped_households(svc: ServiceUnderTest, count: int) -> None:
    for n in range(count):
        await add_household(
            svc,
            name=f"FAMILLE{n}",
            number=f"{n + 100:06d}",
            guardians=((f"P{n}", f"p{n}@exemple.fr"),),
        )


async def test_throttled_sending_with_bounces_and_retry_against_a_failing_server(
    mailing: ServiceUnderTest, tokens: TokenFactory
) -> None:
    await grouped_households(mailing, 5)
    draft = await create(mailing, tokens, subject="Info", html="<p>Bonjour {{ prenom }}</p>")
    await mailing.client.post(f"/mailings/{draft['id']}/send", json={}, headers=agent(tokens))
    # A transactional mail queued after the mailing is not held back by it.
    await mailing.deliver(
        AccountLocked(
            account_id=uuid4(), email="p0@exemple.fr", first_name="P0", locked_until=utcnow()
        ),
        tenant_id=TENANT,
        key="k",
    )

    inbox, controller, settings = smtp_inbox(refuse={"p1@exemple.fr"}, fail_first=1)
    settings = settings.model_copy(update={"grouped_per_minute": 2, "max_delivery_attempts": 3})
    sender = SmtpSender(settings)
    try:
        # Round 1: the transactional mail plus at most 2 grouped ones (the rate).
        assert len(await deliver_round(mailing, settings, sender)) == 3
        # The minute's allowance is spent (and what was tried is leased or backed off).
        assert await deliver_round(mailing, settings, sender) == []
        rows = {m.to_address: m for m in await mails(mailing) if m.kind == "grouped"}
        assert sum(1 for m in rows.values() if m.attempts) == 2
        [locked] = [m for m in await mails(mailing) if m.template == "account_locked"]
        # The server answered 451 to the first DATA: retried later, never lost.
        first_statuses = sorted(m.status for m in await mails(mailing) if m.attempts)
        assert first_statuses.count("queued") >= 1
        # The next minute: the window moves on (simulated by moving the lane's start back).
        async with mailing.runtime.database.transaction() as session:
            await session.execute(
                sa.update(DeliveryLane).values(window_started_at=utcnow() - timedelta(minutes=2))
            )
            await session.execute(sa.update(Mail).values(next_attempt_at=utcnow()))
        for _ in range(6):
            await deliver_round(mailing, settings, sender)
            async with mailing.runtime.database.transaction() as session:
                await session.execute(
                    sa.update(DeliveryLane).values(
                        window_started_at=utcnow() - timedelta(minutes=2)
                    )
                )
                await session.execute(
                    sa.update(Mail).where(Mail.status == "queued").values(next_attempt_at=utcnow())  # type: ignore[arg-type]
                )
        await wait_for(lambda: len(inbox.messages) == 5)
    finally:
        controller.stop()
    statuses = {m.to_address: m.status for m in await mails(mailing) if m.kind == "grouped"}
    assert statuses == {
        "p0@exemple.fr": "sent",
        "p1@exemple.fr": "bounced",
        "p2@exemple.fr": "sent",
        "p3@exemple.fr": "sent",
        "p4@exemple.fr": "sent",
    }
    assert locked.status in ("sent", "queued")
    deliveries = (
        await mailing.client.get(
            f"/mailings/{draft['id']}/deliveries",
            params={"status": "bounced"},
            headers=agent(tokens),
        )
    ).json()
    assert [d["to_address"] for d in deliveries["items"]] == ["p1@exemple.fr"]
    assert "550" in deliveries["items"][0]["last_error"]


async def test_failed_deliveries_are_retried_on_demand(
    mailing: ServiceUnderTest, tokens: TokenFactory
) -> None:
    from test_mails import free_port

    await grouped_households(mailing, 2)
    draft = await create(mailing, tokens, subject="Info", html="<p>Bonjour</p>")
    await mailing.client.post(f"/mailings/{draft['id']}/send", json={}, headers=agent(tokens))
    dead = MailingSettings(
        smtp_host="127.0.0.1", smtp_port=free_port(), max_delivery_attempts=1, smtp_timeout=2
    )
    await deliver_round(mailing, dead, SmtpSender(dead))
    view = (await mailing.client.get(f"/mailings/{draft['id']}", headers=agent(tokens))).json()
    assert view["deliveries"] == {"failed": 2} and view["status"] == "sent"
    retried = await mailing.client.post(f"/mailings/{draft['id']}/retry", headers=agent(tokens))
    assert retried.json() == {"requeued": 2}
    inbox, controller, settings = smtp_inbox()
    try:
        await deliver_round(mailing, settings, SmtpSender(settings))
        await wait_for(lambda: len(inbox.messages) == 2)
    finally:
        controller.stop()
    view = (await mailing.client.get(f"/mailings/{draft['id']}", headers=agent(tokens))).json()
    assert view["deliveries"] == {"sent": 2}


async def test_unsubscribe_stops_grouped_mails_and_never_transactional_ones(
    mailing: ServiceUnderTest, tokens: TokenFactory
) -> None:
    await families(mailing)
    first = await create(
        mailing, tokens, subject="Info 1", html="<p>Un</p>", criteria={"households": []}
    )
    await mailing.client.post(f"/mailings/{first['id']}/send", json={}, headers=agent(tokens))
    await deliver_round(mailing, MailingSettings(), LocalMailbox())
    [to_marc] = [m for m in await mails(mailing) if m.to_address == "marc@exemple.fr"]
    assert to_marc.unsubscribe_token
    link = f"/unsubscribe/{to_marc.unsubscribe_token}"
    status = (await mailing.client.get(link)).json()  # public: no token needed
    assert status == {
        "tenant_name": "Mairie de Lavaur",
        "email": "ma***@exemple.fr",
        "unsubscribed": False,
    }
    # The one-click POST a mail client sends (RFC 8058), form-encoded, without any login.
    clicked = await mailing.client.post(
        link,
        content=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert clicked.status_code == 200 and clicked.json()["unsubscribed"] is True
    assert (await mailing.client.post(link)).json()["unsubscribed"] is True  # twice is harmless

    seg = await segment(mailing, tokens)
    assert seg["unsubscribed"] == 1 and numbers(seg) == ["000001"]
    second = await create(mailing, tokens, subject="Info 2", html="<p>Deux</p>")
    sent = await mailing.client.post(
        f"/mailings/{second['id']}/send", json={}, headers=agent(tokens)
    )
    assert sent.json()["queued"] == 2  # Paul and Lucie, not Marc
    # A transactional mail still reaches Marc, without any unsubscribe header or link.
    await mailing.deliver(
        AccountLocked(
            account_id=uuid4(), email="marc@exemple.fr", first_name="Marc", locked_until=utcnow()
        ),
        tenant_id=TENANT,
        key="k",
    )
    [locked] = [m for m in await mails(mailing) if m.template == "account_locked"]
    assert locked.kind == "transactional" and locked.unsubscribe_token is None
    assert "Ne plus recevoir" not in locked.html
    # The unsubscribe link of a transactional mail does not exist; a made-up token is a 404.
    assert (await mailing.client.get("/unsubscribe/" + "x" * 32)).status_code == 404
    assert (await mailing.client.get("/unsubscribe/" + "x" * 300)).status_code == 404
    # Undo.
    assert (await mailing.client.delete(link)).json()["unsubscribed"] is False


async def test_only_communication_staff_write_mailings(
    mailing: ServiceUnderTest, tokens: TokenFactory
) -> None:
    reader = tokens.headers(roles=["reader"], tenant_id=TENANT)
    assert (await mailing.client.get("/mailings", headers=reader)).status_code == 403
    other = await create(mailing, tokens, subject="x", html="<p>x</p>")
    assert (
        await mailing.client.get(
            f"/mailings/{other['id']}", headers=agent(tokens, tenant=OTHER_TENANT)
        )
    ).status_code == 404
    assert (await mailing.client.get("/mailings", headers=admin(tokens))).json()["total"] == 1
