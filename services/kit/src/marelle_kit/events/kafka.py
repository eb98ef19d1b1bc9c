"""Kafka transport (distributed mode), with aiokafka.

Producer: acks=all and idempotence, so a retried send is written once and order per partition
holds. Keys are the envelope key (household id): one household's events share a partition.
Consumer: one group per service; offsets are committed only after ``deliver`` returned, i.e.
after the handler's transaction committed or the event was parked. See docs/adr/0001.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from pydantic import ValidationError

from marelle_kit.events.envelope import EventEnvelope
from marelle_kit.events.transport import Delivery, RawDelivery

log = logging.getLogger(__name__)


class KafkaSubscription:
    def __init__(self, consumer: AIOKafkaConsumer, task: asyncio.Task[None]) -> None:
        self._consumer = consumer
        self._task = task

    async def stop(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        await self._consumer.stop()


class KafkaTransport:
    def __init__(
        self,
        bootstrap_servers: str,
        *,
        client_id: str,
        partitions: int = 4,
        replication_factor: int = 1,
        retry_delay: float = 1.0,
        max_poll_records: int = 200,
        topic_prefix: str = "",
    ) -> None:
        # A prefix lets several environments (or test runs) share one cluster without mixing.
        self.topic_prefix = topic_prefix
        self.bootstrap_servers = bootstrap_servers
        self.client_id = client_id
        self.partitions = partitions
        self.replication_factor = replication_factor
        self.retry_delay = retry_delay
        self.max_poll_records = max_poll_records
        self._producer: AIOKafkaProducer | None = None
        self._admin: AIOKafkaAdminClient | None = None
        self._known_topics: set[str] = set()
        self._topic_lock = asyncio.Lock()

    async def start(self) -> None:
        self._admin = AIOKafkaAdminClient(
            bootstrap_servers=self.bootstrap_servers, client_id=f"{self.client_id}-admin"
        )
        await self._admin.start()
        self._producer = AIOKafkaProducer(
            bootstrap_servers=self.bootstrap_servers,
            client_id=self.client_id,
            acks="all",
            enable_idempotence=True,
            linger_ms=2,
        )
        await self._producer.start()

    async def stop(self) -> None:
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None
        if self._admin is not None:
            await self._admin.close()
            self._admin = None

    async def ping(self) -> None:
        if self._admin is None:
            raise RuntimeError("Kafka transport not started")
        await asyncio.wait_for(self._admin.list_topics(), timeout=5)

    async def ensure_topics(self, topics: Sequence[str]) -> None:
        """Create missing topics with the configured partitions (brokers may refuse auto-create)."""
        missing = {self.topic_prefix + topic for topic in topics} - self._known_topics
        if not missing:
            return
        async with self._topic_lock:
            assert self._admin is not None
            existing = set(await self._admin.list_topics())
            to_create = [t for t in missing if t not in existing]
            if to_create:
                await self._admin.create_topics(
                    [NewTopic(t, self.partitions, self.replication_factor) for t in to_create]
                )
            self._known_topics.update(missing)

    async def publish(self, envelopes: Sequence[EventEnvelope]) -> None:
        if self._producer is None:
            raise RuntimeError("Kafka transport not started")
        await self.ensure_topics(sorted({e.topic for e in envelopes}))
        sent = [
            await self._producer.send(
                self.topic_prefix + envelope.topic,
                value=envelope.to_bytes(),
                key=envelope.key.encode(),
                headers=[("type", envelope.type.encode()), ("id", str(envelope.id).encode())],
            )
            for envelope in envelopes
        ]
        await asyncio.gather(*sent)

    async def subscribe(
        self,
        group: str,
        topics: Sequence[str],
        deliver: Delivery,
        deliver_unreadable: RawDelivery,
    ) -> KafkaSubscription:
        await self.ensure_topics(topics)
        consumer = AIOKafkaConsumer(
            *(self.topic_prefix + topic for topic in topics),
            bootstrap_servers=self.bootstrap_servers,
            client_id=f"{self.client_id}-{group}",
            group_id=self.topic_prefix + group,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=self.max_poll_records,
        )
        await consumer.start()
        task = asyncio.create_task(
            self._consume(consumer, deliver, deliver_unreadable), name=f"kafka-{group}"
        )
        return KafkaSubscription(consumer, task)

    async def _consume(
        self, consumer: AIOKafkaConsumer, deliver: Delivery, deliver_unreadable: RawDelivery
    ) -> None:
        while True:
            batches = await consumer.getmany(timeout_ms=500)
            for partition, messages in batches.items():
                await self._handle_partition(
                    consumer, partition, messages, deliver, deliver_unreadable
                )

    async def _handle_partition(
        self,
        consumer: AIOKafkaConsumer,
        partition: TopicPartition,
        messages: Sequence[object],
        deliver: Delivery,
        deliver_unreadable: RawDelivery,
    ) -> None:
        for message in messages:
            offset: int = message.offset  # type: ignore[attr-defined]
            value: bytes = message.value  # type: ignore[attr-defined]
            try:
                try:
                    envelope = EventEnvelope.from_bytes(value)
                except ValidationError as exc:
                    await deliver_unreadable(value, f"enveloppe illisible : {exc}")
                else:
                    await deliver(envelope)
            except asyncio.CancelledError:
                raise
            except Exception:
                # Neither handled nor parked (database down): read it again later, in order.
                log.exception("kafka consumer: event at %s@%d not handled", partition, offset)
                consumer.seek(partition, offset)
                await asyncio.sleep(self.retry_delay)
                return
            await consumer.commit({partition: offset + 1})
