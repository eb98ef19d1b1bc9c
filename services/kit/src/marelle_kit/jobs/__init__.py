"""Named background jobs, periodic or one-shot, and the one runner that runs them.

A service declares its jobs once (``ServiceDefinition.jobs``)::

    @periodic("auth.rotate-signing-key", every=timedelta(hours=1))
    async def rotate_signing_key(ctx: JobContext) -> None: ...

    @one_shot("mailing.send-mail")
    async def send_mail(ctx: JobContext, mail_id: str) -> None: ...

and asks for a one-shot run with ``await ctx.jobs.enqueue(send_mail, mail_id=str(mail.id))``
(or ``runtime.jobs.enqueue(...)`` from an endpoint). Arguments are JSON values.

The runner is chosen by the mode (``MARELLE_<SERVICE>_JOB_RUNNER`` overrides it):
- embedded: ``InProcessJobRunner``, asyncio tasks in the service's worker role (the embedded
  process); periodic jobs run at start, then every interval, one run at a time;
- distributed: Celery (``marelle_kit.jobs.distributed``), Redis as broker, one queue per service;
  Celery beat sends the periodic jobs (``python -m marelle_<service> jobs beat``), workers run
  every job (``python -m marelle_<service> jobs worker``).

Both give the same guarantees, which the job bodies rely on: at-least-once (a run may be
repeated after a crash, a periodic run may overlap another on distributed workers), no retry of
a failed run (it is logged; a periodic job runs again at its next tick). So a job is
idempotent, locks what it changes (``FOR UPDATE SKIP LOCKED`` for batches), keeps its progress
in the database and commits in small transactions. What must not be lost is a row (an outbox
row, a mail row) that a periodic job picks up, never only a queued one-shot run.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from marelle_kit.database import Database, WriteSession
from marelle_kit.events.outbox import OUTBOX_WRITTEN
from marelle_kit.settings import ServiceSettings

log = logging.getLogger(__name__)

JobArgument = str | int | float | bool | None
JobFunction = Callable[..., Awaitable[None]]
Interval = timedelta | Callable[[Any], timedelta]

NAME = re.compile(r"^[a-z][a-z0-9]*\.[a-z][a-z0-9-]*$")


@dataclass(frozen=True)
class Job:
    """A named job: ``every`` set makes it periodic (a timedelta, or a function of the
    service's settings giving one)."""

    name: str
    run: JobFunction
    every: Interval | None = None

    def __post_init__(self) -> None:
        if not NAME.fullmatch(self.name):
            raise ValueError(f"job name {self.name!r}: '<service>.<what-it-does>' expected")

    @property
    def periodic(self) -> bool:
        return self.every is not None

    def interval(self, settings: ServiceSettings) -> timedelta:
        if self.every is None:
            raise ValueError(f"{self.name} is not periodic")
        interval = self.every if isinstance(self.every, timedelta) else self.every(settings)
        if interval <= timedelta(0):
            raise ValueError(f"{self.name}: the interval must be positive")
        return interval

    @property
    def service(self) -> str:
        return self.name.split(".", 1)[0]


def periodic(name: str, *, every: Interval) -> Callable[[JobFunction], Job]:
    """Declare ``async def f(ctx: JobContext) -> None`` as a periodic job."""

    def declare(function: JobFunction) -> Job:
        return Job(name, function, every)

    return declare


def one_shot(name: str) -> Callable[[JobFunction], Job]:
    """Declare ``async def f(ctx: JobContext, **arguments) -> None`` as a one-shot job."""

    def declare(function: JobFunction) -> Job:
        return Job(name, function)

    return declare


class JobQueue(Protocol):
    async def enqueue(self, job: Job, **arguments: JobArgument) -> None:
        """Ask for one run of ``job`` with these arguments, as soon as a worker is free."""


@dataclass(frozen=True)
class JobContext:
    """What a job body gets: the service's settings, its database and the job queue."""

    service: str
    settings: ServiceSettings
    database: Database
    jobs: JobQueue
    # Wakes the service's outbox relay after a commit that wrote outbox rows (in-process).
    on_commit: Callable[[], None] | None = None

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[WriteSession]:
        """One unit of work of the job: committed when the block ends without an error."""
        async with self.database.transaction() as session:
            yield session
        if session.info.get(OUTBOX_WRITTEN) and self.on_commit is not None:
            self.on_commit()


class JobRunner(JobQueue, Protocol):
    jobs: Mapping[str, Job]

    async def start(self) -> None:
        """Start the periodic jobs (the in-process runner; Celery beat does it otherwise)."""

    async def stop(self) -> None: ...


def job_registry(service: str, jobs: Sequence[Job]) -> dict[str, Job]:
    registry: dict[str, Job] = {}
    for job in jobs:
        if job.service != service:
            raise ValueError(f"job {job.name} does not belong to the {service}-service")
        if job.name in registry:
            raise ValueError(f"two jobs are named {job.name}")
        registry[job.name] = job
    return registry


def checked_arguments(
    registry: Mapping[str, Job], job: Job, arguments: Mapping[str, JobArgument]
) -> dict[str, JobArgument]:
    """The arguments as a worker will receive them (JSON), for a job of this service."""
    if registry.get(job.name) is not job:
        raise LookupError(f"{job.name} is not a job of this service")
    decoded: dict[str, JobArgument] = json.loads(json.dumps(dict(arguments)))
    return decoded


async def run_job(context: JobContext, job: Job, arguments: Mapping[str, JobArgument]) -> None:
    """One run of ``job``; an error is logged with the job's name and raised."""
    try:
        await job.run(context, **arguments)
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("job %s failed", job.name)
        raise


class InProcessJobRunner:
    """Embedded mode: periodic jobs as asyncio tasks, one-shot runs as tasks of their own."""

    def __init__(
        self,
        service: str,
        settings: ServiceSettings,
        database: Database,
        jobs: Sequence[Job],
        *,
        on_commit: Callable[[], None] | None = None,
        stop_grace: float = 5.0,
        concurrency: int = 4,
    ) -> None:
        self.jobs: Mapping[str, Job] = job_registry(service, jobs)
        self.context = JobContext(service, settings, database, self, on_commit)
        self.stop_grace = stop_grace
        self._periodic: list[asyncio.Task[None]] = []
        self._running: set[asyncio.Task[None]] = set()
        self._stop = asyncio.Event()
        # One-shot runs at once at most (the embedded mode shares one process and one SQLite).
        self._slots = asyncio.Semaphore(concurrency)

    async def enqueue(self, job: Job, **arguments: JobArgument) -> None:
        checked = checked_arguments(self.jobs, job, arguments)
        task = asyncio.create_task(self._run_one_shot(job, checked), name=f"job {job.name}")
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def run(self, job: Job, **arguments: JobArgument) -> None:
        """One run now, awaited, its error raised (tests, operators' commands)."""
        await run_job(self.context, job, checked_arguments(self.jobs, job, arguments))

    async def drain(self) -> None:
        """Wait until no one-shot run is left (those started meanwhile included)."""
        while self._running:
            await asyncio.wait(list(self._running))

    async def _run_logged(self, job: Job, arguments: Mapping[str, JobArgument]) -> None:
        with contextlib.suppress(Exception):
            await run_job(self.context, job, arguments)

    async def _run_one_shot(self, job: Job, arguments: Mapping[str, JobArgument]) -> None:
        async with self._slots:
            await self._run_logged(job, arguments)

    async def _every(self, job: Job) -> None:
        interval = job.interval(self.context.settings).total_seconds()
        while not self._stop.is_set():
            await self._run_logged(job, {})
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), timeout=interval)

    async def start(self) -> None:
        if self._periodic:
            return
        self._stop = asyncio.Event()
        self._periodic = [
            asyncio.create_task(self._every(job), name=f"periodic job {job.name}")
            for job in self.jobs.values()
            if job.periodic
        ]

    async def stop(self) -> None:
        """Periodic jobs stop at once; one-shot runs get ``stop_grace`` seconds to finish."""
        self._stop.set()
        tasks, self._periodic = self._periodic, []
        for task in tasks:
            task.cancel()
        running = list(self._running)
        if running:
            _done, pending = await asyncio.wait(running, timeout=self.stop_grace)
            for task in pending:
                task.cancel()
            tasks += list(pending)
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
