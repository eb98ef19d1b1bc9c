"""Fresh databases per test: a SQLite file, or a new PostgreSQL database dropped afterwards.

A service's schema is built once per test process (its migrations run on a template) and each
test gets a copy: a file copy on SQLite, ``CREATE DATABASE ... TEMPLATE`` on PostgreSQL. The
migrations themselves are tested once per service (test_schema_drift, the migration tests).
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from uuid import uuid4

import asyncpg
from sqlalchemy.engine import make_url

from marelle_kit.migrations import upgrade
from marelle_kit.runtime import ServiceDefinition


def sqlite_url(directory: Path, name: str) -> str:
    return f"sqlite:///{directory / f'{name}.sqlite3'}"


_sqlite_templates: dict[str, Path] = {}
_postgres_templates: dict[tuple[str, str], str] = {}


async def _migrate(definition: ServiceDefinition, url: str) -> None:
    await asyncio.to_thread(upgrade, definition.migrations, definition.metadata, url)


async def migrated_sqlite(definition: ServiceDefinition, url: str) -> None:
    """Make the SQLite file of ``url`` a migrated database of ``definition`` (a copy of this
    process's template, made on first use)."""
    # Tests of one process run one at a time: a plain cache is enough.
    template = _sqlite_templates.get(definition.name)
    if template is None:
        template = Path(tempfile.mkdtemp(prefix="marelle-templates-")) / definition.name
        await _migrate(definition, f"sqlite:///{template}")
        _sqlite_templates[definition.name] = template
    target = make_url(url).database
    assert target, url
    await asyncio.to_thread(shutil.copyfile, template, target)


async def _postgres_template(admin: str, definition: ServiceDefinition) -> str:
    key = (admin, definition.name)
    if key not in _postgres_templates:
        name = f"template_{definition.name}_{uuid4().hex[:12]}"
        connection = await asyncpg.connect(admin)
        try:
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()
        url = make_url(admin).set(database=name).render_as_string(hide_password=False)
        await _migrate(definition, url)
        _postgres_templates[key] = name
    return _postgres_templates[key]


async def drop_postgres_templates() -> None:
    """At the end of the run (the plugin calls it)."""
    for (admin, _service), name in list(_postgres_templates.items()):
        connection = await asyncpg.connect(admin)
        try:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await connection.close()
    _postgres_templates.clear()


@asynccontextmanager
async def postgres_database(
    admin_url: str, prefix: str = "test", *, migrated: ServiceDefinition | None = None
) -> AsyncIterator[str]:
    """Create ``<prefix>_<random>`` on the server of ``admin_url``; yield its URL; drop it.
    With ``migrated``, the database starts with that service's schema (from a template)."""
    admin = make_url(admin_url).set(drivername="postgresql")
    name = f"{prefix}_{uuid4().hex[:12]}"
    dsn = admin.render_as_string(hide_password=False)
    template = await _postgres_template(dsn, migrated) if migrated is not None else None
    connection = await asyncpg.connect(dsn)
    try:
        if template is None:
            await connection.execute(f'CREATE DATABASE "{name}"')
        else:
            await connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
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
