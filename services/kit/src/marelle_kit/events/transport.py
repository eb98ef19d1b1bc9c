"""One interface for the in-process and the Kafka transports."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from marelle_kit.events.envelope import EventEnvelope

Delivery = Callable[[EventEnvelope], Awaitable[None]]
"""Called once per received event; returns only once the event is handled or parked. Raising
means "not handled": the transport must deliver the same event again later."""

RawDelivery = Callable[[bytes, str], Awaitable[None]]
"""Called with bytes that are not a valid envelope, so they can be parked instead of dropped."""


class Subscription(Protocol):
    async def stop(self) -> None: ...


class Transport(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def ping(self) -> None:
        """Raise if the transport cannot be reached (readiness)."""

    async def publish(self, envelopes: Sequence[EventEnvelope]) -> None:
        """Publish in order; return only once every envelope is durably accepted, else raise."""

    async def subscribe(
        self,
        group: str,
        topics: Sequence[str],
        deliver: Delivery,
        deliver_unreadable: RawDelivery,
    ) -> Subscription:
        """Start delivering the topics' events to ``deliver`` as consumer group ``group``."""
