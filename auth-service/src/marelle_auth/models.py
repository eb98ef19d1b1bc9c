"""The auth-service's tables (its own metadata: no other service reads them)."""

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


class AuthModel(SQLModel, registry=new_registry()):
    pass


class SigningKey(AuthModel, table=True):
    """An RSA key that signs access tokens; its public half is published in the JWKS.

    A retired key stays published until tokens signed with it have expired."""

    id: UUID = Field(default_factory=new_id, primary_key=True)  # also the JWK "kid"
    private_jwk: str = Field(sa_column=Column(Text(), nullable=False))
    public_jwk: str = Field(sa_column=Column(Text(), nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    retired_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )


metadata = AuthModel.metadata
events = event_tables(metadata)
tenants = TenantDirectory(tenant_table(metadata))
