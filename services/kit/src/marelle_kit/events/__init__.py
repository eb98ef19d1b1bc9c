"""The event spine: envelope, transactional outbox, relay, idempotent consumers, transports."""

from marelle_kit.events.consumer import EventConsumer, Handler
from marelle_kit.events.envelope import EventEnvelope
from marelle_kit.events.outbox import record_event, record_events
from marelle_kit.events.relay import OutboxRelay
from marelle_kit.events.tables import EventTables, event_tables
from marelle_kit.events.transport import Transport

__all__ = [
    "EventConsumer",
    "EventEnvelope",
    "EventTables",
    "Handler",
    "OutboxRelay",
    "Transport",
    "event_tables",
    "record_event",
    "record_events",
]
