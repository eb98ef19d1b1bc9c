from __future__ import annotations

from uuid import UUID

import sqlalchemy as sa
from sqlmodel import col

from marelle_auth.models import PasswordLink
from marelle_kit.clock import utcnow
from marelle_kit.repository import Repository


class PasswordLinkRepository(Repository[PasswordLink]):
    model = PasswordLink

    async def by_hash(self, token_hash: str, *, for_update: bool = False) -> PasswordLink | None:
        query = self.unscoped().where(col(PasswordLink.token_hash) == token_hash)
        if for_update:
            query = query.with_for_update()
        return await self.get_one_or_none(query)

    async def void_all(self, account_id: UUID) -> None:
        """Every open link of the account stops working (new request, reset, e-mail change)."""
        await self.writer.execute(
            sa.update(PasswordLink)
            .where(col(PasswordLink.account_id) == account_id)
            .where(col(PasswordLink.used_at).is_(None))
            .where(col(PasswordLink.voided_at).is_(None))
            .values(voided_at=utcnow())
        )
