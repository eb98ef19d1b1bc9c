"""Fixtures of the family-service tests: the service on a fresh SQLite database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from uuid import UUID

import pytest

from marelle_family.service import definition
from marelle_testkit.databases import sqlite_url
from marelle_testkit.plugin import ServiceUnderTest, service_under_test
from marelle_testkit.tokens import TokenFactory

NewTenant = Callable[[str], Awaitable[UUID]]


@pytest.fixture
async def family(tmp_path: Path, tokens: TokenFactory) -> AsyncIterator[ServiceUnderTest]:
    async with service_under_test(definition, sqlite_url(tmp_path, "family"), tokens) as svc:
        yield svc


@pytest.fixture
def new_tenant(family: ServiceUnderTest, tokens: TokenFactory) -> NewTenant:
    async def create(slug: str) -> UUID:
        response = await family.client.post(
            "/tenants",
            json={"slug": slug, "name": f"Mairie de {slug.title()}"},
            headers=tokens.headers(roles=["operator"]),
        )
        assert response.status_code == 201, response.text
        return UUID(response.json()["id"])

    return create
