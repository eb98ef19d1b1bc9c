"""The billing-service's tables (its own metadata: no other service reads them)."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from marelle_kit.clock import utcnow
from marelle_kit.database import new_registry
from marelle_kit.events import event_tables
from marelle_kit.tenant_directory import TenantDirectory, tenant_table
from marelle_kit.types import UTCDateTime


class BillingModel(SQLModel, registry=new_registry()):
    pass


class BillingAccount(BillingModel, table=True):
    """A household's account at the billing office, opened when the household is created.

    Its id is the household's id; the name and family number are a read model of the
    family-service's facts. Amounts are integer cents."""

    __tablename__ = "billing_account"
    __table_args__ = (UniqueConstraint("tenant_id", "family_number"),)

    id: UUID = Field(primary_key=True)
    tenant_id: UUID = Field(index=True)
    family_number: str = Field(max_length=20)
    name: str = Field(max_length=200)
    balance_cents: int = Field(default=0)
    # The family quotient tariffs are computed from (read model of family.quotient.changed).
    quotient: int | None = Field(default=None)
    quotient_valid_until: date | None = Field(default=None)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    modified_at: datetime = Field(
        default_factory=utcnow,
        sa_column=Column(UTCDateTime(), nullable=False, onupdate=utcnow),
    )


metadata = BillingModel.metadata
events = event_tables(metadata)
tenants = TenantDirectory(tenant_table(metadata))
