"""Fixtures for the end-to-end tests (see whole_system.py for the harness)."""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack
from pathlib import Path
from uuid import uuid4

import pytest

from marelle_testkit.databases import postgres_database
from marelle_testkit.servers import servers_required
from marelle_testkit.tokens import TokenFactory

from whole_system import SERVICES, SmtpCatcher, base_env, serve_jwks


@pytest.fixture
async def embedded_env(tmp_path: Path, tokens: TokenFactory) -> AsyncIterator[dict[str, str]]:
    async with AsyncExitStack() as stack:
        env = base_env(tmp_path / "data")
        await serve_jwks(tokens, stack, env)
        env["MARELLE_MODE"] = "embedded"
        yield env


@pytest.fixture
async def distributed_env(
    tmp_path: Path,
    tokens: TokenFactory,
    postgres_admin_url: str,
    kafka_bootstrap: str,
    redis_url: str,
    smtp: SmtpCatcher,
) -> AsyncIterator[dict[str, str]]:
    async with AsyncExitStack() as stack:
        env = base_env(tmp_path / "data")
        await serve_jwks(tokens, stack, env)
        env.update(
            {
                "MARELLE_MODE": "distributed",
                "MARELLE_KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
                "MARELLE_KAFKA_TOPIC_PREFIX": f"e2e{uuid4().hex[:8]}.",
                "MARELLE_REDIS_URL": redis_url,
                # Each run its own counters: earlier runs' failed logins must not throttle it.
                "MARELLE_REDIS_KEY_PREFIX": f"e2e{uuid4().hex[:8]}:",
                "MARELLE_JOB_QUEUE_PREFIX": f"e2e{uuid4().hex[:8]}-",
                "MARELLE_GATEWAY_SECRET_KEY": secrets.token_urlsafe(32),
                "MARELLE_MAILING_SMTP_HOST": "127.0.0.1",
                "MARELLE_MAILING_SMTP_PORT": str(smtp.port),
            }
        )
        for service in SERVICES:
            url = await stack.enter_async_context(postgres_database(postgres_admin_url, service))
            env[f"MARELLE_{service.upper()}_DATABASE_URL"] = url
        yield env


@pytest.fixture
def smtp() -> Iterator[SmtpCatcher]:
    catcher = SmtpCatcher()
    catcher.start()
    try:
        yield catcher
    finally:
        catcher.stop()


CHROMIUM = os.environ.get("MARELLE_CHROMIUM", "/usr/bin/chromium")
# This machine's network is closed: Chromium must not try to phone home (see the env notes).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
async def browser() -> AsyncIterator[object]:
    if not shutil.which(CHROMIUM):
        if servers_required():
            pytest.fail(f"Chromium not found at {CHROMIUM}", pytrace=False)
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            await chromium.close()
