"""The repository base: every query of a module lives in its repository (STYLE.md rule 2).

A repository is built on the request's (or the consumed message's, or the job's) session and
never commits. Built on a ``ReadSession`` it only reads: its write helpers refuse to run.

Tenant-owned models have a ``tenant_id`` column; the helpers that take a ``tenant_id`` always
filter on it, so an id of another tenant's row is simply not found. A repository of a model
without a tenant (the tenants themselves, signing keys) uses the helpers that take a query.

The concurrency-control pattern (docs/adr, "conventions"): an aggregate that two requests must
not change at once (a capacity, a numbering, a balance) is read with ``get_for_update`` first,
in the transaction that changes it; whatever depends on it is read after the lock is held.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar, cast
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.sql import Select

from marelle_kit.database import ReadOnlySessionError, ReadSession, WriteSession

M = TypeVar("M")

# Every list endpoint bounds its paging with these (a limit above MAX_LIMIT, or an offset above
# MAX_OFFSET, is a 422 at the edge: declare them with ``Query(ge=..., le=...)``; deep paging
# goes through filters, not offsets).
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
    """Base of a module's repository over one model ``model``.

    Subclasses set ``model`` and add the module's queries as methods, built from
    ``self.scoped(tenant_id)`` (or ``self.unscoped()``) and run with the helpers below.
    """

    model: ClassVar[type[Any]]

    def __init__(self, session: ReadSession) -> None:
        self.session = session

    @property
    def writer(self) -> WriteSession:
        """The session, when it may write (a read session raises)."""
        if not isinstance(self.session, WriteSession):
            raise ReadOnlySessionError(f"{type(self).__name__} was built on a read session")
        return self.session

    def scoped(self, tenant_id: UUID) -> Select[Any]:
        """``SELECT model WHERE tenant_id = :tenant_id``, to refine."""
        return self.unscoped().where(self.model.tenant_id == tenant_id)

    def unscoped(self) -> Select[Any]:
        """``SELECT model``: for a model without a tenant, or a job working across tenants
        (say why in the method's docstring)."""
        return sa.select(self.model)

    async def get(self, tenant_id: UUID, id_: UUID) -> M | None:
        """The row of this tenant with this id, or None (another tenant's row is None too)."""
        return await self.get_one_or_none(self.scoped(tenant_id).where(self.model.id == id_))

    async def get_for_update(self, tenant_id: UUID, id_: UUID) -> M | None:
        """The row, locked until the end of the transaction (``SELECT ... FOR UPDATE``).

        The concurrency-control pattern for an aggregate two requests must not write at once:
        lock the aggregate's row first, then read what depends on it. A second writer waits
        for the first to commit and then reads the committed state. SQLite ignores FOR UPDATE
        but serialises writers; the two-writer tests run on PostgreSQL.
        """
        query = self.scoped(tenant_id).where(self.model.id == id_).with_for_update()
        return cast("M | None", await self.writer.scalar(query))

    async def lock_all(self, query: Select[Any], *, skip_locked: bool = False) -> list[M]:
        """The rows of ``query``, locked until the end of the transaction. ``skip_locked``
        leaves out the rows another transaction holds: how several workers share a batch
        (each claims what the others have not)."""
        locked = query.with_for_update(skip_locked=skip_locked)
        return cast("list[M]", list(await self.writer.scalars(locked)))

    async def get_one_or_none(self, query: Select[Any]) -> M | None:
        """The one row of ``query``, or None; more than one is a programming error (raises)."""
        return cast("M | None", (await self.session.scalars(query.limit(2))).one_or_none())

    async def all(self, query: Select[Any]) -> list[M]:
        """Every row of ``query``: only for queries bounded by construction (a household's
        children); a list a user pages through uses ``paginate``."""
        return cast("list[M]", list(await self.session.scalars(query)))

    async def window(
        self, query: Select[Any], *, limit: int = DEFAULT_LIMIT, offset: int = 0
    ) -> list[M]:
        """The rows of one page of ``query``, without counting the others (bounded)."""
        _check_bounds(limit, offset)
        return cast("list[M]", list(await self.session.scalars(query.limit(limit).offset(offset))))

    async def paginate(
        self, query: Select[Any], *, limit: int = DEFAULT_LIMIT, offset: int = 0
    ) -> Page[M]:
        """One page of ``query`` and the total count (bounded: see MAX_LIMIT, MAX_OFFSET)."""
        _check_bounds(limit, offset)
        total = await self.session.scalar(
            sa.select(sa.func.count()).select_from(query.order_by(None).subquery())
        )
        items = cast("list[M]", list(await self.session.scalars(query.limit(limit).offset(offset))))
        return Page(items=items, total=int(total or 0), limit=limit, offset=offset)

    async def add(self, item: M) -> M:
        self.writer.add(item)
        await self.writer.flush()
        return item

    async def add_all(self, items: Sequence[M]) -> None:
        self.writer.add_all(items)
        await self.writer.flush()

    async def save(self, item: M) -> M:
        """Flush the changes made to a loaded row (it is already in the session)."""
        self.writer.add(item)
        await self.writer.flush()
        return item

    async def delete(self, item: M) -> None:
        await self.writer.delete(item)
        await self.writer.flush()


def _check_bounds(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_LIMIT or not 0 <= offset <= MAX_OFFSET:
        raise ValueError(f"page out of bounds: limit={limit}, offset={offset}")
