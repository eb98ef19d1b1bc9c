"""The auth-service's tables (its own metadata: no other service reads them)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import Column, Text, UniqueConstraint
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

    __tablename__ = "signing_key"

    id: UUID = Field(default_factory=new_id, primary_key=True)  # also the JWK "kid"
    private_jwk: str = Field(sa_column=Column(Text(), nullable=False))
    public_jwk: str = Field(sa_column=Column(Text(), nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    retired_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )


def _stamp() -> Column[datetime]:
    return Column(UTCDateTime(), nullable=False)


class Account(AuthModel, table=True):
    """A login. Parent accounts follow the family-service's guardians (one per guardian e-mail
    and tenant); staff accounts are created by a tenant's admin."""

    __table_args__ = (UniqueConstraint("tenant_id", "email"),)

    id: UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: UUID = Field(index=True)
    email: str = Field(max_length=254)
    kind: str = Field(max_length=10)  # "parent" | "staff"
    household_id: UUID | None = Field(default=None, index=True)
    guardian_id: UUID | None = Field(default=None, unique=True)
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    password_hash: str | None = Field(default=None, max_length=255)
    # Staff roles, comma-separated: agent, manager, admin (operator: across tenants).
    roles: str = Field(default="", max_length=100, sa_column_kwargs={"server_default": ""})
    active: bool = Field(default=True)
    password_changed_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    created_at: datetime = Field(default_factory=utcnow, sa_column=_stamp())
    modified_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False, onupdate=utcnow)
    )


class PasswordLink(AuthModel, table=True):
    """A first-login or forgotten-password link: random token, stored only as its SHA-256."""

    __tablename__ = "password_link"

    id: UUID = Field(default_factory=new_id, primary_key=True)
    account_id: UUID = Field(foreign_key="account.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    purpose: str = Field(max_length=20)  # "first_login" | "reset"
    created_at: datetime = Field(default_factory=utcnow, sa_column=_stamp())
    expires_at: datetime = Field(sa_column=_stamp())
    used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    voided_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


class AuditEntry(AuthModel, table=True):
    """A security event (SECURITY.md: kept 12 months): who, when, from where, what, outcome."""

    __tablename__ = "audit_entry"

    id: UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: UUID | None = Field(default=None, index=True)
    account_id: UUID | None = Field(default=None, index=True)
    email: str | None = Field(default=None, max_length=254)
    action: str = Field(max_length=40)
    outcome: str = Field(max_length=20)
    ip: str | None = Field(default=None, max_length=45)
    detail: str | None = Field(default=None, max_length=500)
    at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False, index=True)
    )


class AuthorizationCode(AuthModel, table=True):
    """An OAuth 2 authorization code (PKCE S256 only): stored hashed, single use, 10 minutes.
    A used code is kept (``used_at``) so that its replay revokes what it issued."""

    __tablename__ = "authorization_code"

    id: UUID = Field(default_factory=new_id, primary_key=True)
    code_hash: str = Field(max_length=64, unique=True)
    client_id: str = Field(max_length=100)
    redirect_uri: str = Field(max_length=500)
    scope: str = Field(max_length=200)
    account_id: UUID = Field(foreign_key="account.id", index=True)
    code_challenge: str = Field(max_length=128)
    code_challenge_method: str = Field(max_length=10)
    nonce: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_stamp())
    expires_at: datetime = Field(sa_column=_stamp())
    used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


class RefreshToken(AuthModel, table=True):
    """A refresh token, stored hashed. Each use rotates it within its family; presenting a
    rotated or revoked token again revokes the whole family (reuse detection)."""

    __tablename__ = "refresh_token"

    id: UUID = Field(default_factory=new_id, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    family_id: UUID = Field(index=True)
    code_id: UUID | None = Field(default=None, index=True)
    account_id: UUID = Field(foreign_key="account.id", index=True)
    client_id: str = Field(max_length=100)
    scope: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_stamp())
    expires_at: datetime = Field(sa_column=_stamp())
    rotated_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    revoked_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )


metadata = AuthModel.metadata
events = event_tables(metadata)
tenants = TenantDirectory(tenant_table(metadata))
