"""A producer and a consumer service made for the spine tests, on either transport.

The producer writes a state row and its event in one transaction; the consumer's handler records
what it applied, in order, and can be told to fail or to be slow, so the tests can kill, break
and restart things mid-stream."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar
from uuid import UUID, uuid4

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from marelle_contracts import Event
from marelle_kit.database import new_registry
from marelle_kit.events import EventEnvelope, event_tables, record_event
from marelle_kit.events.transport import Transport
from marelle_kit.runtime import ServiceDefinition, ServiceRuntime
from marelle_kit.settings import PlatformSettings, ServiceSettings


class ProbeRecorded(Event):
    event_type: ClassVar[str] = "probe.item.recorded"

    seq: int


producer_metadata = new_registry().metadata
producer_tables = event_tables(producer_metadata)
item = sa.Table(
    "item",
    producer_metadata,
    sa.Column("id", sa.Uuid(), primary_key=True),
    sa.Column("key", sa.String(40), nullable=False),
    sa.Column("seq", sa.Integer(), nullable=False),
)

consumer_metadata = new_registry().metadata
consumer_tables = event_tables(consumer_metadata)
applied = sa.Table(
    "applied",
    consumer_metadata,
    sa.Column("position", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("event_id", sa.Uuid(), nullable=False, unique=True),
    sa.Column("key", sa.String(40), nullable=False),
    sa.Column("seq", sa.Integer(), nullable=False),
)


@dataclass
class HandlerBehaviour:
    failing_seqs: set[int] = field(default_factory=set)
    delay: float = 0.0
    calls: dict[int, int] = field(default_factory=dict)


def make_handler(behaviour: HandlerBehaviour) -> Callable[[AsyncSession, EventEnvelope], object]:
    async def on_recorded(session: AsyncSession, envelope: EventEnvelope) -> None:
        event = envelope.event_as(ProbeRecorded)
        behaviour.calls[event.seq] = behaviour.calls.get(event.seq, 0) + 1
        if behaviour.delay:
            await asyncio.sleep(behaviour.delay)
        if event.seq in behaviour.failing_seqs:
            raise RuntimeError(f"handler refuses seq {event.seq}")
        await session.execute(
            applied.insert().values(event_id=envelope.id, key=envelope.key, seq=event.seq)
        )

    return on_recorded


def definitions(behaviour: HandlerBehaviour) -> tuple[ServiceDefinition, ServiceDefinition]:
    common = {"settings_class": ServiceSettings, "migrations": Path("."), "routers": list}
    producer = ServiceDefinition(
        name="probeproducer",
        title="probe producer",
        metadata=producer_metadata,
        tables=producer_tables,
        **common,  # type: ignore[arg-type]
    )
    consumer = ServiceDefinition(
        name="probeconsumer",
        title="probe consumer",
        metadata=consumer_metadata,
        tables=consumer_tables,
        handlers={ProbeRecorded.event_type: make_handler(behaviour)},  # type: ignore[dict-item]
        **common,  # type: ignore[arg-type]
    )
    return producer, consumer


def runtime(
    definition: ServiceDefinition, url: str, transport: Transport, **kwargs: object
) -> ServiceRuntime:
    settings = ServiceSettings(
        database_url=url, platform=PlatformSettings(), relay_poll_interval=0.05
    )
    return ServiceRuntime(definition, settings, transport=transport, **kwargs)  # type: ignore[arg-type]


async def create_schema(rt: ServiceRuntime) -> None:
    async with rt.database.engine.begin() as connection:
        await connection.run_sync(rt.definition.metadata.create_all)


async def produce(rt: ServiceRuntime, count: int, *, keys: int = 4, start: int = 0) -> None:
    """``count`` state changes, each with its event, spread over ``keys`` households."""
    tenant = UUID(int=1)
    household_keys = [f"household-{k}" for k in range(keys)]
    for seq in range(start, start + count):
        async with rt.database.transaction() as session:
            key = household_keys[seq % keys]
            await session.execute(item.insert().values(id=uuid4(), key=key, seq=seq))
            await record_event(
                session, producer_tables, ProbeRecorded(seq=seq), tenant_id=tenant, key=key
            )
    rt.outbox_committed()


async def applied_rows(rt: ServiceRuntime) -> list[sa.Row[tuple[int, str, int]]]:
    async with rt.database.transaction() as session:
        result = await session.execute(
            sa.select(applied.c.position, applied.c.key, applied.c.seq).order_by(applied.c.position)
        )
        return list(result.all())  # type: ignore[arg-type]


async def wait_until(condition: Callable[[], object], timeout: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = condition()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


@dataclass
class Spine:
    """A producer service and a consumer service wired over one transport kind."""

    kind: str
    producer: ServiceRuntime
    consumer: ServiceRuntime
    behaviour: HandlerBehaviour
    new_transport: Callable[[], Transport]

    def consumer_group(self) -> str:
        return self.consumer.definition.consumer_group
