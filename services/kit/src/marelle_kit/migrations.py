"""Alembic, shared: each service keeps its own ``migrations/`` whose env.py calls ``run_env``.

Migrations run as their own step (``python -m marelle_<service> migrate``, or the embedded
runner before it starts the apps), never at import.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import sqlalchemy as sa
from alembic import command, context, op
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


# Prefixes of marelle_kit.database.NAMING_CONVENTION: a table's own constraints and indexes are
# named "<prefix>_<table>[_...]".
_NAME_PREFIXES = ("pk", "uq", "ix", "fk", "ck")


def _renamed(name: str, old: str, new: str) -> str:
    for prefix in _NAME_PREFIXES:
        head = f"{prefix}_{old}"
        if name == head or name.startswith(head + "_"):
            return f"{prefix}_{new}{name[len(head) :]}"
    return name


def rename_table(old: str, new: str) -> None:
    """In a migration: rename a table and every constraint and index named after it (the
    naming convention), on PostgreSQL and on SQLite. Foreign keys of *other* tables pointing
    at it keep working on both (they follow the rename) but keep their names: rename a table
    that others reference only with a migration of theirs too."""
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    primary = inspector.get_pk_constraint(old)
    uniques = inspector.get_unique_constraints(old)
    foreign = inspector.get_foreign_keys(old)
    indexes = [i for i in inspector.get_indexes(old) if not i.get("duplicates_constraint")]
    op.rename_table(old, new)
    if bind.dialect.name == "postgresql":
        named = [primary.get("name"), *(u["name"] for u in uniques), *(f["name"] for f in foreign)]
        for name in filter(None, named):
            target = _renamed(name, old, new)
            if target != name:
                op.execute(f'ALTER TABLE "{new}" RENAME CONSTRAINT "{name}" TO "{target}"')
        for index in indexes:
            target = _renamed(index["name"] or "", old, new)
            if target != index["name"]:
                op.execute(f'ALTER INDEX "{index["name"]}" RENAME TO "{target}"')
        return
    # SQLite keeps constraint names inside the table's definition: the table is copied with
    # the new names (batch mode), and its indexes are made again under theirs.
    for index in indexes:
        assert index["name"] is not None
        op.drop_index(index["name"], table_name=new)
    with op.batch_alter_table(new, recreate="always") as batch:
        for unique in uniques:
            if unique["name"] and _renamed(unique["name"], old, new) != unique["name"]:
                batch.drop_constraint(unique["name"], type_="unique")
                batch.create_unique_constraint(
                    _renamed(unique["name"], old, new), unique["column_names"]
                )
        for key in foreign:
            target = _renamed(key["name"] or "", old, new)
            if key["name"] and target != key["name"]:
                batch.drop_constraint(key["name"], type_="foreignkey")
                batch.create_foreign_key(
                    target,
                    key["referred_table"],
                    key["constrained_columns"],
                    key["referred_columns"],
                )
        pk_name = _renamed(primary.get("name") or "", old, new)
        if primary.get("constrained_columns") and pk_name != primary.get("name"):
            batch.create_primary_key(pk_name, primary["constrained_columns"])
    for index in indexes:
        assert index["name"] is not None
        columns = [column for column in index["column_names"] if column is not None]
        op.create_index(
            _renamed(index["name"], old, new), new, columns, unique=bool(index["unique"])
        )
