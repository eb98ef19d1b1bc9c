from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from marelle_auth.models import SigningKey


class SigningKeyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def active(self) -> SigningKey | None:
        return await self.session.scalar(
            select(SigningKey)
            .where(col(SigningKey.retired_at).is_(None))
            .order_by(col(SigningKey.created_at).desc())
            .limit(1)
        )

    async def claim_active(self) -> list[SigningKey]:
        """The keys in use, newest first, locked; a worker rotating them already holds them and
        the others skip (PostgreSQL; SQLite serialises writers anyway)."""
        return list(
            await self.session.scalars(
                select(SigningKey)
                .where(col(SigningKey.retired_at).is_(None))
                .order_by(col(SigningKey.created_at).desc())
                .with_for_update(skip_locked=True)
            )
        )

    async def published(self, retired_after: datetime) -> list[SigningKey]:
        return list(
            await self.session.scalars(
                select(SigningKey)
                .where(
                    or_(
                        col(SigningKey.retired_at).is_(None),
                        col(SigningKey.retired_at) > retired_after,
                    )
                )
                .order_by(col(SigningKey.created_at))
            )
        )

    async def add(self, key: SigningKey) -> None:
        self.session.add(key)
        await self.session.flush()
