"""The mailing-service's tables (its own metadata: no other service reads them)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from marelle_kit.clock import utcnow
from marelle_kit.database import new_registry
from marelle_kit.events import event_tables
from marelle_kit.ids import new_id
from marelle_kit.tenant_directory import TenantDirectory, tenant_table
from marelle_kit.types import UTCDateTime


class MailingModel(SQLModel, registry=new_registry()):
    pass


class Mail(MailingModel, table=True):
    """One mail and its delivery record. The deduplication key makes a fact delivered twice
    produce one mail; in embedded mode this table is also the local mailbox."""

    id: UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: UUID = Field(index=True)
    dedup_key: str = Field(max_length=200, unique=True)
    template: str = Field(max_length=60)
    to_address: str = Field(max_length=254)
    subject: str = Field(max_length=200)
    html: str = Field(sa_column=Column(Text(), nullable=False))
    text: str = Field(sa_column=Column(Text(), nullable=False))
    status: str = Field(default="queued", max_length=10, index=True)  # queued | sent | failed
    attempts: int = Field(default=0)
    last_error: str | None = Field(default=None, sa_column=Column(Text(), nullable=True))
    next_attempt_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


metadata = MailingModel.metadata
events = event_tables(metadata)
tenants = TenantDirectory(tenant_table(metadata))
