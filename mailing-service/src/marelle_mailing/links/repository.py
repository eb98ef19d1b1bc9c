from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import col

from marelle_kit.database import WriteSession
from marelle_mailing.models import LinkKey


class LinkKeyRepository:
    def __init__(self, session: WriteSession) -> None:
        self.session = session

    async def all(self) -> list[LinkKey]:
        """Newest first."""
        return list(
            await self.session.scalars(sa.select(LinkKey).order_by(col(LinkKey.created_at).desc()))
        )

    async def add(self, key: LinkKey) -> None:
        self.session.add(key)
        await self.session.flush()
