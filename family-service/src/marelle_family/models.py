"""The family-service's tables (its own metadata: no other service reads them)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from marelle_kit.clock import utcnow
from marelle_kit.database import new_registry
from marelle_kit.events import event_tables
from marelle_kit.ids import new_id
from marelle_kit.types import UTCDateTime


class FamilyModel(SQLModel, registry=new_registry()):
    pass


def _created() -> Column[datetime]:
    return Column(UTCDateTime(), nullable=False, default=utcnow)


def _modified() -> Column[datetime]:
    return Column(UTCDateTime(), nullable=False, default=utcnow, onupdate=utcnow)


class Tenant(FamilyModel, table=True):
    """A structure (commune, RPI, SIVU...) running children's services."""

    id: UUID = Field(default_factory=new_id, primary_key=True)
    slug: str = Field(max_length=63, unique=True)
    name: str = Field(max_length=200)
    next_family_number: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    modified_at: datetime = Field(default_factory=utcnow, sa_column=_modified())


class Household(FamilyModel, table=True):
    """A foyer: the billing and login unit, known by its family number."""

    __table_args__ = (UniqueConstraint("tenant_id", "family_number"),)

    id: UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: UUID = Field(foreign_key="tenant.id", index=True)
    family_number: str = Field(max_length=20)
    name: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    modified_at: datetime = Field(default_factory=utcnow, sa_column=_modified())


class Guardian(FamilyModel, table=True):
    """A legal guardian of the household's children: rank 1 or 2, never "father/mother"."""

    __table_args__ = (
        UniqueConstraint("household_id", "rank"),
        # One login per e-mail and tenant: two guardians cannot share an address.
        UniqueConstraint("tenant_id", "email"),
    )

    id: UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: UUID = Field(index=True)
    household_id: UUID = Field(foreign_key="household.id", index=True)
    rank: int
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    email: str | None = Field(default=None, max_length=254)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    modified_at: datetime = Field(default_factory=utcnow, sa_column=_modified())


metadata = FamilyModel.metadata
events = event_tables(metadata)
