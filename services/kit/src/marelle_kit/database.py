"""Engine and sessions, one database per service: SQLite embedded, PostgreSQL distributed.

Two session types. A ``WriteSession`` is one unit of work (a request, a consumed message, a
job's transaction), committed at the edge. A ``ReadSession`` only reads: GET endpoints that
change nothing, reports, read models. On PostgreSQL its transaction is ``READ ONLY`` (the
server refuses any write); on every backend flushing a change through it raises. A
``WriteSession`` is a ``ReadSession`` too, so read helpers accept both; code that writes asks
for a ``WriteSession`` and the type checker refuses it a read session.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import MetaData, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session, registry

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_registry() -> registry:
    """A registry (and metadata) of a service's own: in embedded mode several services share one
    process, and each must create and migrate only its own tables."""
    return registry(metadata=MetaData(naming_convention=NAMING_CONVENTION))


def async_url(url: str) -> str:
    """Accept plain ``postgresql://`` and ``sqlite:///`` URLs and pick the async driver."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    elif parsed.drivername == "sqlite":
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    return parsed.render_as_string(hide_password=False)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


class ReadOnlySessionError(RuntimeError):
    """Something tried to write through a read session."""


class _ReadOnlySyncSession(Session):
    def flush(self, objects: Any = None) -> None:
        if self.new or self.dirty or self.deleted:
            raise ReadOnlySessionError("a read session cannot write: ask for a WriteSession")
        super().flush(objects)


class ReadSession(AsyncSession):
    """A session that only reads (see the module's docstring)."""

    sync_session_class: type[Session] = _ReadOnlySyncSession


class WriteSession(ReadSession):
    """A session that reads and writes: one unit of work, committed by whoever opened it."""

    sync_session_class = Session


class Database:
    """Engine plus session factory for one service's database."""

    def __init__(self, url: str, *, pool_size: int = 10, echo: bool = False) -> None:
        self.url = async_url(url)
        kwargs: dict[str, Any] = {"echo": echo}
        if is_sqlite(self.url):
            # Opening a SQLite connection (a thread, the pragmas) costs more than most queries:
            # keep a few open. Writers are serialised by SQLite; busy_timeout makes them wait.
            kwargs.update(pool_size=5, max_overflow=5)
        else:
            kwargs.update(pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)
        self.engine: AsyncEngine = create_async_engine(self.url, **kwargs)
        if is_sqlite(self.url):
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self.sessionmaker = async_sessionmaker(
            self.engine, class_=WriteSession, expire_on_commit=False
        )
        # The same pool; on PostgreSQL every transaction of a read session is READ ONLY.
        read_engine = (
            self.engine
            if is_sqlite(self.url)
            else self.engine.execution_options(postgresql_readonly=True)
        )
        self.read_sessionmaker = async_sessionmaker(
            read_engine, class_=ReadSession, expire_on_commit=False
        )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[WriteSession]:
        """One unit of work: commits on success, rolls back on any exception."""
        async with self.sessionmaker() as session, session.begin():
            yield session

    @asynccontextmanager
    async def read(self) -> AsyncIterator[ReadSession]:
        """A read-only transaction, rolled back at the end (there is nothing to commit)."""
        async with self.read_sessionmaker() as session:
            yield session  # closing the session rolls its transaction back

    async def ping(self) -> None:
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()
