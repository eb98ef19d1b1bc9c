"""Each service's command line: ``python -m marelle_<service> {migrate,api,worker,seed,jobs,
revision}``.

``jobs worker`` and ``jobs beat`` run the service's Celery workers and its (single) beat in
distributed mode; extra arguments go to Celery (``jobs worker --concurrency=2``). ``jobs list``
names the jobs; ``jobs run <name>`` runs one now in this process (an operator's catch-up).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
from collections.abc import Sequence

import uvicorn

from marelle_kit.app import create_service_app
from marelle_kit.database import Database
from marelle_kit.jobs import InProcessJobRunner
from marelle_kit.migrations import autogenerate, upgrade
from marelle_kit.runtime import ServiceDefinition, ServiceRuntime
from marelle_kit.settings import ServiceSettings


async def _run_worker(runtime: ServiceRuntime) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await runtime.start_relay()
    await runtime.start_consumer()
    await runtime.start_background()
    try:
        await stop.wait()
    finally:
        await runtime.stop()


async def _seed(runtime: ServiceRuntime) -> None:
    try:
        if runtime.definition.seed is not None:
            await runtime.definition.seed(runtime)
            # The relay publishes the seed's events: run it until the outbox is empty.
            await runtime.start_transport()
            while await runtime.relay.publish_batch():
                pass
    finally:
        await runtime.stop()


async def _run_job_now(definition: ServiceDefinition, settings: ServiceSettings, name: str) -> None:
    database = Database(settings.resolved_database_url(definition.name))
    runner = InProcessJobRunner(definition.name, settings, database, definition.all_jobs)
    try:
        job = runner.jobs.get(name)
        if job is None:
            raise SystemExit(f"unknown job {name}; known: {', '.join(sorted(runner.jobs))}")
        await runner.run(job)
    finally:
        await runner.stop()  # the one-shot runs it asked for get their grace period
        await database.dispose()


def _jobs(
    definition: ServiceDefinition, settings: ServiceSettings, args: argparse.Namespace
) -> None:
    if args.role == "list":
        for job in definition.all_jobs:
            every = f"every {job.interval(settings)}" if job.periodic else "one-shot"
            print(f"{job.name}\t{every}")
        return
    if args.role == "run":
        if not args.celery_args:
            raise SystemExit("jobs run <name>")
        asyncio.run(_run_job_now(definition, settings, args.celery_args[0]))
        return
    from marelle_kit.jobs.distributed import celery_app, job_queue

    app = celery_app(definition.name, settings, definition.all_jobs)
    level = f"--loglevel={settings.platform.log_level}"
    if args.role == "worker":
        queue = job_queue(settings, definition.name)
        app.worker_main(["worker", "-Q", queue, level, *args.celery_args])
    else:
        app.start(["beat", level, *args.celery_args])


def main(definition: ServiceDefinition, argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog=f"marelle-{definition.name}")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="apply the database migrations")
    api = commands.add_parser("api", help="serve the HTTP API")
    api.add_argument("--with-worker", action="store_true", help="also run relay and consumer")
    commands.add_parser("worker", help="run the outbox relay and the event consumer")
    commands.add_parser("seed", help="create the demo data (idempotent)")
    jobs = commands.add_parser("jobs", help="the background jobs (Celery worker and beat)")
    jobs.add_argument("role", choices=["worker", "beat", "list", "run"])
    jobs.add_argument("celery_args", nargs=argparse.REMAINDER)
    revision = commands.add_parser("revision", help="autogenerate a migration")
    revision.add_argument("-m", "--message", required=True)
    args = parser.parse_args(argv)

    settings = definition.settings_class()
    logging.basicConfig(
        level=settings.platform.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    url = settings.resolved_database_url(definition.name)
    if args.command == "migrate":
        upgrade(definition.migrations, definition.metadata, url)
    elif args.command == "revision":
        autogenerate(definition.migrations, definition.metadata, url, args.message)
    elif args.command == "seed":
        asyncio.run(_seed(ServiceRuntime(definition, settings)))
    elif args.command == "jobs":
        _jobs(definition, settings, args)
    elif args.command == "worker":
        asyncio.run(_run_worker(ServiceRuntime(definition, settings)))
    else:
        runtime = ServiceRuntime(definition, settings)
        app = create_service_app(runtime, run_relay=args.with_worker, run_consumer=args.with_worker)
        uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning")
