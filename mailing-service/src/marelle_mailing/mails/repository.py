from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlmodel import col

from marelle_kit.repository import Repository
from marelle_mailing.models import Mail


class MailRepository(Repository[Mail]):
    model = Mail

    async def by_dedup_key(self, key: str) -> Mail | None:
        return await self.get_one_or_none(self.unscoped().where(col(Mail.dedup_key) == key))

    async def claim_due(self, now: datetime, limit: int) -> list[Mail]:
        """Due mails of every tenant, each claimed by one caller (rows locked, others
        skipped)."""
        return await self.lock_all(
            self.unscoped()
            .where(col(Mail.status) == "queued", col(Mail.next_attempt_at) <= now)
            .order_by(col(Mail.next_attempt_at))
            .limit(limit),
            skip_locked=True,
        )

    async def lock(self, mail_id: UUID) -> Mail | None:
        """The mail, locked until the end of the transaction (whatever its tenant)."""
        rows = await self.lock_all(self.unscoped().where(col(Mail.id) == mail_id))
        return rows[0] if rows else None

    async def of_tenant(self, tenant_id: UUID, *, limit: int, offset: int) -> list[Mail]:
        query = self.scoped(tenant_id).order_by(col(Mail.created_at).desc())
        return await self.window(query, limit=limit, offset=offset)
