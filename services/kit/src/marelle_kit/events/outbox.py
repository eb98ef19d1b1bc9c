"""Publishing = writing an outbox row in the same transaction as the state change."""

from __future__ import annotations

from uuid import UUID

from marelle_contracts import Event
from marelle_kit.clock import utcnow
from marelle_kit.context import causation_id_var, correlation_id_var
from marelle_kit.database import WriteSession
from marelle_kit.events.envelope import EventEnvelope
from marelle_kit.events.tables import EventTables
from marelle_kit.ids import new_id

OUTBOX_WRITTEN = "marelle_outbox_written"


async def record_event(
    session: WriteSession,
    tables: EventTables,
    event: Event,
    *,
    tenant_id: UUID,
    key: UUID | str,
) -> EventEnvelope:
    """Add ``event`` to the outbox inside the caller's transaction; the relay publishes it after
    commit. Nothing is sent if the transaction rolls back."""
    event_id = new_id()
    envelope = EventEnvelope(
        id=event_id,
        type=event.event_type,
        version=event.event_version,
        tenant_id=tenant_id,
        key=str(key),
        occurred_at=utcnow(),
        correlation_id=correlation_id_var.get() or str(event_id),
        causation_id=causation_id_var.get(),
        payload=event.model_dump(mode="json"),
    )
    await session.execute(
        tables.outbox.insert().values(
            event_id=envelope.id,
            topic=envelope.topic,
            key=envelope.key,
            event_type=envelope.type,
            envelope=envelope.model_dump_json(),
            created_at=envelope.occurred_at,
        )
    )
    session.info[OUTBOX_WRITTEN] = True
    return envelope
