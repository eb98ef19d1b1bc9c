"""Fixtures of the auth-service tests: the service on a fresh SQLite database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from marelle_auth.service import definition
from marelle_testkit.databases import sqlite_url
from marelle_testkit.plugin import ServiceUnderTest, service_under_test
from marelle_testkit.tokens import TokenFactory


@pytest.fixture
async def auth(tmp_path: Path, tokens: TokenFactory) -> AsyncIterator[ServiceUnderTest]:
    async with service_under_test(definition, sqlite_url(tmp_path, "auth"), tokens) as svc:
        yield svc
