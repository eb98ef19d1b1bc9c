from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from marelle_auth.models import AuditEntry


class AuditRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, entry: AuditEntry) -> None:
        self.session.add(entry)
        await self.session.flush()

    async def of_tenant(self, tenant_id: UUID, *, limit: int, offset: int) -> list[AuditEntry]:
        return list(
            await self.session.scalars(
                select(AuditEntry)
                .where(col(AuditEntry.tenant_id) == tenant_id)
                .order_by(col(AuditEntry.at).desc())
                .limit(limit)
                .offset(offset)
            )
        )

    async def purge_before(self, cutoff: datetime) -> int:
        result = await self.session.execute(delete(AuditEntry).where(col(AuditEntry.at) < cutoff))
        return int(result.rowcount)  # type: ignore[attr-defined]
