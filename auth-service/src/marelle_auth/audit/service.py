"""The auth audit log. Entries are written in the same transaction as what they record, so a
rolled-back action leaves no entry and a committed one always has its entry."""

from __future__ import annotations

import ipaddress
import logging
from datetime import timedelta
from uuid import UUID

from fastapi import Request

from marelle_auth.audit.repository import AuditRepository
from marelle_auth.models import AuditEntry
from marelle_kit.clock import utcnow
from marelle_kit.database import Database, WriteSession

log = logging.getLogger(__name__)

RETENTION = timedelta(days=365)


def client_ip(request: Request) -> str | None:
    """The browser's address as the gateway saw it (first X-Forwarded-For hop), validated."""
    forwarded = request.headers.get("x-forwarded-for", "")
    candidate = forwarded.split(",")[0].strip() or (request.client.host if request.client else "")
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


class AuditLog:
    def __init__(self, session: WriteSession) -> None:
        self.entries = AuditRepository(session)

    async def record(
        self,
        action: str,
        outcome: str,
        *,
        tenant_id: UUID | None,
        ip: str | None,
        account_id: UUID | None = None,
        email: str | None = None,
        detail: str | None = None,
    ) -> None:
        await self.entries.add(
            AuditEntry(
                tenant_id=tenant_id,
                account_id=account_id,
                email=email,
                action=action,
                outcome=outcome,
                ip=ip,
                detail=detail[:500] if detail else None,
            )
        )


async def purge_expired(database: Database) -> None:
    """Forget entries older than the retention period (the worker calls it hourly)."""
    async with database.transaction() as session:
        removed = await AuditRepository(session).purge_before(utcnow() - RETENTION)
    if removed:
        log.info("audit: %d entries past retention removed", removed)
