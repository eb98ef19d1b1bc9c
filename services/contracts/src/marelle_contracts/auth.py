"""Facts published by the auth-service."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal
from uuid import UUID

from marelle_contracts.base import Event


class PasswordResetRequested(Event):
    """A person asked for a link to create (first login) or reset their password.

    The link's token travels to the mailing-service in this event (docs/adr/0008); it is
    single-use, short-lived, and only its hash is kept by the auth-service."""

    event_type: ClassVar[str] = "auth.password_reset.requested"

    account_id: UUID
    email: str
    first_name: str
    purpose: Literal["first_login", "reset"]
    token: str
    expires_at: datetime


class AccountLocked(Event):
    """Too many failed logins: the account is locked until ``locked_until``; its owner is told."""

    event_type: ClassVar[str] = "auth.account.locked"

    account_id: UUID
    email: str
    first_name: str
    locked_until: datetime
