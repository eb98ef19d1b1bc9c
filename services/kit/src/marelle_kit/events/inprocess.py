"""In-process transport for the embedded mode: the same interface as Kafka, inside one process.

``publish`` returns only once every subscribed group has handled (or parked) the events, so the
relay marks a row published only after delivery: a crash in between makes the relay publish it
again, and the consumers' processed-message tables absorb the duplicate. Each consumer group has
its own queue; a group whose consumer is stopped keeps its queue, and picks up where it left off
(the head item is removed only after it was handled, like a Kafka offset committed after the
handler's transaction).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field

from marelle_kit.events.envelope import EventEnvelope
from marelle_kit.events.transport import Delivery, RawDelivery

log = logging.getLogger(__name__)


@dataclass
class _Item:
    envelope: EventEnvelope
    done: asyncio.Future[None]


@dataclass
class _Group:
    topics: set[str]
    queue: deque[_Item] = field(default_factory=deque)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None


class InProcessSubscription:
    def __init__(self, group: _Group) -> None:
        self._group = group

    async def stop(self) -> None:
        task, self._group.task = self._group.task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


class InProcessTransport:
    def __init__(self, *, publish_timeout: float = 120.0, retry_delay: float = 1.0) -> None:
        self._groups: dict[str, _Group] = {}
        self.publish_timeout = publish_timeout
        self.retry_delay = retry_delay

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        for group in self._groups.values():
            await InProcessSubscription(group).stop()

    async def ping(self) -> None:
        return None

    def declare_group(self, group: str, topics: Sequence[str]) -> None:
        """Make a group receive events from now on, even before its consumer starts (the embedded
        runner declares every group before any relay runs, so nothing is published to nobody)."""
        existing = self._groups.get(group)
        if existing is None:
            self._groups[group] = _Group(topics=set(topics))
        else:
            existing.topics.update(topics)

    async def publish(self, envelopes: Sequence[EventEnvelope]) -> None:
        waits: list[asyncio.Future[None]] = []
        loop = asyncio.get_running_loop()
        for envelope in envelopes:
            for group in self._groups.values():
                if envelope.topic in group.topics:
                    item = _Item(envelope, loop.create_future())
                    group.queue.append(item)
                    group.arrived.set()
                    waits.append(item.done)
        if waits:
            await asyncio.wait_for(asyncio.gather(*waits), timeout=self.publish_timeout)

    async def subscribe(
        self,
        group: str,
        topics: Sequence[str],
        deliver: Delivery,
        deliver_unreadable: RawDelivery,
    ) -> InProcessSubscription:
        self.declare_group(group, topics)
        state = self._groups[group]
        if state.task is not None:
            raise RuntimeError(f"group {group} already has a running consumer")
        state.task = asyncio.create_task(self._consume(group, state, deliver), name=group)
        return InProcessSubscription(state)

    async def _consume(self, name: str, group: _Group, deliver: Delivery) -> None:
        while True:
            if not group.queue:
                group.arrived.clear()
                await group.arrived.wait()
                continue
            item = group.queue[0]
            try:
                await deliver(item.envelope)
            except asyncio.CancelledError:
                raise
            except Exception:
                # Not handled nor parked (its database is down): keep it at the head, try again.
                log.exception("in-process consumer %s could not handle an event", name)
                await asyncio.sleep(self.retry_delay)
                continue
            group.queue.popleft()
            if not item.done.done():
                item.done.set_result(None)
