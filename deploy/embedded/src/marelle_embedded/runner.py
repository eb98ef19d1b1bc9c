"""Runs every service and the gateway in one process, the same code as the distributed mode.

Each service keeps its own SQLite database file and its own HTTP port; events travel through one
in-process transport. Start-up order matters: migrations first (their own step), then every
consumer group is declared before any relay publishes, so no event is published to nobody.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
from collections.abc import Iterator
from dataclasses import dataclass

import uvicorn
from fastapi import FastAPI

from marelle_auth.service import definition as auth
from marelle_billing.service import definition as billing
from marelle_booking.service import definition as booking
from marelle_family.service import definition as family
from marelle_gateway.app import create_gateway_app
from marelle_gateway.settings import GatewaySettings
from marelle_kit.app import create_service_app
from marelle_kit.events.inprocess import InProcessTransport
from marelle_kit.migrations import upgrade
from marelle_kit.runtime import ServiceDefinition, ServiceRuntime
from marelle_kit.settings import Mode, PlatformSettings
from marelle_mailing.service import definition as mailing

log = logging.getLogger("marelle.embedded")

DEFINITIONS: tuple[ServiceDefinition, ...] = (auth, family, booking, billing, mailing)
DEMO_TENANT_SLUG = "demo"


class _Server(uvicorn.Server):
    """Several servers share one loop: the runner handles the signals for all of them."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@dataclass
class EmbeddedSystem:
    transport: InProcessTransport
    runtimes: list[ServiceRuntime]
    gateway_settings: GatewaySettings

    @property
    def portal_url(self) -> str:
        return f"http://{self.gateway_settings.host}:{self.gateway_settings.port}/"


def configure_environment() -> None:
    """Embedded defaults, overridable by the environment (ports, data directory)."""
    os.environ.setdefault("MARELLE_MODE", "embedded")
    auth_port = os.environ.setdefault("MARELLE_AUTH_PORT", "8101")
    os.environ.setdefault("MARELLE_JWKS_URL", f"http://127.0.0.1:{auth_port}/.well-known/jwks.json")
    os.environ.setdefault("MARELLE_GATEWAY_DEFAULT_TENANT_SLUG", DEMO_TENANT_SLUG)
    # One public address for the portal, known to the services that build links to it.
    gateway_port = os.environ.setdefault("MARELLE_GATEWAY_PORT", "8000")
    portal = os.environ.setdefault("MARELLE_GATEWAY_PUBLIC_URL", f"http://127.0.0.1:{gateway_port}")
    os.environ.setdefault("MARELLE_AUTH_PUBLIC_URL", f"{portal}/api/auth")
    # The portal's callback and the back office's (served at /admin by the gateway).
    os.environ.setdefault(
        "MARELLE_AUTH_PORTAL_REDIRECT_URIS",
        json.dumps([f"{portal}/auth/callback", f"{portal}/admin/connexion/retour"]),
    )
    os.environ.setdefault("MARELLE_MAILING_PORTAL_URL", portal)
    # Payment providers (the dummy test bank here) send payers and notifications back there.
    os.environ.setdefault("MARELLE_BILLING_PUBLIC_URL", f"{portal}/api/billing")
    os.environ.setdefault("MARELLE_BILLING_PORTAL_RETURN_URL", f"{portal}/factures/paiement/{{id}}")
    # The auth-service seals password-link tokens to the mailing-service's key (ADR 0017).
    mailing_port = os.environ.setdefault("MARELLE_MAILING_PORT", "8105")
    os.environ.setdefault(
        "MARELLE_AUTH_LINK_KEYS_URL", f"http://127.0.0.1:{mailing_port}/.well-known/link-keys.json"
    )


def build_system() -> EmbeddedSystem:
    """In embedded mode the services share one in-process transport; when the environment says
    distributed (tests of the distributed mode in one process), each gets its own Kafka client."""
    transport = InProcessTransport()
    shared = PlatformSettings().mode is Mode.EMBEDDED
    runtimes = [
        ServiceRuntime(definition, transport=transport if shared else None)
        for definition in DEFINITIONS
    ]
    gateway_settings = GatewaySettings()
    urls = {rt.name: f"http://{rt.settings.host}:{rt.settings.port}" for rt in runtimes}
    gateway_settings = gateway_settings.model_copy(
        update={f"{name}_url": url for name, url in urls.items()}
    )
    return EmbeddedSystem(transport, runtimes, gateway_settings)


async def prepare(system: EmbeddedSystem) -> None:
    for rt in system.runtimes:
        definition = rt.definition
        url = rt.settings.resolved_database_url(definition.name)
        await asyncio.to_thread(upgrade, definition.migrations, definition.metadata, url)
    for rt in system.runtimes:
        if rt.consumer.handlers and rt.transport is system.transport:
            system.transport.declare_group(rt.consumer.name, rt.consumer.topics)
    for rt in system.runtimes:
        await rt.start_consumer()
        await rt.start_relay()
        await rt.start_background()
    for rt in system.runtimes:
        if rt.definition.startup is not None:
            await rt.definition.startup(rt)
    # The family-service's demo tenant first: the others' demo data follow it through events.
    for rt in sorted(system.runtimes, key=lambda rt: rt.name != "family"):
        if rt.definition.seed is not None:
            await rt.definition.seed(rt)


def _server(app: FastAPI, host: str, port: int) -> _Server:
    return _Server(uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on"))


async def serve(
    system: EmbeddedSystem, ready: asyncio.Event | None = None, stop: asyncio.Event | None = None
) -> None:
    """Serve until a signal (or ``stop``) arrives, then stop servers, runtimes and transport."""
    servers = [
        _server(create_service_app(rt, manage_runtime=False), rt.settings.host, rt.settings.port)
        for rt in system.runtimes
    ]
    gateway = system.gateway_settings
    servers.append(_server(create_gateway_app(gateway), gateway.host, gateway.port))

    loop = asyncio.get_running_loop()

    def stop_all() -> None:
        for server in servers:
            server.should_exit = True

    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop_all)

    tasks = [asyncio.create_task(server.serve()) for server in servers]
    watcher = asyncio.create_task((stop or asyncio.Event()).wait())
    watcher.add_done_callback(lambda _: stop_all())
    try:
        while not all(server.started for server in servers):
            if any(task.done() for task in tasks):
                stop_all()
                break
            await asyncio.sleep(0.05)
        else:
            if ready is not None:
                ready.set()
        await asyncio.gather(*tasks)
    finally:
        stop_all()
        watcher.cancel()
        for rt in system.runtimes:
            await rt.stop()
        await system.transport.stop()


async def run() -> None:
    configure_environment()
    system = build_system()
    await prepare(system)
    ready = asyncio.Event()

    async def announce() -> None:
        await ready.wait()
        print(  # the one message a new user needs
            f"\nMarelle est prêt (mode embarqué).\n"
            f"  Portail des familles : {system.portal_url}\n"
            f"  Espace agents        : {system.portal_url}admin\n"
            f"  Données              : {system.runtimes[0].settings.platform.data_dir.resolve()}\n"
            f"Arrêt : Ctrl+C\n",
            flush=True,
        )

    announcer = asyncio.create_task(announce())
    try:
        await serve(system, ready)
    finally:
        announcer.cancel()
