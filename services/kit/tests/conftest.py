from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path
from uuid import uuid4

import pytest

from marelle_kit.events.inprocess import InProcessTransport
from marelle_kit.events.kafka import KafkaTransport
from marelle_kit.events.transport import Transport
from marelle_testkit.databases import postgres_database, sqlite_url

from spine import HandlerBehaviour, Spine, create_schema, definitions, runtime

FAST_BACKOFF = (0.01, 0.02, 0.05)


@pytest.fixture(params=["inprocess", "kafka"])
async def spine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Spine]:
    behaviour = HandlerBehaviour()
    producer_def, consumer_def = definitions(behaviour)
    async with AsyncExitStack() as stack:
        if request.param == "inprocess":
            shared = InProcessTransport(publish_timeout=5.0, retry_delay=0.05)
            urls = (sqlite_url(tmp_path, "producer"), sqlite_url(tmp_path, "consumer"))

            def new_transport() -> Transport:
                return shared

            shared.declare_group(consumer_def.consumer_group, ["marelle.probe"])
        else:
            admin = request.getfixturevalue("postgres_admin_url")
            bootstrap = request.getfixturevalue("kafka_bootstrap")
            urls = (
                await stack.enter_async_context(postgres_database(admin, "spine_producer")),
                await stack.enter_async_context(postgres_database(admin, "spine_consumer")),
            )
            prefix = f"t{uuid4().hex[:10]}."

            def new_transport() -> Transport:
                return KafkaTransport(
                    bootstrap, client_id="spine-test", topic_prefix=prefix, retry_delay=0.1
                )

        transports: list[Transport] = []

        def tracked() -> Transport:
            transport = new_transport()
            if transport not in transports:
                transports.append(transport)
            return transport

        producer = runtime(producer_def, urls[0], tracked())
        consumer = runtime(consumer_def, urls[1], tracked(), consumer_backoff=FAST_BACKOFF)
        consumer.consumer.max_attempts = 3
        for transport in transports:
            await transport.start()
        for rt in (producer, consumer):
            await create_schema(rt)
        try:
            yield Spine(request.param, producer, consumer, behaviour, tracked)
        finally:
            for rt in (consumer, producer):
                await rt.stop()
            for transport in transports:
                await transport.stop()
