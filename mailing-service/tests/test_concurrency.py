"""Two-writer tests on PostgreSQL: unread counts stay exact while agents read and the family
writes at the same time."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa
from test_messaging import add_desk, agent, parent

from marelle_mailing.models import Message
from marelle_testkit.plugin import ServiceUnderTest
from marelle_testkit.tokens import TokenFactory

from mailing_world import add_household

pytestmark = pytest.mark.integration


async def test_unread_counts_are_exact_under_concurrent_reads_and_writes(
    mailing_pg: ServiceUnderTest, tokens: TokenFactory
) -> None:
    svc = mailing_pg
    household = await add_household(svc)
    desk = await add_desk(svc, tokens, "Service enfance")
    family = parent(tokens, household)
    started = await svc.client.post(
        f"/households/{household}/conversations",
        data={"desk_id": desk, "subject": "Questions", "body": "message 0"},
        headers=family,
    )
    cid = started.json()["id"]
    path = f"/households/{household}/conversations/{cid}"
    for n in range(1, 10):
        assert (
            await svc.client.post(f"{path}/messages", data={"body": f"message {n}"}, headers=family)
        ).status_code == 201
    seen = (await svc.client.get(f"/conversations/{cid}", headers=agent(tokens))).json()
    last_seen = seen["messages"][-1]["id"]  # the agents' page shows messages 0..9

    async def read(subject: str) -> int:
        answer = await svc.client.post(
            f"/conversations/{cid}/read", json={"up_to": last_seen}, headers=agent(tokens, subject)
        )
        assert answer.status_code == 200, answer.text
        return int(answer.json()["unread"])

    async def post(n: int) -> None:
        answer = await svc.client.post(
            f"{path}/messages", data={"body": f"late {n}"}, headers=family
        )
        assert answer.status_code == 201, answer.text

    # Eight agents open the conversation while the family writes five more messages.
    results = await asyncio.gather(
        *(read(f"agent-{i}") for i in range(8)), *(post(n) for n in range(5))
    )
    unread_answers = [r for r in results if isinstance(r, int)]
    assert all(0 <= n <= 5 for n in unread_answers)

    # Exactly the five messages written after the page was drawn stay unread, however the
    # reads and writes interleaved; each first read time was written once.
    final = (await svc.client.get(f"/conversations/{cid}", headers=agent(tokens))).json()
    assert final["unread"] == 5
    assert [m["read_at"] is None for m in final["messages"]] == [False] * 10 + [True] * 5
    listing = (await svc.client.get("/conversations", headers=agent(tokens))).json()
    assert listing["items"][0]["unread"] == 5
    [counts] = (await svc.client.get("/desks/inbox", headers=agent(tokens))).json()
    assert counts["unread"] == 5
    async with svc.runtime.database.transaction() as session:
        unread = await session.scalar(
            sa.select(sa.func.count()).select_from(Message).where(Message.read_at.is_(None))  # type: ignore[union-attr]
        )
    assert unread == 5
    # The family's side: nothing from the service yet.
    assert (await svc.client.get(path, headers=family)).json()["unread"] == 0


async def test_a_close_and_a_reply_do_not_cross(
    mailing_pg: ServiceUnderTest, tokens: TokenFactory
) -> None:
    """The conversation row is locked by both: either the reply lands before the close, or it
    is refused as closed; never a reply in a conversation closed before it."""
    svc = mailing_pg
    household = await add_household(svc)
    desk = await add_desk(svc, tokens, "Service enfance")
    family = parent(tokens, household)
    cid = (
        await svc.client.post(
            f"/households/{household}/conversations",
            data={"desk_id": desk, "subject": "Q", "body": "Bonjour"},
            headers=family,
        )
    ).json()["id"]
    close, reply = await asyncio.gather(
        svc.client.post(f"/conversations/{cid}/close", headers=agent(tokens)),
        svc.client.post(
            f"/households/{household}/conversations/{cid}/messages",
            data={"body": "Encore une question"},
            headers=family,
        ),
    )
    assert close.status_code == 200
    final = (await svc.client.get(f"/conversations/{cid}", headers=agent(tokens))).json()
    if reply.status_code == 201:
        assert len(final["messages"]) == 2
        assert final["messages"][-1]["created_at"] <= final["closed_at"]
    else:
        assert reply.status_code == 409 and len(final["messages"]) == 1
