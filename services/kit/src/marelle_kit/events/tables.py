"""The spine's own tables, added to each service's metadata (so each service migrates its own)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from marelle_kit.types import UTCDateTime

# The outbox position must be an auto-incremented integer: it is the publication order.
# SQLite only auto-increments an INTEGER PRIMARY KEY, hence the variant.
Position = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


@dataclass(frozen=True)
class EventTables:
    outbox: sa.Table
    processed: sa.Table
    dead_letter: sa.Table


def event_tables(metadata: sa.MetaData) -> EventTables:
    outbox = sa.Table(
        "outbox_message",
        metadata,
        sa.Column("position", Position, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.Uuid(), nullable=False, unique=True),
        sa.Column("topic", sa.String(100), nullable=False),
        sa.Column("key", sa.String(100), nullable=False),
        sa.Column("event_type", sa.String(100), nullable=False),
        sa.Column("envelope", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=True),
        sa.Index(
            "ix_outbox_message_pending",
            "key",
            "position",
            postgresql_where=sa.text("published_at IS NULL"),
            sqlite_where=sa.text("published_at IS NULL"),
        ),
    )
    processed = sa.Table(
        "processed_message",
        metadata,
        sa.Column("consumer", sa.String(100), primary_key=True),
        sa.Column("event_id", sa.Uuid(), primary_key=True),
        sa.Column("processed_at", UTCDateTime(), nullable=False),
    )
    dead_letter = sa.Table(
        "dead_letter",
        metadata,
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("consumer", sa.String(100), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=True),
        sa.Column("event_type", sa.String(100), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=True),
        sa.Column("envelope", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("parked_at", UTCDateTime(), nullable=False),
        sa.Column("replayed_at", UTCDateTime(), nullable=True),
        sa.UniqueConstraint("consumer", "event_id"),
    )
    return EventTables(outbox=outbox, processed=processed, dead_letter=dead_letter)
