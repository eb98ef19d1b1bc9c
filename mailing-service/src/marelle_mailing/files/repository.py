from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import col

from marelle_kit.repository import Repository
from marelle_mailing.models import StoredFile


class FileRepository(Repository[StoredFile]):
    model = StoredFile

    async def many(self, tenant_id: UUID, ids: Iterable[UUID]) -> dict[UUID, StoredFile]:
        wanted = list(ids)
        if not wanted:
            return {}
        rows = await self.session.scalars(
            self.scoped(tenant_id).where(col(StoredFile.id).in_(wanted))
        )
        return {row.id: row for row in rows}

    async def delete_many(self, ids: Iterable[UUID]) -> None:
        wanted = list(ids)
        if wanted:
            await self.session.execute(sa.delete(StoredFile).where(col(StoredFile.id).in_(wanted)))
