"""The rename to snake_case table names keeps every row, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from marelle_family.service import definition
from marelle_kit.database import async_url
from marelle_kit.migrations import upgrade
from marelle_testkit.databases import postgres_database, sqlite_url

BEFORE_RENAME = "9d572efaff05"
RENAMED = {
    "authorisedcontact": "authorised_contact",
    "changerequest": "change_request",
    "childrecordread": "child_record_read",
    "documentblob": "document_blob",
    "householdbalance": "household_balance",
}


@pytest.fixture(params=["sqlite", "postgresql"])
async def url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    async with AsyncExitStack() as stack:
        if request.param == "sqlite":
            yield sqlite_url(tmp_path, "family")
        else:
            admin = request.getfixturevalue("postgres_admin_url")
            yield await stack.enter_async_context(postgres_database(admin, "family_rename"))


def _value(column: sa.Column[Any], ids: dict[str, UUID]) -> Any:
    """A value for a NOT NULL column of the old schema (foreign keys point at ``ids``)."""
    for key in column.foreign_keys:
        return ids[key.column.table.name]
    if column.name == "id":
        return ids[column.table.name]
    if column.name in ("tenant_id", "household_id", "child_id"):
        return ids[column.name.removesuffix("_id")]
    kind = column.type
    if isinstance(kind, sa.Uuid):
        return uuid4()
    if isinstance(kind, sa.Boolean):
        return False
    if isinstance(kind, sa.Integer):
        return 1
    if isinstance(kind, sa.DateTime):
        return datetime(2026, 11, 1, tzinfo=UTC)
    if isinstance(kind, sa.Date):
        return date(2018, 5, 14)
    if isinstance(kind, sa.JSON):
        return {"phone": "0601020304"}
    if isinstance(kind, sa.LargeBinary):
        return b"%PDF-1.4"
    return "x"


async def test_renaming_the_tables_keeps_their_rows(url: str) -> None:
    await asyncio.to_thread(upgrade, definition.migrations, definition.metadata, url, BEFORE_RENAME)
    tables = ["tenant", "household", "child", *RENAMED]
    ids = {name: uuid4() for name in tables}
    engine = create_async_engine(async_url(url))
    try:
        async with engine.begin() as connection:
            old = sa.MetaData()
            await connection.run_sync(lambda sync: old.reflect(sync, only=tables))
            for name in tables:
                table = old.tables[name]
                row = {
                    column.name: _value(column, ids)
                    for column in table.columns
                    if not column.nullable or column.primary_key
                }
                if name == "householdbalance":
                    row["household_id"] = ids["household"]
                if connection.dialect.name == "sqlite":  # reflected as CHAR(32): hex digits
                    row = {k: v.hex if isinstance(v, UUID) else v for k, v in row.items()}
                await connection.execute(table.insert().values(**row))
        await asyncio.to_thread(upgrade, definition.migrations, definition.metadata, url)
        async with engine.connect() as connection:
            names = set(await connection.run_sync(lambda sync: sa.inspect(sync).get_table_names()))
            assert set(RENAMED.values()) <= names and not set(RENAMED) & names
            for new in RENAMED.values():
                table = sa.table(new)
                count = await connection.scalar(sa.select(sa.func.count()).select_from(table))
                assert count == 1, new
    finally:
        await engine.dispose()
