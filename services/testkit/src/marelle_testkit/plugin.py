"""pytest plugin: real servers, fresh databases, tokens, service runtimes."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from sqlalchemy.engine import make_url

from marelle_contracts import Event
from marelle_kit.app import create_service_app
from marelle_kit.clock import utcnow
from marelle_kit.database import is_sqlite
from marelle_kit.events import EventEnvelope
from marelle_kit.events.inprocess import InProcessTransport
from marelle_kit.ids import new_id
from marelle_kit.migrations import upgrade
from marelle_kit.runtime import ServiceDefinition, ServiceRuntime
from marelle_kit.security import TokenVerifier
from marelle_testkit import servers
from marelle_testkit.databases import drop_postgres_templates, migrated_sqlite
from marelle_testkit.tokens import AUDIENCE, ISSUER, TokenFactory


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    yield from servers.find_server(servers.POSTGRES_ENV, "PostgreSQL", servers.postgres_container)
    asyncio.run(drop_postgres_templates())


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


@dataclass
class ServiceUnderTest:
    runtime: ServiceRuntime
    client: httpx.AsyncClient
    app: FastAPI
    tokens: TokenFactory

    def accept_tokens_signed_by(self, jwks: dict[str, Any]) -> None:
        """Verify access tokens against these keys as well as the test keys."""
        merged = {"keys": [*self.tokens.jwks["keys"], *jwks["keys"]]}
        self.app.state.token_verifier = TokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks=merged)

    async def published(self) -> list[dict[str, Any]]:
        """The envelopes this service wrote to its outbox, in publication order."""
        outbox = self.runtime.definition.tables.outbox
        async with self.runtime.database.transaction() as session:
            rows = await session.scalars(sa.select(outbox.c.envelope).order_by(outbox.c.position))
            return [json.loads(row) for row in rows]

    async def deliver(self, event: Event, *, tenant_id: UUID, key: UUID | str) -> None:
        """Hand the service's consumer a fact, as the transport would."""
        await self.runtime.consumer.deliver(
            EventEnvelope(
                id=new_id(),
                type=event.event_type,
                version=event.event_version,
                tenant_id=tenant_id,
                key=str(key),
                occurred_at=utcnow(),
                correlation_id="test",
                causation_id=None,
                payload=event.model_dump(mode="json"),
            )
        )


@asynccontextmanager
async def service_under_test(
    definition: ServiceDefinition, url: str, tokens: TokenFactory, *, migrated: bool = False
) -> AsyncIterator[ServiceUnderTest]:
    """A migrated service app on its own database, called in-process; its relay is not running,
    so the tests read its outbox to see what it published. A new SQLite file gets a copy of the
    migrated template; ``migrated=True`` says the database already has its schema (a
    PostgreSQL database made with ``postgres_database(..., migrated=definition)``)."""
    settings = definition.settings_class(database_url=url)
    runtime = ServiceRuntime(
        definition, settings, transport=InProcessTransport(), token_verifier=tokens.verifier()
    )
    if not migrated:
        new_file = is_sqlite(url) and not await asyncio.to_thread(
            Path(str(make_url(url).database)).exists
        )
        if new_file:
            await migrated_sqlite(definition, url)
        else:
            await migrate(definition, runtime.database.url)
    if definition.startup is not None:
        await definition.startup(runtime)
    app = create_service_app(runtime, manage_runtime=False)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
            yield ServiceUnderTest(runtime, client, app, tokens)
    finally:
        await runtime.stop()
