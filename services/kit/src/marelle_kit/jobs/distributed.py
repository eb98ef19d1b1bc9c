"""Distributed mode: the jobs run on Celery workers, Redis as broker, one queue per service.

- ``celery_app(...)`` is the service's Celery application: one task per job (named as the job),
  and a beat schedule of its periodic jobs. Workers (``python -m marelle_<service> jobs
  worker``) and beat (``... jobs beat``, exactly one per service) are built from it.
- ``CeleryJobRunner`` is what the service's processes hold to enqueue one-shot runs.

Tasks are acknowledged late and given back when a worker dies mid-run (at-least-once, as the
job bodies expect); a task that fails is not retried (the job's periodic pick-up is its retry).
A periodic task not started within its interval expires: a stopped worker fleet does not find a
backlog of the same job waiting when it comes back. Each worker thread keeps one event loop
and one database pool for its whole life.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from celery import Celery

from marelle_kit.database import Database
from marelle_kit.jobs import (
    Job,
    JobArgument,
    JobContext,
    checked_arguments,
    job_registry,
    run_job,
)
from marelle_kit.settings import ServiceSettings


def job_queue(settings: ServiceSettings, service: str) -> str:
    return f"{settings.platform.job_queue_prefix}{service}"


@dataclass(frozen=True)
class _WorkerState:
    loop: asyncio.AbstractEventLoop
    context: JobContext


def celery_app(service: str, settings: ServiceSettings, jobs: Sequence[Job]) -> Celery:
    """The service's Celery application (the same for workers, beat and senders)."""
    broker = settings.platform.redis_url
    if not broker:
        raise ValueError("the Celery job runner needs MARELLE_REDIS_URL (its broker)")
    registry = job_registry(service, jobs)
    queue = job_queue(settings, service)
    app = Celery(f"marelle_{service}", broker=broker, set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        task_default_queue=queue,
        task_serializer="json",
        accept_content=["json"],
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        timezone="UTC",
        # Interval schedules only: the in-memory scheduler needs no state file (a restarted
        # beat runs each periodic job one interval after it starts).
        beat_scheduler="celery.beat:Scheduler",
        beat_schedule={
            job.name: {
                "task": job.name,
                "schedule": job.interval(settings).total_seconds(),
                "options": {
                    "queue": queue,
                    "expires": max(job.interval(settings).total_seconds(), 1.0),
                },
            }
            for job in registry.values()
            if job.periodic
        },
    )
    local = threading.local()

    def state() -> _WorkerState:
        current: _WorkerState | None = getattr(local, "state", None)
        if current is None:
            loop = asyncio.new_event_loop()
            database = Database(settings.resolved_database_url(service), pool_size=2)
            sender = CeleryJobRunner(service, settings, jobs, app=app)
            current = _WorkerState(loop, JobContext(service, settings, database, sender))
            local.state = current
        return current

    for job in registry.values():
        _register(app, job, state)
    return app


def _register(app: Celery, job: Job, state: Any) -> None:
    def body(**arguments: JobArgument) -> None:
        worker: _WorkerState = state()
        worker.loop.run_until_complete(run_job(worker.context, job, arguments))

    # Not shared: Celery would otherwise register this body in every app made afterwards (two
    # services, or two test runs, in one process would run each other's jobs).
    app.task(name=job.name, ignore_result=True, shared=False)(body)


@cache
def _sender_app(service: str, broker: str, queue: str) -> Celery:
    app = Celery(f"marelle_{service}_sender", broker=broker, set_as_current=False)
    app.conf.update(task_default_queue=queue, broker_connection_retry_on_startup=True)
    return app


class CeleryJobRunner:
    """Enqueues runs for the service's Celery workers; periodic runs come from beat."""

    def __init__(
        self,
        service: str,
        settings: ServiceSettings,
        jobs: Sequence[Job],
        *,
        app: Celery | None = None,
    ) -> None:
        self.jobs: Mapping[str, Job] = job_registry(service, jobs)
        self.queue = job_queue(settings, service)
        broker = settings.platform.redis_url
        if not broker:
            raise ValueError("the Celery job runner needs MARELLE_REDIS_URL (its broker)")
        self.app = app or _sender_app(service, broker, self.queue)

    async def enqueue(self, job: Job, **arguments: JobArgument) -> None:
        checked = checked_arguments(self.jobs, job, arguments)
        await asyncio.to_thread(self.app.send_task, job.name, kwargs=checked, queue=self.queue)

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None
