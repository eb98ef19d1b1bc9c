"""Fixtures of the billing-service's tests: the service on a fresh SQLite database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from marelle_billing.service import definition
from marelle_testkit.databases import sqlite_url
from marelle_testkit.plugin import ServiceUnderTest, service_under_test
from marelle_testkit.tokens import TokenFactory

from billing_helpers import Town


@pytest.fixture
async def billing(
    tmp_path: Path, tokens: TokenFactory, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[ServiceUnderTest]:
    monkeypatch.setenv("MARELLE_BILLING_SECRETS_KEY", Fernet.generate_key().decode())
    monkeypatch.setenv("MARELLE_DATA_DIR", str(tmp_path / "data"))
    async with service_under_test(definition, sqlite_url(tmp_path, "billing"), tokens) as svc:
        yield svc


@pytest.fixture
async def town(billing: ServiceUnderTest, tokens: TokenFactory) -> Town:
    return await Town(billing, tokens).create()
