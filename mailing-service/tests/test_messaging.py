"""Messaging between families and the town's services: isolation, unread counts, attachments,
mail notifications, assignment, closing, search, restriction of staff to their services."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import sqlalchemy as sa

from marelle_mailing.models import Mail
from marelle_testkit.plugin import ServiceUnderTest
from marelle_testkit.tokens import TokenFactory

from mailing_world import OTHER_TENANT, TENANT, add_household, mails

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def admin(tokens: TokenFactory, tenant: UUID = TENANT) -> dict[str, str]:
    return tokens.headers(roles=["admin"], tenant_id=tenant)


def agent(tokens: TokenFactory, subject: str = "agent-1", tenant: UUID = TENANT) -> dict[str, str]:
    return tokens.headers(roles=["agent"], tenant_id=tenant, subject=subject)


def parent(tokens: TokenFactory, household: UUID, tenant: UUID = TENANT) -> dict[str, str]:
    return tokens.headers(roles=["parent"], tenant_id=tenant, household_id=household)


async def add_desk(
    svc: ServiceUnderTest, tokens: TokenFactory, name: str, email: str | None = None
) -> str:
    answer = await svc.client.post(
        "/desks", json={"name": name, "notification_email": email}, headers=admin(tokens)
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


async def write(
    svc: ServiceUnderTest,
    tokens: TokenFactory,
    household: UUID,
    desk: str,
    *,
    subject: str = "Enfant malade",
    body: str = "Théo a de la fièvre, il ne viendra pas.",
    files: list[tuple[str, bytes]] = (),  # type: ignore[assignment]
) -> Any:
    return await svc.client.post(
        f"/households/{household}/conversations",
        data={"desk_id": desk, "subject": subject, "body": body},
        files=[("files", (name, data)) for name, data in files] or None,
        headers=parent(tokens, household),
    )


async def test_a_parent_writes_with_an_attachment_and_an_agent_answers(
    mailing: ServiceUnderTest, tokens: TokenFactory
) -> None:
    household = await add_household(
        mailing, guardians=(("Paul", "paul@exemple.fr"), ("Lucie", "lucie@exemple.fr"))
    )
    desk = await add_desk(mailing, tokens, "Service enfance", "enfance@lavaur.fr")
    contact = (await mailing.client.get("/contact", headers=parent(tokens, household))).json()
    assert [d["name"] for d in contact["desks"]] == ["Service enfance"]

    started = await write(mailing, tokens, household, desk, files=[("certificat médical.pdf", PDF)])
    assert started.status_code == 201, started.text
    conversation = started.json()
    [message] = conversation["messages"]
    [attachment] = message["attachments"]
    assert (
        attachment["name"] == "certificat médical"
        and attachment["content_type"] == "application/pdf"
    )

    # The service is told by mail, with the text (the tenant's default).
    [notice] = await mails(mailing)
    assert notice.to_address == "enfance@lavaur.fr" and "fièvre" in notice.text
    assert "ALAIN" in notice.subject

    inbox = (await mailing.client.get("/conversations", headers=agent(tokens))).json()
    assert inbox["total"] == 1 and inbox["items"][0]["unread"] == 1
    assert inbox["items"][0]["household_name"] == "ALAIN"
    cid = conversation["id"]
    content = await mailing.client.get(
        f"/conversations/{cid}/attachments/{attachment['id']}", headers=agent(tokens)
    )
    assert content.content == PDF
    assert content.headers["content-disposition"].startswith("attachment;")
    assert content.headers["x-content-type-options"] == "nosniff"

    read = await mailing.client.post(f"/conversations/{cid}/read", json={}, headers=agent(tokens))
    assert read.json() == {"unread": 0}
    answer = await mailing.client.post(
        f"/conversations/{cid}/messages",
        data={"body": "Bien reçu, le repas est décompté."},
        headers=agent(tokens),
    )
    assert answer.status_code == 201
    # Both guardians are told; the family sees the service's name, not the agent.
    sent = [m for m in await mails(mailing) if m.template == "message_to_family"]
    assert sorted(m.to_address for m in sent) == ["lucie@exemple.fr", "paul@exemple.fr"]
    seen = (
        await mailing.client.get(
            f"/households/{household}/conversations/{cid}", headers=parent(tokens, household)
        )
    ).json()
    assert seen["unread"] == 1 and seen["messages"][0]["read_at"] is not None
    assert seen["messages"][1]["author_name"] == "Service enfance"
    listing = (
        await mailing.client.get(
            f"/households/{household}/conversations", headers=parent(tokens, household)
        )
    ).json()
    assert listing["items"][0]["unread"] == 1 and listing["items"][0]["household_name"] is None


async def test_another_households_or_tenants_conversation_is_a_404(
    mailing: ServiceUnderTest, tokens: TokenFactory
) -> None:
    mine = await add_household(mailing, name="ALAIN")
    theirs = await add_household(mailing, name="BRUN", number="000002")
    elsewhere = await add_household(mailing, name="COLIN", tenant=OTHER_TENANT)
    desk = await add_desk(mailing, tokens, "Restauration")
    cid = (await write(mailing, tokens, mine, desk)).json()["id"]
    attachment_path = f"/households/{mine}/conversations/{cid}"

    # Another household's parent, through their own path or by borrowing mine.
    assert (
        await mailing.client.get(
            f"/households/{theirs}/conversations/{cid}", headers=parent(tokens, theirs)
        )
    ).status_code == 404
    assert (
        await mailing.client.get(attachment_path, headers=parent(tokens, theirs))
    ).status_code == 404
    assert (
        await mailing.client.post(
            f"{attachment_path}/messages", data={"body": "intrus"}, headers=parent(tokens, theirs)
        )
    ).status_code == 404
    assert (
        await mailing.client.post(
            f"{attachment_path}/read", json={}, headers=parent(tokens, theirs)
        )
    ).status_code == 404
    # Staff of another tenant, and a parent of another tenant with the same path.
    assert (
        await mailing.client.get(
            f"/conversations/{cid}", headers=agent(tokens, tenant=OTHER_TENANT)
        )
    ).status_code == 404
    assert (
        await mailing.client.get(attachment_path, headers=parent(tokens, mine, tenant=OTHER_TENANT))
    ).status_code == 404
    # A parent cannot write to another household's record, nor open a conversation with another
    # tenant's service.
    other_desk = (
        await mailing.client.post(
            "/desks", json={"name": "Régie"}, headers=admin(tokens, OTHER_TENANT)
        )
    ).json()["id"]
    assert (await write(mailing, tokens, mine, other_desk)).status_code == 404
    assert (
        await mailing.client.post(
            f"/households/{theirs}/conversations",
            data={"desk_id": desk, "subject": "x", "body": "y"},
            headers=parent(tokens, mine),
        )
    ).status_code == 404
    # A household of another tenant is unknown here.
    assert (
        await mailing.client.post(
            "/conversations",
            data={"household_id": str(elsewhere), "desk_id": desk, "subject": "x", "body": "y"},
            headers=agent(tokens),
        )
    ).status_code == 404
    # Parents have no staff inbox.
    assert (
        await mailing.client.get("/conversations", headers=parent(tokens, mine))
    ).status_code == 403


async def test_staff_see_only_their_services_when_the_tenant_restricts_it(
    mailing: ServiceUnderTest, tokens: TokenFactory
) -> None:
    household = await add_household(mailing)
    childhood = await add_desk(mailing, tokens, "Service enfance")
    billing = await add_desk(mailing, tokens, "Régie")
    to_childhood = (await write(mailing, tokens, household, childhood)).json()["id"]
    to_billing = (await write(mailing, tokens, household, billing, subject="Facture")).json()["id"]
    await mailing.client.put(
        f"/desks/{childhood}/members",
        json={"members": [{"staff_subject": "agent-a", "display_name": "Agnès"}]},
        headers=admin(tokens),
    )
    await mailing.client.put(
        f"/desks/{billing}/members",
        json={"members": [{"staff_subject": "agent-b"}]},
        headers=admin(tokens),
    )
    # Not restricted yet: everyone sees both.
    seen = (await mailing.client.get("/conversations", headers=agent(tokens, "agent-a"))).json()
    assert seen["total"] == 2
    settings = (await mailing.client.get("/settings/communication", headers=admin(tokens))).json()
    answer = await mailing.client.put(
        "/settings/communication",
        json={**settings, "restrict_staff_to_their_services": True},
        headers=admin(tokens),
    )
    assert answer.status_code == 200, answer.text
    a = agent(tokens, "agent-a")
    listing = (await mailing.client.get("/conversations", headers=a)).json()
    assert [c["id"] for c in listing["items"]] == [to_childhood]
    assert (await mailing.client.get(f"/conversations/{to_billing}", headers=a)).status_code == 404
    assert (
        await mailing.client.post(f"/conversations/{to_billing}/close", headers=a)
    ).status_code == 404
    assert (
        await mailing.client.get("/conversations", params={"desk_id": billing}, headers=a)
    ).json()["total"] == 0
    counts = (await mailing.client.get("/desks/inbox", headers=a)).json()
    assert [(c["desk_name"], c["open"], c["unread"]) for c in counts] == [("Service enfance", 1, 1)]
    # An agent of no service sees nothing; the answer names the writer for staff.
    assert (await mailing.client.get("/conversations", headers=agent(tokens, "x"))).json()[
        "total"
    ] == 0
    reply = await mailing.client.post(
        f"/conversations/{to_childhood}/messages", data={"body": "Bonjour"}, headers=a
    )
    assert reply.json()["author_name"] == "Agnès"


async def test_assign_close_reopen_and_search(
    mailing: ServiceUnderTest, tokens: TokenFactory
) -> None:
    household = await add_household(mailing, name="DUPONT", number="000777")
    desk = await add_desk(mailing, tokens, "Service enfance")
    cid = (await write(mailing, tokens, household, desk, subject="Sortie scolaire")).json()["id"]
    await write(mailing, tokens, household, desk, subject="Cantine", body="Menu sans porc ?")
    a = agent(tokens)
    assigned = await mailing.client.post(
        f"/conversations/{cid}/assign", json={"staff_subject": "agent-1"}, headers=a
    )
    assert assigned.json()["assigned_to"] == "agent-1"
    mine = await mailing.client.get("/conversations", params={"assigned_to": "agent-1"}, headers=a)
    assert [c["id"] for c in mine.json()["items"]] == [cid]
    for query, expected in (("sortie", 1), ("porc", 1), ("dupont", 2), ("000777", 2), ("zzz", 0)):
        found = await mailing.client.get("/conversations", params={"q": query}, headers=a)
        assert found.json()["total"] == expected, query
    family = parent(tokens, household)
    found = await mailing.client.get(
        f"/households/{household}/conversations", params={"q": "porc"}, headers=family
    )
    assert found.json()["total"] == 1

    assert (await mailing.client.post(f"/conversations/{cid}/close", headers=a)).json()[
        "status"
    ] == "closed"
    assert (await mailing.client.post(f"/conversations/{cid}/close", headers=a)).status_code == 409
    refused = await mailing.client.post(
        f"/households/{household}/conversations/{cid}/messages",
        data={"body": "Et alors ?"},
        headers=family,
    )
    assert refused.status_code == 409 and refused.json()["type"].endswith("conversation-closed")
    closed = await mailing.client.get("/conversations", params={"status": "closed"}, headers=a)
    assert closed.json()["total"] == 1
    assert (await mailing.client.post(f"/conversations/{cid}/reopen", headers=a)).json()[
        "status"
    ] == "open"


async def test_the_notification_leaves_the_text_out_when_the_tenant_says_so(
    mailing: ServiceUnderTest, tokens: TokenFactory
) -> None:
    household = await add_household(mailing)
    desk = await add_desk(mailing, tokens, "Service enfance", "enfance@lavaur.fr")
    settings = (await mailing.client.get("/settings/communication", headers=admin(tokens))).json()
    await mailing.client.put(
        "/settings/communication",
        json={**settings, "notify_with_message_body": False},
        headers=admin(tokens),
    )
    cid = (await write(mailing, tokens, household, desk, body="Secret médical")).json()["id"]
    await mailing.client.post(
        f"/conversations/{cid}/messages",
        data={"body": "Réponse confidentielle"},
        headers=agent(tokens),
    )
    for mail in await mails(mailing):
        assert "Secret médical" not in mail.text + mail.html
        assert "Réponse confidentielle" not in mail.text + mail.html
        assert "/messagerie" in mail.text


async def test_bad_input_is_refused_and_leaves_nothing(
    mailing: ServiceUnderTest, tokens: TokenFactory
) -> None:
    household = await add_household(mailing)
    desk = await add_desk(mailing, tokens, "Service enfance")
    cases = [
        ({"body": "   "}, [], 422, "validation-error"),
        ({"subject": "\u202eevil"}, [], 422, "validation-error"),
        ({}, [("virus.pdf", b"MZ\x90\x00 not a pdf")], 415, "unsupported-document-type"),
        ({}, [("vide.pdf", b"")], 422, "validation-error"),
        ({}, [("gros.pdf", PDF + b"0" * (5 * 1024 * 1024))], 413, "document-too-large"),
        ({}, [(f"p{i}.png", PNG) for i in range(6)], 422, "validation-error"),
        ({"desk_id": str(uuid4())}, [], 404, "not-found"),
    ]
    for fields, files, status, problem in cases:
        data = {"desk_id": desk, "subject": "Objet", "body": "Texte", **fields}
        answer = await mailing.client.post(
            f"/households/{household}/conversations",
            data=data,
            files=[("files", f) for f in files] or None,
            headers=parent(tokens, household),
        )
        assert answer.status_code == status, (fields, answer.text)
        assert answer.json()["type"].endswith(problem)
    listing = await mailing.client.get(
        f"/households/{household}/conversations", headers=parent(tokens, household)
    )
    assert listing.json()["total"] == 0
    async with mailing.runtime.database.transaction() as session:
        assert (await session.scalar(sa.select(sa.func.count()).select_from(Mail))) == 0
    # A desk name taken twice; a reminder without its deadline.
    assert (
        await mailing.client.post("/desks", json={"name": "Service enfance"}, headers=admin(tokens))
    ).status_code == 409
    settings = (await mailing.client.get("/settings/communication", headers=admin(tokens))).json()
    answer = await mailing.client.put(
        "/settings/communication",
        json={**settings, "deadline_reminder_enabled": True},
        headers=admin(tokens),
    )
    assert answer.status_code == 422
    bad_sender = await mailing.client.put(
        "/settings/communication",
        json={**settings, "sms_sender": "Mairie de Lavaur"},
        headers=admin(tokens),
    )
    assert bad_sender.status_code == 422
    # Agents do not change the settings.
    assert (
        await mailing.client.put("/settings/communication", json=settings, headers=agent(tokens))
    ).status_code == 403
