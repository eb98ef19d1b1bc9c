"""The event spine, as a specification, on both transports (in-process and Kafka+PostgreSQL)."""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from datetime import timedelta
from uuid import UUID, uuid4

import sqlalchemy as sa

from marelle_kit.clock import utcnow
from marelle_kit.events import OutboxRelay, record_event
from marelle_kit.events.transport import Transport
from marelle_testkit.tokens import TokenFactory

from spine import (
    ProbeRecorded,
    Spine,
    applied_rows,
    consumer_tables,
    item,
    produce,
    producer_tables,
    wait_until,
)


def assert_in_order_per_key(rows: list[sa.Row[tuple[int, str, int]]]) -> None:
    by_key: dict[str, list[int]] = defaultdict(list)
    for _position, key, seq in rows:
        by_key[key].append(seq)
    for key, seqs in by_key.items():
        assert seqs == sorted(seqs), f"{key} applied out of order: {seqs}"


async def test_an_event_written_with_a_state_change_reaches_another_service(spine: Spine) -> None:
    await spine.consumer.start_consumer()
    await spine.producer.start_relay()

    await produce(spine.producer, 20)

    await wait_until(lambda: _count(spine, 20))
    rows = await applied_rows(spine.consumer)
    assert sorted(seq for _, _, seq in rows) == list(range(20))
    assert_in_order_per_key(rows)


async def test_a_rolled_back_change_publishes_nothing(spine: Spine) -> None:
    with contextlib.suppress(RuntimeError):
        async with spine.producer.database.transaction() as session:
            await session.execute(item.insert().values(id=uuid4(), key="k", seq=1))
            await record_event(
                session,
                producer_tables,
                ProbeRecorded(seq=1),
                tenant_id=UUID(int=1),
                key="k",
            )
            raise RuntimeError("the request failed after writing")
    async with spine.producer.database.transaction() as session:
        assert (
            await session.scalar(sa.select(sa.func.count()).select_from(producer_tables.outbox))
            == 0
        )
        assert await session.scalar(sa.select(sa.func.count()).select_from(item)) == 0


async def test_consumer_killed_midstream_then_restarted_loses_nothing_applies_nothing_twice(
    spine: Spine,
) -> None:
    spine.behaviour.delay = 0.005
    await spine.consumer.start_consumer()
    await spine.producer.start_relay()
    await produce(spine.producer, 120)

    await wait_until(lambda: _at_least(spine, 20))
    await spine.consumer.stop_consumer()  # killed in the middle of the stream
    stopped_at = len(await applied_rows(spine.consumer))
    assert stopped_at < 120

    await asyncio.sleep(0.3)
    await spine.consumer.start_consumer()
    await wait_until(lambda: _count(spine, 120), timeout=60)

    rows = await applied_rows(spine.consumer)
    assert sorted(seq for _, _, seq in rows) == list(range(120))  # each once, none missing
    assert_in_order_per_key(rows)
    assert await _dead_letters(spine) == 0


async def test_a_failing_handler_is_retried_then_parked_and_replay_applies_it_once(
    spine: Spine, tokens: TokenFactory
) -> None:
    spine.behaviour.failing_seqs = {7}
    await spine.consumer.start_consumer()
    await spine.producer.start_relay()
    await produce(spine.producer, 12)

    await wait_until(lambda: _count(spine, 11))
    await wait_until(lambda: _dead_letters_eq(spine, 1))
    assert spine.behaviour.calls[7] == 3  # retried up to max_attempts, then parked
    assert 7 not in {seq for _, _, seq in await applied_rows(spine.consumer)}

    # An operator lists the parked event and replays it once the cause is fixed.
    from httpx import ASGITransport, AsyncClient

    from marelle_kit.app import create_service_app

    spine.consumer.token_verifier = tokens.verifier()
    app = create_service_app(spine.consumer, manage_runtime=False)
    app.state.token_verifier = tokens.verifier()
    operator = tokens.headers(roles=["operator"])
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://svc") as client:
        assert (await client.get("/ops/dead-letters")).status_code == 401
        agent = tokens.headers(roles=["agent"], tenant_id=UUID(int=1))
        assert (await client.get("/ops/dead-letters", headers=agent)).status_code == 403
        listed = (await client.get("/ops/dead-letters", headers=operator)).json()
        assert [d["event_type"] for d in listed] == [ProbeRecorded.event_type]
        parked_id = listed[0]["id"]

        failed = await client.post(f"/ops/dead-letters/{parked_id}/replay", headers=operator)
        assert failed.status_code == 409  # still broken: stays parked
        assert failed.headers["content-type"] == "application/problem+json"

        spine.behaviour.failing_seqs.clear()
        replayed = await client.post(f"/ops/dead-letters/{parked_id}/replay", headers=operator)
        assert replayed.status_code == 204
        again = await client.post(f"/ops/dead-letters/{parked_id}/replay", headers=operator)
        assert again.status_code == 404
        assert (await client.get("/ops/dead-letters", headers=operator)).json() == []

    seqs = [seq for _, _, seq in await applied_rows(spine.consumer)]
    assert sorted(seqs) == list(range(12))


class CrashAfterPublish:
    """A transport that publishes, then 'crashes' before the relay can mark the rows."""

    def __init__(self, inner: Transport, crashes: int) -> None:
        self.inner = inner
        self.crashes = crashes

    async def publish(self, envelopes):  # type: ignore[no-untyped-def]
        await self.inner.publish(envelopes)
        if self.crashes:
            self.crashes -= 1
            raise ConnectionError("relay died after publishing, before marking")


async def test_a_relay_restarted_mid_batch_leaves_no_gap_and_no_visible_duplicate(
    spine: Spine,
) -> None:
    await spine.consumer.start_consumer()
    await produce(spine.producer, 60)

    crashing = OutboxRelay(
        spine.producer.database,
        producer_tables,
        CrashAfterPublish(spine.producer.transport, crashes=1),  # type: ignore[arg-type]
        batch_size=25,
    )
    with contextlib.suppress(ConnectionError):
        await crashing.publish_batch()
    # Nothing was marked: the first 25 stay pending and will be sent again.
    async with spine.producer.database.transaction() as session:
        pending = await session.scalar(
            sa.select(sa.func.count())
            .select_from(producer_tables.outbox)
            .where(producer_tables.outbox.c.published_at.is_(None))
        )
    assert pending == 60

    # The restarted relay, and a second one beside it, publish the rest.
    second = OutboxRelay(
        spine.producer.database,
        producer_tables,
        spine.new_transport(),
        batch_size=10,
        poll_interval=0.05,
    )
    stop = asyncio.Event()
    runs = [asyncio.create_task(second.run(stop))]
    await spine.producer.start_relay()
    await wait_until(lambda: _count(spine, 60))
    stop.set()
    for task in runs:
        task.cancel()
    await asyncio.gather(*runs, return_exceptions=True)

    rows = await applied_rows(spine.consumer)
    assert sorted(seq for _, _, seq in rows) == list(range(60))
    assert_in_order_per_key(rows)
    async with spine.consumer.database.transaction() as session:
        processed = await session.scalar(
            sa.select(sa.func.count()).select_from(consumer_tables.processed)
        )
    assert processed == 60


async def _count(spine: Spine, expected: int) -> bool:
    return len(await applied_rows(spine.consumer)) == expected


async def _at_least(spine: Spine, expected: int) -> bool:
    return len(await applied_rows(spine.consumer)) >= expected


async def _dead_letters(spine: Spine) -> int:
    async with spine.consumer.database.transaction() as session:
        return int(
            await session.scalar(
                sa.select(sa.func.count()).select_from(consumer_tables.dead_letter)
            )
            or 0
        )


async def _dead_letters_eq(spine: Spine, expected: int) -> bool:
    return await _dead_letters(spine) == expected


async def test_published_rows_are_forgotten_after_the_retention_period_never_pending_ones(
    spine: Spine,
) -> None:
    await spine.consumer.start_consumer()
    await produce(spine.producer, 6)
    await spine.producer.start_transport()
    relay = spine.producer.relay
    assert await relay.publish_batch() == 6
    await produce(spine.producer, 2)  # still pending
    async with spine.producer.database.transaction() as session:
        await session.execute(
            producer_tables.outbox.update()
            .where(producer_tables.outbox.c.published_at.is_not(None))
            .values(published_at=utcnow() - timedelta(days=8))
        )
    assert await relay.purge_published(batch=4) == 6
    async with spine.producer.database.transaction() as session:
        left = await session.scalar(sa.select(sa.func.count()).select_from(producer_tables.outbox))
    assert left == 2
    assert await relay.publish_batch() == 2
    assert await relay.purge_published() == 0  # published just now: kept
