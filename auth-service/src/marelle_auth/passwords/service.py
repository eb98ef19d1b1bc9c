"""First login and forgotten password, one flow (SECURITY.md "Links and tokens")."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from uuid import UUID

from marelle_auth import catalogue
from marelle_auth.accounts.repository import AccountRepository
from marelle_auth.audit.service import AuditLog
from marelle_auth.catalogue import LinkExpired, LinkInvalid, LinkUsed, PasswordRefused
from marelle_auth.models import Account, PasswordLink, events
from marelle_auth.oidc.repository import RefreshTokenRepository
from marelle_auth.passwords.hashing import hash_password
from marelle_auth.passwords.policy import PolicyReport, evaluate
from marelle_auth.passwords.repository import PasswordLinkRepository
from marelle_auth.passwords.schemas import PasswordChange
from marelle_contracts import PasswordResetRequested
from marelle_kit.clock import utcnow
from marelle_kit.database import WriteSession
from marelle_kit.events import record_event

LIFETIMES = {"first_login": timedelta(hours=24), "reset": timedelta(minutes=60)}


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class PasswordService:
    def __init__(
        self, session: WriteSession, *, ip: str | None = None, min_length: int = 8
    ) -> None:
        self.session = session
        self.accounts = AccountRepository(session)
        self.links = PasswordLinkRepository(session)
        self.audit = AuditLog(session)
        self.ip = ip
        self.min_length = min_length

    async def request_link(self, tenant_id: UUID, email: str) -> None:
        """Answers nothing either way: the caller says the same neutral sentence to everyone."""
        account = await self.accounts.by_email(tenant_id, email)
        if account is None or not account.active:
            await self.audit.record(
                "password_link.requested", "unknown", tenant_id=tenant_id, ip=self.ip, email=email
            )
            return
        purpose = "first_login" if account.password_hash is None else "reset"
        token = secrets.token_urlsafe(32)  # 256 bits
        await self.links.void_all(account.id)
        link = PasswordLink(
            account_id=account.id,
            token_hash=token_hash(token),
            purpose=purpose,
            expires_at=utcnow() + LIFETIMES[purpose],
        )
        await self.links.add(link)
        await record_event(
            self.session,
            events,
            PasswordResetRequested(
                account_id=account.id,
                email=account.email,
                first_name=account.first_name,
                purpose=purpose,
                token=token,
                expires_at=link.expires_at,
            ),
            tenant_id=tenant_id,
            key=account.household_id or account.id,
        )
        await self.audit.record(
            "password_link.requested",
            purpose,
            tenant_id=tenant_id,
            ip=self.ip,
            account_id=account.id,
            email=account.email,
        )

    async def open_link(
        self, tenant_id: UUID, token: str, *, for_update: bool = False
    ) -> tuple[PasswordLink, Account]:
        link = await self.links.by_hash(token_hash(token), for_update=for_update)
        account = await self.accounts.by_id(link.account_id) if link is not None else None
        if link is None or account is None or account.tenant_id != tenant_id:
            raise LinkInvalid(catalogue.LINK_INVALID)
        if link.used_at is not None:
            raise LinkUsed(catalogue.LINK_USED)
        if link.voided_at is not None or not account.active:
            raise LinkInvalid(catalogue.LINK_REPLACED)
        if link.expires_at <= utcnow():
            raise LinkExpired(catalogue.LINK_EXPIRED)
        return link, account

    def check(self, account: Account, password: str, confirmation: str) -> PolicyReport:
        return evaluate(
            password,
            confirmation,
            email=account.email,
            names=(account.first_name, account.last_name),
            min_length=self.min_length,
        )

    async def set_password(
        self, tenant_id: UUID, token: str, password: str, confirmation: str
    ) -> Account:
        link, account = await self.open_link(tenant_id, token, for_update=True)
        report = self.check(account, password, confirmation)
        if not report.acceptable:
            raise PasswordRefused(
                catalogue.PASSWORD_BREAKS_RULES.format(
                    rules=", ".join(rule.label.lower() for rule in report.failed)
                ),
                rules=[{"code": r.code, "label": r.label, "ok": r.ok} for r in report.rules],
            )
        account.password_hash = await hash_password(password)
        account.password_changed_at = utcnow()
        link.used_at = utcnow()
        await self.links.void_all(account.id)  # a successful reset voids every other link
        self.session.add_all([account, link])
        await self.session.flush()
        await self.audit.record(
            "password.set",
            "success",
            tenant_id=tenant_id,
            ip=self.ip,
            account_id=account.id,
            email=account.email,
            detail=link.purpose,
        )
        return account


async def change_password(
    session: WriteSession,
    account: Account,
    data: PasswordChange,
    *,
    ip: str | None,
    min_length: int = 8,
) -> None:
    """Set a new password for an account whose current password was just verified; every other
    session of the account ends, and any pending link is voided."""
    service = PasswordService(session, ip=ip, min_length=min_length)
    report = service.check(account, data.password, data.confirmation)
    rules = [{"code": r.code, "label": r.label, "ok": r.ok} for r in report.rules]
    if data.password == data.current_password:
        raise PasswordRefused(catalogue.PASSWORD_UNCHANGED, rules=rules)
    if not report.acceptable:
        raise PasswordRefused(
            catalogue.PASSWORD_BREAKS_RULES.format(
                rules=", ".join(rule.label.lower() for rule in report.failed)
            ),
            rules=rules,
        )
    account.password_hash = await hash_password(data.password)
    account.password_changed_at = utcnow()
    session.add(account)
    await service.links.void_all(account.id)
    kept = token_hash(data.keep_refresh_token) if data.keep_refresh_token else None
    await RefreshTokenRepository(session).revoke_account(account.id, utcnow(), keep_family_of=kept)
    await service.audit.record(
        "password.changed",
        "success",
        tenant_id=account.tenant_id,
        ip=ip,
        account_id=account.id,
        email=account.email,
    )
