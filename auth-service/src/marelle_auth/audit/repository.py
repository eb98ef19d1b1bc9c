from __future__ import annotations

from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import col

from marelle_auth.models import AuditEntry
from marelle_kit.repository import Repository


class AuditRepository(Repository[AuditEntry]):
    model = AuditEntry

    async def of_tenant(self, tenant_id: UUID, *, limit: int, offset: int) -> list[AuditEntry]:
        query = self.scoped(tenant_id).order_by(col(AuditEntry.at).desc())
        return await self.window(query, limit=limit, offset=offset)

    async def purge_before(self, cutoff: datetime) -> int:
        """Entries of every tenant older than ``cutoff`` are removed (retention)."""
        result = await self.writer.execute(sa.delete(AuditEntry).where(col(AuditEntry.at) < cutoff))
        return int(result.rowcount)  # type: ignore[attr-defined]
