"""Fixtures of the family-service tests: the service on a fresh SQLite database (a copy of the
migrated template) and the record factories."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from uuid import UUID

import pytest

from marelle_family.service import definition
from marelle_testkit.databases import sqlite_url
from marelle_testkit.plugin import ServiceUnderTest, service_under_test
from marelle_testkit.tokens import TokenFactory

from factories import FamilyFactory

NewTenant = Callable[[str], Awaitable[UUID]]


@pytest.fixture
async def family(tmp_path: Path, tokens: TokenFactory) -> AsyncIterator[ServiceUnderTest]:
    async with service_under_test(definition, sqlite_url(tmp_path, "family"), tokens) as svc:
        yield svc


@pytest.fixture
def factory(family: ServiceUnderTest, tokens: TokenFactory) -> FamilyFactory:
    return FamilyFactory(family, tokens)


@pytest.fixture
def new_tenant(factory: FamilyFactory) -> NewTenant:
    return factory.tenant
