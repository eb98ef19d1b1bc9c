from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_
from sqlmodel import col

from marelle_auth.models import SigningKey
from marelle_kit.repository import Repository


class SigningKeyRepository(Repository[SigningKey]):
    """Signing keys belong to the provider, not to a tenant."""

    model = SigningKey

    async def active(self) -> SigningKey | None:
        return await self.get_one_or_none(
            self.unscoped()
            .where(col(SigningKey.retired_at).is_(None))
            .order_by(col(SigningKey.created_at).desc())
            .limit(1)
        )

    async def claim_active(self) -> list[SigningKey]:
        """The keys in use, newest first, locked; a worker rotating them already holds them and
        the others skip (PostgreSQL; SQLite serialises writers anyway)."""
        return await self.lock_all(
            self.unscoped()
            .where(col(SigningKey.retired_at).is_(None))
            .order_by(col(SigningKey.created_at).desc()),
            skip_locked=True,
        )

    async def published(self, retired_after: datetime) -> list[SigningKey]:
        return await self.all(
            self.unscoped()
            .where(
                or_(
                    col(SigningKey.retired_at).is_(None),
                    col(SigningKey.retired_at) > retired_after,
                )
            )
            .order_by(col(SigningKey.created_at))
        )
