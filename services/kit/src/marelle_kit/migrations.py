"""Alembic, shared: each service keeps its own ``migrations/`` whose env.py calls ``run_env``.

Migrations run as their own step (``python -m marelle_<service> migrate``, or the embedded
runner before it starts the apps), never at import.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from marelle_kit.database import async_url


def alembic_config(migrations: Path, metadata: MetaData, url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations))
    config.attributes["metadata"] = metadata
    config.attributes["url"] = url
    return config


def upgrade(migrations: Path, metadata: MetaData, url: str, revision: str = "head") -> None:
    """Blocking; call it from a thread when an event loop is running."""
    command.upgrade(alembic_config(migrations, metadata, url), revision)


def autogenerate(migrations: Path, metadata: MetaData, url: str, message: str) -> None:
    command.revision(alembic_config(migrations, metadata, url), message=message, autogenerate=True)


def _configure(connection: Connection, metadata: MetaData) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,  # SQLite can only ALTER through table copies
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_online(metadata: MetaData, url: str) -> None:
    engine = create_async_engine(async_url(url), poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_configure, metadata)
            await connection.commit()
    finally:
        await engine.dispose()


def run_env() -> None:
    """Body of every service's ``migrations/env.py``."""
    attributes = context.config.attributes
    metadata: MetaData = attributes["metadata"]
    url: str = attributes["url"]
    asyncio.run(_run_online(metadata, url))
