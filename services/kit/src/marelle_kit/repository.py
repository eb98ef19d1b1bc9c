"""The repository base: every query of a module lives in its repository (STYLE.md rule 2).

A repository is built on the request's (or the consumed message's) session and never commits.
Everything it reads is scoped to a tenant: a tenant-owned model has a ``tenant_id`` column and
the base's helpers always filter on it, so forgetting the tenant is not possible through them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar, cast
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Select

M = TypeVar("M")

# Every list endpoint bounds its paging with these (a limit above MAX_LIMIT, or an offset above
# MAX_OFFSET, is a 422 at the edge; deep paging goes through filters, not offsets).
DEFAULT_LIMIT = 50
MAX_LIMIT = 500
MAX_OFFSET = 100_000


@dataclass(frozen=True)
class Page(Generic[M]):
    items: list[M]
    total: int
    limit: int
    offset: int

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.items) < self.total


class Repository(Generic[M]):
    """Base of a module's repository over one tenant-owned model ``model``."""

    model: ClassVar[type[Any]]

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _scoped(self, tenant_id: UUID) -> Select[Any]:
        return sa.select(self.model).where(self.model.tenant_id == tenant_id)

    async def get(self, tenant_id: UUID, id_: UUID) -> M | None:
        """The row of this tenant with this id, or None (another tenant's row is None too)."""
        return cast(
            "M | None",
            await self.session.scalar(self._scoped(tenant_id).where(self.model.id == id_)),
        )

    async def get_for_update(self, tenant_id: UUID, id_: UUID) -> M | None:
        """The row, locked until the end of the transaction (``SELECT ... FOR UPDATE``).

        The concurrency-control pattern for an aggregate two requests must not write at once
        (capacity, numbering, payments): lock the aggregate's row first, then read what depends
        on it. SQLite ignores FOR UPDATE but serialises writers, so the pattern holds on both;
        the two-writer tests run on PostgreSQL.
        """
        query = self._scoped(tenant_id).where(self.model.id == id_).with_for_update()
        return cast("M | None", await self.session.scalar(query))

    async def get_one_or_none(self, query: Select[Any]) -> M | None:
        return cast("M | None", (await self.session.scalars(query.limit(2))).one_or_none())

    async def add(self, item: M) -> M:
        self.session.add(item)
        await self.session.flush()
        return item

    async def add_all(self, items: Sequence[M]) -> None:
        self.session.add_all(items)
        await self.session.flush()

    async def delete(self, item: M) -> None:
        await self.session.delete(item)
        await self.session.flush()

    async def paginate(
        self, query: Select[Any], *, limit: int = DEFAULT_LIMIT, offset: int = 0
    ) -> Page[M]:
        """One page of ``query`` and the total count (bounded: see MAX_LIMIT, MAX_OFFSET)."""
        if not 1 <= limit <= MAX_LIMIT or not 0 <= offset <= MAX_OFFSET:
            raise ValueError(f"page out of bounds: limit={limit}, offset={offset}")
        total = await self.session.scalar(
            sa.select(sa.func.count()).select_from(query.order_by(None).subquery())
        )
        items = cast("list[M]", list(await self.session.scalars(query.limit(limit).offset(offset))))
        return Page(items=items, total=int(total or 0), limit=limit, offset=offset)
