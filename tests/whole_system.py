"""End-to-end harness: the whole system (all services and the gateway) started in this process
on free ports, embedded (SQLite + in-process events) or distributed (PostgreSQL + Kafka + Redis),
with a JWKS served locally so the gateway and the services verify test tokens for real."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import socket
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

import httpx
import uvicorn
from aiosmtpd.controller import Controller
from celery.beat import EmbeddedService
from celery.contrib.testing.worker import start_worker
from fastapi import FastAPI
from sqlalchemy.engine import make_url
from sqlmodel import select

from marelle_auth.models import Account
from marelle_auth.passwords.hashing import hash_password
from marelle_embedded import runner
from marelle_kit.database import is_sqlite
from marelle_kit.jobs.distributed import celery_app
from marelle_mailing.service import definition as mailing
from marelle_mailing.settings import MailingSettings
from marelle_testkit.databases import migrated_sqlite
from marelle_testkit.tokens import TokenFactory

SERVICES = ("auth", "family", "booking", "billing", "mailing")


class SmtpCatcher:
    """A real SMTP server (aiosmtpd) on loopback that keeps what it receives."""

    def __init__(self) -> None:
        self.port = free_port()
        self.messages: list[EmailMessage] = []
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        parsed = message_from_bytes(envelope.content, policy=default_policy)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 OK"

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()


SCREENSHOTS = Path(__file__).resolve().parents[1] / "docs" / "screenshots"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


async def serve_jwks(tokens: TokenFactory, stack: AsyncExitStack, env: dict[str, str]) -> None:
    """The JWKS the system verifies with: the test key (tokens made by the tests) and the
    auth-service's own keys (tokens it issues at login)."""
    app = FastAPI()
    auth_jwks = f"http://127.0.0.1:{env['MARELLE_AUTH_PORT']}/.well-known/jwks.json"

    @app.get("/jwks.json")
    async def jwks() -> dict[str, object]:
        keys = list(tokens.jwks["keys"])
        async with httpx.AsyncClient(timeout=3) as client:
            with contextlib.suppress(httpx.HTTPError):
                keys += (await client.get(auth_jwks)).json()["keys"]
        return {"keys": keys}

    port = int(env["MARELLE_JWKS_URL"].split(":")[2].split("/")[0])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())

    async def stop() -> None:
        server.should_exit = True
        await task

    stack.push_async_callback(stop)
    while not server.started:
        await asyncio.sleep(0.02)


@dataclass
class RunningSystem:
    portal: str
    client: httpx.AsyncClient
    system: runner.EmbeddedSystem
    data_dir: Path

    def runtime(self, name: str) -> runner.ServiceRuntime:
        return next(rt for rt in self.system.runtimes if rt.name == name)


@contextlib.asynccontextmanager
async def start_system(env: dict[str, str]) -> AsyncIterator[RunningSystem]:
    with environment(env):
        system = runner.build_system()
        mail_workers = celery_mail_jobs()
    for rt in system.runtimes:
        # A new SQLite database starts as a copy of the migrated template (the migrations
        # then find it at head); PostgreSQL ones are migrated by the runner as in production.
        url = rt.database.url
        if is_sqlite(url) and not Path(str(make_url(url).database)).exists():
            await migrated_sqlite(rt.definition, url)
    await runner.prepare(system)
    ready, stop = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(runner.serve(system, ready, stop))
    waiter = asyncio.create_task(ready.wait())
    await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        task.result()
    async with httpx.AsyncClient(base_url=system.portal_url, timeout=10) as client:
        try:
            with mail_workers:
                yield RunningSystem(
                    system.portal_url, client, system, Path(env["MARELLE_DATA_DIR"])
                )
        finally:
            stop.set()
            await asyncio.wait_for(task, timeout=30)


def celery_mail_jobs() -> contextlib.AbstractContextManager[None]:
    """Distributed mode runs the mailing-service's jobs on Celery: a worker thread and beat,
    as ``python -m marelle_mailing jobs worker`` and ``jobs beat`` would, on this run's own
    queue. Called with the run's environment in place (the settings are read now)."""
    settings = MailingSettings()
    if settings.resolved_job_runner != "celery":
        return contextlib.nullcontext()
    app = celery_app(mailing.name, settings, mailing.all_jobs)

    @contextlib.contextmanager
    def running() -> Iterator[None]:
        beat = EmbeddedService(
            app, max_interval=0.2, thread=True, scheduler_cls=app.conf.beat_scheduler
        )
        with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
            beat.start()
            try:
                yield
            finally:
                beat.stop()

    return running()


def base_env(data_dir: Path) -> dict[str, str]:
    gateway_port = free_port()
    env = {
        "MARELLE_DATA_DIR": str(data_dir),
        "MARELLE_JWKS_URL": f"http://127.0.0.1:{free_port()}/jwks.json",
        "MARELLE_GATEWAY_PORT": str(gateway_port),
        "MARELLE_MAILING_PORTAL_URL": f"http://127.0.0.1:{gateway_port}",
        "MARELLE_GATEWAY_PUBLIC_URL": f"http://127.0.0.1:{gateway_port}",
        "MARELLE_AUTH_PUBLIC_URL": f"http://127.0.0.1:{gateway_port}/api/auth",
        "MARELLE_AUTH_PORTAL_REDIRECT_URIS": json.dumps(
            [
                f"http://127.0.0.1:{gateway_port}/auth/callback",
                f"http://127.0.0.1:{gateway_port}/admin/connexion/retour",
            ]
        ),
        "MARELLE_GATEWAY_DEFAULT_TENANT_SLUG": "demo",
    }
    for service in SERVICES:
        env[f"MARELLE_{service.upper()}_PORT"] = str(free_port())
    # Password-link tokens are sealed to the mailing-service's key, fetched from its JWKS.
    env["MARELLE_AUTH_LINK_KEYS_URL"] = (
        f"http://127.0.0.1:{env['MARELLE_MAILING_PORT']}/.well-known/link-keys.json"
    )
    return env


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the form carries a CSRF token"
    return match.group(1)


async def login(
    system: RunningSystem, email: str, password: str, page_path: str = "/"
) -> httpx.Response:
    """Fill the login form (portal home or back office) and follow the OIDC redirects. The
    portal's form posts to the provider through the gateway, the back office's to itself."""
    page = await system.client.get(page_path)
    assert page.status_code == 200
    action = re.search(r'<form method="post" action="([^"]+)"', page.text)
    assert action and action.group(1) in ("/api/auth/oauth/authorize", "/admin/connexion")
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    assert fields["code_challenge_method"] == "S256" and fields["state"]
    answer = await system.client.post(
        action.group(1), data={**fields, "email": email, "password": password}
    )
    assert answer.status_code == 303, answer.text
    callback = await system.client.get(answer.headers["location"])
    if callback.status_code != 303:
        return callback
    return await system.client.get(callback.headers["location"])


async def give_password(system: RunningSystem, email: str, password: str) -> None:
    """Test setup for journeys after the first login (tested on its own): wait for the
    auth-service to open the guardian's account, then set its password directly."""
    auth = system.runtime("auth")
    for _ in range(100):
        async with auth.database.transaction() as session:
            account = await session.scalar(select(Account).where(Account.email == email))  # type: ignore[arg-type]
            if account is not None:
                account.password_hash = await hash_password(password)
                session.add(account)
                return
        await asyncio.sleep(0.05)
    raise AssertionError(f"no account opened for {email}")
