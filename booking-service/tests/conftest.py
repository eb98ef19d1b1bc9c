"""Fixtures of the booking-service tests: the service on a fresh database (SQLite, or
PostgreSQL for the concurrency tests), a town, a set clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path

import pytest

from marelle_booking.service import definition
from marelle_testkit.databases import postgres_database, sqlite_url
from marelle_testkit.plugin import ServiceUnderTest, service_under_test
from marelle_testkit.tokens import TokenFactory

from booking_town import Clock, Town, make_town


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture
async def booking(
    tmp_path: Path, tokens: TokenFactory, clock: Clock
) -> AsyncIterator[ServiceUnderTest]:
    async with service_under_test(definition, sqlite_url(tmp_path, "booking"), tokens) as svc:
        yield svc


@pytest.fixture(params=["sqlite", "postgresql"])
async def any_booking(
    request: pytest.FixtureRequest, tmp_path: Path, tokens: TokenFactory, clock: Clock
) -> AsyncIterator[ServiceUnderTest]:
    """The same test on both databases (PostgreSQL skipped without a server)."""
    async with AsyncExitStack() as stack:
        if request.param == "sqlite":
            url = sqlite_url(tmp_path, "booking")
        else:
            admin = request.getfixturevalue("postgres_admin_url")
            url = await stack.enter_async_context(postgres_database(admin, "booking"))
        yield await stack.enter_async_context(service_under_test(definition, url, tokens))


@pytest.fixture
async def pg_booking(
    postgres_admin_url: str, tokens: TokenFactory, clock: Clock
) -> AsyncIterator[ServiceUnderTest]:
    async with (
        postgres_database(postgres_admin_url, "booking") as url,
        service_under_test(definition, url, tokens) as svc,
    ):
        yield svc


@pytest.fixture
async def town(booking: ServiceUnderTest) -> Town:
    return await make_town(booking)
