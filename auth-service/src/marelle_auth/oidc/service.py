"""Login and the OAuth 2 / OIDC endpoints' logic, around the Authlib adapter."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar
from uuid import UUID

from marelle_auth.accounts.repository import AccountRepository
from marelle_auth.audit.service import AuditLog
from marelle_auth.keys.repository import SigningKeyRepository
from marelle_auth.models import Account, events
from marelle_auth.oidc.server import MarelleServer, revoke_findings
from marelle_auth.passwords.hashing import hash_password, needs_rehash, verify_password
from marelle_auth.settings import AuthSettings
from marelle_auth.throttling.policy import LoginThrottle
from marelle_contracts import AccountLocked
from marelle_kit.database import Database, WriteSession
from marelle_kit.events import record_event

T = TypeVar("T")

# Verified when the e-mail is unknown, so that a wrong e-mail costs the same time as a wrong
# password (no account enumeration by timing).
_DUMMY_HASH: str | None = None


async def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = await hash_password("marelle-timing-equaliser")
    return _DUMMY_HASH


class OidcService:
    def __init__(
        self,
        session: WriteSession,
        settings: AuthSettings,
        *,
        ip: str | None,
        throttle: LoginThrottle | None = None,
    ) -> None:
        self.session = session
        self.throttle = throttle
        self.settings = settings
        self.accounts = AccountRepository(session)
        self.audit = AuditLog(session)
        self.ip = ip
        self._server: MarelleServer | None = None

    async def authenticate(self, tenant_id: UUID, email: str, password: str) -> Account | None:
        """The account, or None for a wrong password, an unknown e-mail, a closed, throttled
        or locked account: all answered alike, after the same hashing work."""
        email = email.strip().lower()
        account = await self.accounts.by_email(tenant_id, email)
        account_id = account.id if account is not None else None
        account_key = LoginThrottle.account_key(tenant_id, email)
        ip_key = LoginThrottle.ip_key(self.ip)
        if self.throttle is not None:
            verdict = await self.throttle.check(account_key, ip_key)
            if not verdict.allowed:
                await verify_password(await _dummy_hash(), password)
                outcome = "locked" if verdict.locked else "throttled"
                await self.audit.record(
                    "login",
                    outcome,
                    tenant_id=tenant_id,
                    ip=self.ip,
                    email=email[:254],
                    account_id=account_id,
                )
                return None
        hashed = account.password_hash if account is not None and account.active else None
        if hashed is None or not await verify_password(hashed, password):
            if hashed is None:
                await verify_password(await _dummy_hash(), password)
            await self.audit.record(
                "login",
                "failure",
                tenant_id=tenant_id,
                ip=self.ip,
                email=email[:254],
                account_id=account_id,
            )
            if self.throttle is not None and await self.throttle.failed(account_key, ip_key):
                await self._locked(tenant_id, account, account_key)
            return None
        assert account is not None
        if self.throttle is not None:
            await self.throttle.succeeded(account_key)
        if needs_rehash(hashed):  # the hashing parameters changed since it was set
            account.password_hash = await hash_password(password)
            self.session.add(account)
        await self.audit.record(
            "login",
            "success",
            tenant_id=tenant_id,
            ip=self.ip,
            email=account.email,
            account_id=account.id,
        )
        return account

    async def _locked(self, tenant_id: UUID, account: Account | None, account_key: str) -> None:
        await self.audit.record(
            "account",
            "locked",
            tenant_id=tenant_id,
            ip=self.ip,
            account_id=account.id if account else None,
            email=account.email if account else None,
        )
        if account is None or self.throttle is None:
            return  # an unknown e-mail: counted and locked too, but nobody to tell
        until = await self.throttle.locked_until(account_key)
        await record_event(
            self.session,
            events,
            AccountLocked(
                account_id=account.id,
                email=account.email,
                first_name=account.first_name,
                locked_until=datetime.fromtimestamp(until or time.time(), UTC),
            ),
            tenant_id=tenant_id,
            key=account.household_id or account.id,
        )

    async def server(self) -> MarelleServer:
        if self._server is None:
            key = await SigningKeyRepository(self.session).active()
            if key is None:
                raise RuntimeError("no signing key: the auth-service's startup did not run")
            self._server = MarelleServer(self.session.sync_session, self.settings, key)
        return self._server

    async def run(self, work: Callable[[MarelleServer], T]) -> T:
        """Run Authlib (synchronous) on this request's session, joined to its transaction."""
        server = await self.server()
        return await self.session.run_sync(lambda _sync_session: work(server))


async def revoke_replays(database: Database, server: MarelleServer) -> None:
    """In its own transaction: the request that found a replay fails and rolls back."""
    findings = server.findings
    if not (findings.replayed_code_ids or findings.replayed_families):
        return
    async with database.transaction() as session:
        await session.run_sync(lambda s: revoke_findings(s, findings))


def location_of(headers: list[tuple[str, str]]) -> str | None:
    return next((value for name, value in headers if name.lower() == "location"), None)


def as_dict(body: Any) -> dict[str, Any]:
    return body if isinstance(body, dict) else {}
