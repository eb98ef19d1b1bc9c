"""pytest plugin: real servers, fresh databases, tokens, service runtimes."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from marelle_kit.migrations import upgrade
from marelle_kit.runtime import ServiceDefinition
from marelle_testkit import servers
from marelle_testkit.tokens import TokenFactory


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    yield from servers.find_server(servers.POSTGRES_ENV, "PostgreSQL", servers.postgres_container)


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    yield from servers.find_server(servers.REDIS_ENV, "Redis", servers.redis_container)


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    yield from servers.find_server(servers.KAFKA_ENV, "Kafka", servers.kafka_container)


@pytest.fixture(scope="session")
def tokens() -> TokenFactory:
    return TokenFactory()


async def migrate(definition: ServiceDefinition, url: str) -> None:
    """Migrations are their own step, as in production (run in a thread: Alembic is blocking)."""
    await asyncio.to_thread(upgrade, definition.migrations, definition.metadata, url)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "data"
    directory.mkdir()
    return directory
