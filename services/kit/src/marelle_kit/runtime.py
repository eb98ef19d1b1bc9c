"""A service's runtime: its database, event transport, outbox relay, consumer and job runner,
wired once.

The same runtime runs a service alone (distributed mode: API process, worker process) or beside
the others in one process (embedded mode, sharing an in-process transport).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter

from marelle_kit.database import Database
from marelle_kit.events.consumer import EventConsumer, Handler
from marelle_kit.events.relay import OutboxRelay, purge_published
from marelle_kit.events.tables import EventTables
from marelle_kit.events.transport import Subscription, Transport
from marelle_kit.jobs import InProcessJobRunner, Job, JobContext, JobRunner, periodic
from marelle_kit.security import TokenVerifier
from marelle_kit.settings import Mode, ServiceSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServiceDefinition:
    """What makes a service: declared once in its package's ``service.py``."""

    name: str
    title: str
    settings_class: type[ServiceSettings]
    metadata: sa.MetaData
    tables: EventTables
    migrations: Path
    routers: Callable[[], Sequence[APIRouter]]
    handlers: Mapping[str, Handler] = field(default_factory=dict)
    # Handlers that need the service's settings (built once the settings are known).
    settings_handlers: Callable[[Any], Mapping[str, Handler]] | None = None
    # Run at every start, in every mode (e.g. the auth-service's signing key must exist).
    startup: Callable[[ServiceRuntime], Awaitable[None]] | None = None
    # The service's background jobs (marelle_kit.jobs); the runtime adds the kit's own.
    jobs: Sequence[Job] = ()
    # Demo data: run by the embedded runner, or by hand with ``python -m marelle_<svc> seed``.
    seed: Callable[[ServiceRuntime], Awaitable[None]] | None = None

    def handlers_for(self, settings: ServiceSettings) -> dict[str, Handler]:
        extra = self.settings_handlers(settings) if self.settings_handlers is not None else {}
        return {**self.handlers, **extra}

    @property
    def consumer_group(self) -> str:
        return f"{self.name}-service"

    @property
    def all_jobs(self) -> list[Job]:
        """The service's jobs and the kit's (the outbox purge every service runs)."""
        return [*self.jobs, purge_outbox_job(self)]


def purge_outbox_job(definition: ServiceDefinition) -> Job:
    """``<service>.purge-outbox``, hourly: published outbox rows past retention are removed."""

    @periodic(f"{definition.name}.purge-outbox", every=timedelta(hours=1))
    async def purge_outbox(ctx: JobContext) -> None:
        removed = await purge_published(ctx.database, definition.tables.outbox)
        if removed:
            log.info("%s: %d published outbox rows past retention removed", ctx.service, removed)

    return purge_outbox


def build_job_runner(
    definition: ServiceDefinition,
    settings: ServiceSettings,
    database: Database,
    on_commit: Callable[[], None],
) -> JobRunner:
    if settings.resolved_job_runner == "celery":
        from marelle_kit.jobs.distributed import CeleryJobRunner

        return CeleryJobRunner(definition.name, settings, definition.all_jobs)
    return InProcessJobRunner(
        definition.name, settings, database, definition.all_jobs, on_commit=on_commit
    )


def build_transport(settings: ServiceSettings, client_id: str) -> Transport:
    platform = settings.platform
    if platform.mode is Mode.DISTRIBUTED:
        from marelle_kit.events.kafka import KafkaTransport

        assert platform.kafka_bootstrap_servers is not None
        return KafkaTransport(
            platform.kafka_bootstrap_servers,
            client_id=client_id,
            partitions=platform.kafka_partitions,
            topic_prefix=platform.kafka_topic_prefix,
        )
    from marelle_kit.events.inprocess import InProcessTransport

    return InProcessTransport()


class ServiceRuntime:
    def __init__(
        self,
        definition: ServiceDefinition,
        settings: ServiceSettings | None = None,
        *,
        transport: Transport | None = None,
        token_verifier: TokenVerifier | None = None,
        consumer_backoff: Sequence[float] | None = None,
    ) -> None:
        self.definition = definition
        self.settings = settings or definition.settings_class()
        self.database = Database(self.settings.resolved_database_url(definition.name))
        # A transport handed in (embedded mode) is shared and owned by whoever made it.
        self._owns_transport = transport is None
        self.transport = transport or build_transport(self.settings, f"{definition.name}-service")
        platform = self.settings.platform
        self.token_verifier = token_verifier or TokenVerifier(
            issuer=platform.token_issuer,
            audience=platform.token_audience,
            jwks_url=platform.jwks_url,
        )
        self.relay = OutboxRelay(
            self.database,
            definition.tables,
            self.transport,
            poll_interval=self.settings.relay_poll_interval,
        )
        consumer_kwargs: dict[str, Any] = {"max_attempts": self.settings.consumer_max_attempts}
        if consumer_backoff is not None:
            consumer_kwargs["backoff"] = consumer_backoff
        self.consumer = EventConsumer(
            definition.consumer_group,
            self.database,
            definition.tables,
            definition.handlers_for(self.settings),
            on_commit=self.relay.notify,
            **consumer_kwargs,
        )
        self.jobs = build_job_runner(definition, self.settings, self.database, self.relay.notify)
        # What a service's startup hook builds for its endpoints (e.g. a limiter's store).
        self.state: dict[str, Any] = {}
        self._relay_task: asyncio.Task[None] | None = None
        self._relay_stop = asyncio.Event()
        self._subscription: Subscription | None = None
        self._transport_started = False

    @property
    def name(self) -> str:
        return self.definition.name

    def outbox_committed(self) -> None:
        self.relay.notify()

    async def start_transport(self) -> None:
        if not self._transport_started:
            if self._owns_transport:
                await self.transport.start()
            self._transport_started = True

    async def start_relay(self) -> None:
        await self.start_transport()
        self._relay_stop = asyncio.Event()
        self._relay_task = asyncio.create_task(
            self.relay.run(self._relay_stop), name=f"{self.name}-relay"
        )

    async def stop_relay(self) -> None:
        task, self._relay_task = self._relay_task, None
        if task is not None:
            self._relay_stop.set()
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def start_consumer(self) -> None:
        if not self.consumer.handlers:
            return
        await self.start_transport()
        self._subscription = await self.transport.subscribe(
            self.consumer.name,
            self.consumer.topics,
            self.consumer.deliver,
            self.consumer.deliver_unreadable,
        )

    async def start_background(self) -> None:
        """The worker role's jobs: the in-process runner starts the periodic ones (with Celery,
        beat sends them and this does nothing)."""
        await self.jobs.start()

    async def stop_background(self) -> None:
        await self.jobs.stop()

    async def stop_consumer(self) -> None:
        subscription, self._subscription = self._subscription, None
        if subscription is not None:
            await subscription.stop()

    async def stop(self) -> None:
        await self.stop_background()
        await self.stop_consumer()
        await self.stop_relay()
        if self._transport_started and self._owns_transport:
            await self.transport.stop()
        self._transport_started = False
        await self.database.dispose()
