"""The repository base and the two session types, on SQLite and PostgreSQL; the row-lock
pattern with its two-writer test on PostgreSQL (the example every aggregate follows)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path
from uuid import UUID, uuid4

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy.exc import DBAPIError, MultipleResultsFound
from sqlmodel import Field, SQLModel, col

from marelle_kit.database import (
    Database,
    ReadOnlySessionError,
    ReadSession,
    WriteSession,
    new_registry,
)
from marelle_kit.errors import install_problem_handlers
from marelle_kit.repository import MAX_LIMIT, MAX_OFFSET, Repository
from marelle_kit.unit_of_work import ReadSessionDep, SessionDep, transactional_router
from marelle_testkit.databases import postgres_database, sqlite_url

TENANT, OTHER = UUID(int=1), UUID(int=2)


class ProbeModel(SQLModel, registry=new_registry()):
    pass


class Counter(ProbeModel, table=True):
    __tablename__ = "counter"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    tenant_id: UUID = Field(index=True)
    name: str = Field(max_length=40)
    value: int = Field(default=0)


class CounterRepository(Repository[Counter]):
    model = Counter

    async def named(self, tenant_id: UUID, name: str) -> Counter | None:
        return await self.get_one_or_none(self.scoped(tenant_id).where(col(Counter.name) == name))

    async def of_tenant(self, tenant_id: UUID, *, limit: int, offset: int) -> list[Counter]:
        query = self.scoped(tenant_id).order_by(col(Counter.name))
        return await self.window(query, limit=limit, offset=offset)


@pytest.fixture(params=["sqlite", "postgresql"])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    async with AsyncExitStack() as stack:
        if request.param == "sqlite":
            url = sqlite_url(tmp_path, "repository")
        else:
            admin = request.getfixturevalue("postgres_admin_url")
            url = await stack.enter_async_context(postgres_database(admin, "repository"))
        db = Database(url)
        async with db.engine.begin() as connection:
            await connection.run_sync(ProbeModel.metadata.create_all)
        try:
            yield db
        finally:
            await db.dispose()


async def add_counters(db: Database, tenant_id: UUID, *names: str) -> list[Counter]:
    async with db.transaction() as session:
        counters = [Counter(tenant_id=tenant_id, name=name) for name in names]
        await CounterRepository(session).add_all(counters)
        return counters


async def test_reads_are_scoped_to_the_tenant(database: Database) -> None:
    [mine] = await add_counters(database, TENANT, "repas")
    [theirs] = await add_counters(database, OTHER, "repas")
    async with database.read() as session:
        counters = CounterRepository(session)
        assert (await counters.get(TENANT, mine.id)).name == "repas"  # type: ignore[union-attr]
        assert await counters.get(TENANT, theirs.id) is None
        assert (await counters.named(OTHER, "repas")).id == theirs.id  # type: ignore[union-attr]


async def test_one_or_none_refuses_two_rows(database: Database) -> None:
    await add_counters(database, TENANT, "a", "b")
    async with database.read() as session:
        with pytest.raises(MultipleResultsFound):
            await CounterRepository(session).get_one_or_none(
                sa.select(Counter).where(col(Counter.tenant_id) == TENANT)
            )


async def test_pages_are_bounded_and_counted(database: Database) -> None:
    await add_counters(database, TENANT, *(f"c{i:02d}" for i in range(7)))
    await add_counters(database, OTHER, "elsewhere")
    async with database.read() as session:
        counters = CounterRepository(session)
        query = counters.scoped(TENANT).order_by(col(Counter.name))
        page = await counters.paginate(query, limit=3, offset=3)
        assert [c.name for c in page.items] == ["c03", "c04", "c05"]
        assert (page.total, page.has_more) == (7, True)
        last = await counters.paginate(query, limit=3, offset=6)
        assert [c.name for c in last.items] == ["c06"] and not last.has_more
        assert [c.name for c in await counters.of_tenant(TENANT, limit=2, offset=0)] == [
            "c00",
            "c01",
        ]
        for limit, offset in ((0, 0), (MAX_LIMIT + 1, 0), (10, -1), (10, MAX_OFFSET + 1)):
            with pytest.raises(ValueError, match="out of bounds"):
                await counters.paginate(query, limit=limit, offset=offset)
            with pytest.raises(ValueError, match="out of bounds"):
                await counters.window(query, limit=limit, offset=offset)


async def test_a_read_session_cannot_write(database: Database) -> None:
    [counter] = await add_counters(database, TENANT, "repas")
    async with database.read() as session:
        assert isinstance(session, ReadSession) and not isinstance(session, WriteSession)
        counters = CounterRepository(session)
        with pytest.raises(ReadOnlySessionError):
            await counters.add(Counter(tenant_id=TENANT, name="new"))
        with pytest.raises(ReadOnlySessionError):
            await counters.get_for_update(TENANT, counter.id)
        loaded = await counters.get(TENANT, counter.id)
        assert loaded is not None
        loaded.value = 5
        with pytest.raises(ReadOnlySessionError):
            await session.flush()
    async with database.read() as session:
        assert (await CounterRepository(session).get(TENANT, counter.id)).value == 0  # type: ignore[union-attr]


async def test_on_postgresql_the_server_refuses_a_write_in_a_read_session(
    postgres_admin_url: str,
) -> None:
    async with postgres_database(postgres_admin_url, "readonly") as url:
        db = Database(url)
        try:
            async with db.engine.begin() as connection:
                await connection.run_sync(ProbeModel.metadata.create_all)
            async with db.read() as session:
                with pytest.raises(DBAPIError, match="read-only transaction"):
                    await session.execute(
                        sa.insert(Counter).values(id=uuid4(), tenant_id=TENANT, name="x", value=0)
                    )
            async with db.transaction() as session:  # the pool's connections can still write
                await CounterRepository(session).add(Counter(tenant_id=TENANT, name="ok"))
        finally:
            await db.dispose()


async def increment(
    db: Database, counter_id: UUID, *, lock: bool, read: asyncio.Event, go_on: asyncio.Event
) -> None:
    """Read the counter, wait for the other writer to have read it too, write value + 1."""
    async with db.transaction() as session:
        counters = CounterRepository(session)
        if lock:
            counter = await counters.get_for_update(TENANT, counter_id)
        else:
            counter = await counters.get(TENANT, counter_id)
        assert counter is not None
        read.set()
        await go_on.wait()
        counter.value += 1
        await counters.save(counter)


async def two_writers(db: Database, counter_id: UUID, *, lock: bool) -> tuple[int, bool]:
    """Both writers in flight at once; returns the final value and whether the second one had
    to wait for the first one's commit before it could read."""
    first_read, first_go = asyncio.Event(), asyncio.Event()
    second_read, second_go = asyncio.Event(), asyncio.Event()
    first = asyncio.create_task(
        increment(db, counter_id, lock=lock, read=first_read, go_on=first_go)
    )
    await first_read.wait()
    second = asyncio.create_task(
        increment(db, counter_id, lock=lock, read=second_read, go_on=second_go)
    )
    try:
        await asyncio.wait_for(asyncio.shield(second_read.wait()), timeout=0.5)
        waited = False
    except TimeoutError:
        waited = True  # blocked at its SELECT ... FOR UPDATE while the first one is open
    first_go.set()
    await first
    second_go.set()
    await second
    async with db.read() as session:
        counter = await CounterRepository(session).get(TENANT, counter_id)
    assert counter is not None
    return counter.value, waited


async def test_two_writers_on_postgresql_the_row_lock_keeps_both_increments(
    postgres_admin_url: str,
) -> None:
    """The pattern's example: without the lock the second writer overwrites the first one's
    increment (lost update); with ``get_for_update`` it waits and sees it."""
    async with postgres_database(postgres_admin_url, "twowriters") as url:
        db = Database(url)
        try:
            async with db.engine.begin() as connection:
                await connection.run_sync(ProbeModel.metadata.create_all)
            [unlocked] = await add_counters(db, TENANT, "unlocked")
            [locked] = await add_counters(db, TENANT, "locked")
            # Without the lock both read 0 and both write 1: an increment is lost.
            assert await two_writers(db, unlocked.id, lock=False) == (1, False)
            # With it the second writer waits for the first commit, then reads 1 and writes 2.
            assert await two_writers(db, locked.id, lock=True) == (2, True)
        finally:
            await db.dispose()


def session_app(db: Database) -> FastAPI:
    class Runtime:
        database = db

        def outbox_committed(self) -> None:
            return None

    app = FastAPI()
    app.state.runtime = Runtime()
    install_problem_handlers(app)
    router = transactional_router()

    @router.get("/counters/{name}")
    async def read_counter(name: str, session: ReadSessionDep) -> dict[str, object]:
        counter = await CounterRepository(session).named(TENANT, name)
        return {"kind": type(session).__name__, "value": counter.value if counter else None}

    @router.post("/counters/{name}")
    async def bump(name: str, session: SessionDep) -> dict[str, object]:
        counters = CounterRepository(session)
        counter = await counters.named(TENANT, name) or Counter(tenant_id=TENANT, name=name)
        counter.value += 1
        await counters.save(counter)
        return {"kind": type(session).__name__, "value": counter.value}

    @router.post("/counters/{name}/sneaky")
    async def sneaky(name: str, session: ReadSessionDep) -> dict[str, object]:
        await CounterRepository(session).add(Counter(tenant_id=TENANT, name=name))
        return {}

    app.include_router(router)
    return app


async def test_routes_get_the_session_their_endpoint_asks_for(tmp_path: Path) -> None:
    db = Database(sqlite_url(tmp_path, "routes"))
    async with db.engine.begin() as connection:
        await connection.run_sync(ProbeModel.metadata.create_all)
    transport = ASGITransport(app=session_app(db), raise_app_exceptions=False)
    try:
        async with AsyncClient(transport=transport, base_url="http://svc") as client:
            assert (await client.post("/counters/repas")).json() == {
                "kind": "WriteSession",
                "value": 1,
            }
            assert (await client.get("/counters/repas")).json() == {
                "kind": "ReadSession",
                "value": 1,
            }
            assert (await client.post("/counters/gouter/sneaky")).status_code == 500
            assert (await client.get("/counters/gouter")).json()["value"] is None
    finally:
        await db.dispose()
