"""Facts published by the auth-service."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal
from uuid import UUID

from marelle_contracts.base import Event


class PasswordResetRequested(Event):
    """A person asked for a link to create (first login) or reset their password.

    No secret travels in clear (docs/adr/0017-sealed-password-links.md): the link's token
    is sealed in ``sealed_token``, a JWE encrypted to the mailing-service's public key (only
    the mailing-service can open it, and it checks that the sealed account, tenant and purpose
    are this event's). The auth-service keeps only the token's hash; the link is single-use
    and short-lived. Version 1 carried the token in clear and is no longer published."""

    event_type: ClassVar[str] = "auth.password_reset.requested"
    event_version: ClassVar[int] = 2

    account_id: UUID
    email: str
    first_name: str
    purpose: Literal["first_login", "reset"]
    sealed_token: str
    expires_at: datetime


class AccountLocked(Event):
    """Too many failed logins: the account is locked until ``locked_until``; its owner is told."""

    event_type: ClassVar[str] = "auth.account.locked"

    account_id: UUID
    email: str
    first_name: str
    locked_until: datetime


class AccountFirstSignedIn(Event):
    """An account signed in for the first time (published once per account): the mailing-service
    learns which households have never used the portal (the seed's invitation mailing)."""

    event_type: ClassVar[str] = "auth.account.first_signed_in"

    account_id: UUID
    household_id: UUID | None
    guardian_id: UUID | None
    signed_in_at: datetime
