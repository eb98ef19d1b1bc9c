from __future__ import annotations

from uuid import UUID

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from marelle_auth.models import PasswordLink
from marelle_kit.clock import utcnow


class PasswordLinkRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_hash(self, token_hash: str, *, for_update: bool = False) -> PasswordLink | None:
        query = select(PasswordLink).where(col(PasswordLink.token_hash) == token_hash)
        if for_update:
            query = query.with_for_update()
        return await self.session.scalar(query)

    async def add(self, link: PasswordLink) -> None:
        self.session.add(link)
        await self.session.flush()

    async def void_all(self, account_id: UUID) -> None:
        """Every open link of the account stops working (new request, reset, e-mail change)."""
        await self.session.execute(
            update(PasswordLink)
            .where(col(PasswordLink.account_id) == account_id)
            .where(col(PasswordLink.used_at).is_(None))
            .where(col(PasswordLink.voided_at).is_(None))
            .values(voided_at=utcnow())
        )
