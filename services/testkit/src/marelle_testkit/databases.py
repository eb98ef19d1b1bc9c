"""Fresh databases per test: a SQLite file, or a new PostgreSQL database dropped afterwards."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from uuid import uuid4

import asyncpg
from sqlalchemy.engine import make_url


def sqlite_url(directory: Path, name: str) -> str:
    return f"sqlite:///{directory / f'{name}.sqlite3'}"


@asynccontextmanager
async def postgres_database(admin_url: str, prefix: str = "test") -> AsyncIterator[str]:
    """Create ``<prefix>_<random>`` on the server of ``admin_url``; yield its URL; drop it."""
    admin = make_url(admin_url).set(drivername="postgresql")
    name = f"{prefix}_{uuid4().hex[:12]}"
    dsn = admin.render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        for _ in range(3):
            connection = await asyncpg.connect(dsn)
            try:
                await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                break
            except asyncpg.PostgresError:
                await asyncio.sleep(0.5)
            finally:
                await connection.close()
