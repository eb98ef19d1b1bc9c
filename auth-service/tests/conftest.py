"""Fixtures of the auth-service tests: the service on a fresh SQLite database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from uuid import uuid4

import pytest

from marelle_auth.service import definition
from marelle_contracts import GuardianAdded
from marelle_testkit.databases import sqlite_url
from marelle_testkit.plugin import ServiceUnderTest, service_under_test
from marelle_testkit.sealing import TEST_LINK_KEYS, TestLinkKeys
from marelle_testkit.tokens import TokenFactory

from oidc_client import HEADERS, PASSWORD, TENANT


@pytest.fixture(scope="session")
def link_keys() -> TestLinkKeys:
    return TEST_LINK_KEYS


@pytest.fixture
async def auth(
    tmp_path: Path, tokens: TokenFactory, link_keys: TestLinkKeys, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[ServiceUnderTest]:
    monkeypatch.setenv("MARELLE_AUTH_LINK_KEYS", link_keys.env)
    async with service_under_test(definition, sqlite_url(tmp_path, "auth"), tokens) as svc:
        yield svc


@pytest.fixture
async def parent(auth: ServiceUnderTest, link_keys: TestLinkKeys) -> GuardianAdded:
    """A guardian whose password is set, through the real flow."""
    event = GuardianAdded(
        household_id=uuid4(),
        guardian_id=uuid4(),
        rank=1,
        first_name="Anne",
        last_name="Roy",
        email="anne.roy@exemple.fr",
    )
    await auth.deliver(event, tenant_id=TENANT, key=event.household_id)
    await auth.client.post("/password/links", json={"email": event.email}, headers=HEADERS)
    token = link_keys.token_of((await auth.published())[-1])
    body = {"password": PASSWORD, "confirmation": PASSWORD}
    response = await auth.client.post(
        f"/password/links/{token}/password", json=body, headers=HEADERS
    )
    assert response.status_code == 204
    return event
