from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from marelle_mailing.models import Mail


class MailRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_dedup_key(self, key: str) -> Mail | None:
        return await self.session.scalar(select(Mail).where(col(Mail.dedup_key) == key))

    async def add(self, mail: Mail) -> None:
        self.session.add(mail)
        await self.session.flush()

    async def claim_due(self, now: datetime, limit: int) -> list[Mail]:
        """Due mails, each claimed by one dispatcher (rows locked, others skipped)."""
        return list(
            await self.session.scalars(
                select(Mail)
                .where(col(Mail.status) == "queued", col(Mail.next_attempt_at) <= now)
                .order_by(col(Mail.next_attempt_at))
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )

    async def lock(self, mail_id: UUID) -> Mail | None:
        return await self.session.scalar(
            select(Mail).where(col(Mail.id) == mail_id).with_for_update()
        )

    async def of_tenant(self, tenant_id: UUID, *, limit: int, offset: int) -> list[Mail]:
        return list(
            await self.session.scalars(
                select(Mail)
                .where(col(Mail.tenant_id) == tenant_id)
                .order_by(col(Mail.created_at).desc())
                .limit(limit)
                .offset(offset)
            )
        )

    async def get(self, tenant_id: UUID, mail_id: UUID) -> Mail | None:
        return await self.session.scalar(
            select(Mail).where(col(Mail.tenant_id) == tenant_id, col(Mail.id) == mail_id)
        )
