from __future__ import annotations

from uuid import UUID

from sqlalchemy.exc import IntegrityError

from marelle_kit.repository import Repository
from marelle_mailing.models import NoticeSent


class NoticeRepository(Repository[NoticeSent]):
    model = NoticeSent

    async def claim(self, tenant_id: UUID, key: str) -> bool:
        """Record that the notice ``key`` goes out; False when it already did (a repeated or
        overlapping run of the job: the primary key decides, in a savepoint)."""
        try:
            async with self.writer.begin_nested():
                self.writer.add(NoticeSent(key=key[:200], tenant_id=tenant_id))
                await self.writer.flush()
        except IntegrityError:
            return False
        return True
