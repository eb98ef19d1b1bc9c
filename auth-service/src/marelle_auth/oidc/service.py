"""Login and the OAuth 2 / OIDC endpoints' logic, around the Authlib adapter."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from marelle_auth.accounts.repository import AccountRepository
from marelle_auth.audit.service import AuditLog
from marelle_auth.keys.repository import SigningKeyRepository
from marelle_auth.models import Account
from marelle_auth.oidc.server import MarelleServer, revoke_findings
from marelle_auth.passwords.hashing import hash_password, needs_rehash, verify_password
from marelle_auth.settings import AuthSettings
from marelle_kit.database import Database

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
    def __init__(self, session: AsyncSession, settings: AuthSettings, *, ip: str | None) -> None:
        self.session = session
        self.settings = settings
        self.accounts = AccountRepository(session)
        self.audit = AuditLog(session)
        self.ip = ip
        self._server: MarelleServer | None = None

    async def authenticate(self, tenant_id: UUID, email: str, password: str) -> Account | None:
        account = await self.accounts.by_email(tenant_id, email.strip().lower())
        if account is None or account.password_hash is None or not account.active:
            await verify_password(await _dummy_hash(), password)
            await self.audit.record(
                "login",
                "failure",
                tenant_id=tenant_id,
                ip=self.ip,
                email=email[:254],
                account_id=account.id if account else None,
            )
            return None
        if not await verify_password(account.password_hash, password):
            await self.audit.record(
                "login",
                "failure",
                tenant_id=tenant_id,
                ip=self.ip,
                email=account.email,
                account_id=account.id,
            )
            return None
        if needs_rehash(account.password_hash):  # hashing parameters changed since
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
