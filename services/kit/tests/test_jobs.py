"""Named jobs and their one runner: in-process (embedded) and Celery with beat (distributed, on
a real Redis)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from uuid import uuid4

import pytest
import sqlalchemy as sa
from celery.beat import EmbeddedService
from celery.contrib.testing.worker import start_worker

from marelle_kit.database import Database, new_registry
from marelle_kit.events import event_tables, record_event
from marelle_kit.jobs import InProcessJobRunner, Job, JobContext, one_shot, periodic
from marelle_kit.jobs.distributed import CeleryJobRunner, celery_app, job_queue
from marelle_kit.settings import PlatformSettings, ServiceSettings
from marelle_testkit.databases import sqlite_url

from spine import ProbeRecorded

metadata = new_registry().metadata
tables = event_tables(metadata)
ran = sa.Table(
    "ran",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("job", sa.String(60), nullable=False),
    sa.Column("argument", sa.String(60), nullable=True),
)


async def record(ctx: JobContext, job: str, argument: str | None = None) -> None:
    async with ctx.transaction() as session:
        await session.execute(ran.insert().values(job=job, argument=argument))


@periodic("probe.tick", every=timedelta(seconds=0.1))
async def tick(ctx: JobContext) -> None:
    await record(ctx, "tick")


@one_shot("probe.greet")
async def greet(ctx: JobContext, name: str) -> None:
    await record(ctx, "greet", name)


@periodic("probe.fan-out", every=timedelta(hours=1))
async def fan_out(ctx: JobContext) -> None:
    for name in ("anne", "paul"):
        await ctx.jobs.enqueue(greet, name=name)


failures: list[int] = []


@periodic("probe.flaky", every=timedelta(seconds=0.05))
async def flaky(ctx: JobContext) -> None:
    failures.append(1)
    if len(failures) <= 2:
        raise RuntimeError("not today")
    await record(ctx, "flaky")


@one_shot("probe.publish")
async def publish(ctx: JobContext) -> None:
    async with ctx.transaction() as session:
        await record_event(session, tables, ProbeRecorded(seq=1), tenant_id=uuid4(), key="k")


async def rows(db: Database) -> list[tuple[str, str | None]]:
    async with db.read() as session:
        result = await session.execute(sa.select(ran.c.job, ran.c.argument).order_by(ran.c.id))
        return [(job, argument) for job, argument in result]


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    db = Database(sqlite_url(tmp_path, "jobs"))
    async with db.engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    yield db
    await db.dispose()


def settings(db: Database, **platform: object) -> ServiceSettings:
    return ServiceSettings(database_url=db.url, platform=PlatformSettings(**platform))  # type: ignore[arg-type]


async def until(condition: object, timeout: float = 5.0) -> None:
    async def wait() -> None:
        while not await condition():  # type: ignore[operator]
            await asyncio.sleep(0.05)

    await asyncio.wait_for(wait(), timeout)


def test_jobs_are_named_after_their_service_once() -> None:
    with pytest.raises(ValueError, match=r"<service>\.<what-it-does>"):
        Job("no-service", tick.run)
    with pytest.raises(ValueError, match="does not belong"):
        InProcessJobRunner("other", ServiceSettings(), None, [tick])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="two jobs"):
        InProcessJobRunner("probe", ServiceSettings(), None, [tick, Job("probe.tick", tick.run)])  # type: ignore[arg-type]
    assert tick.periodic and not greet.periodic
    assert Job("probe.x", tick.run, every=lambda s: timedelta(seconds=s.port)).interval(
        ServiceSettings(port=3)
    ) == timedelta(seconds=3)


async def test_in_process_periodic_jobs_run_at_start_then_every_interval(
    database: Database,
) -> None:
    runner = InProcessJobRunner("probe", settings(database), database, [tick])
    await runner.start()
    try:
        await until(lambda: _count(database, "tick", 3))
    finally:
        await runner.stop()
    stopped_at = len(await rows(database))
    await asyncio.sleep(0.3)
    assert len(await rows(database)) == stopped_at  # nothing runs after stop


async def _count(db: Database, job: str, at_least: int) -> bool:
    return sum(1 for name, _ in await rows(db) if name == job) >= at_least


async def test_a_failing_run_is_logged_and_the_next_tick_runs_again(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    failures.clear()
    runner = InProcessJobRunner("probe", settings(database), database, [flaky])
    with caplog.at_level(logging.ERROR, logger="marelle_kit.jobs"):
        await runner.start()
        try:
            await until(lambda: _count(database, "flaky", 1))
        finally:
            await runner.stop()
    assert [r.message for r in caplog.records].count("job probe.flaky failed") == 2


async def test_one_shot_runs_get_their_json_arguments(database: Database) -> None:
    runner = InProcessJobRunner("probe", settings(database), database, [fan_out, greet])
    await runner.run(fan_out)
    await runner.stop()  # waits for the runs it enqueued
    assert sorted(await rows(database)) == [("greet", "anne"), ("greet", "paul")]
    with pytest.raises(TypeError):
        await runner.enqueue(greet, name=object())  # type: ignore[arg-type]
    with pytest.raises(LookupError):
        await runner.enqueue(tick)  # not a job of this runner


async def test_a_commit_with_outbox_rows_wakes_the_relay(database: Database) -> None:
    woken: list[bool] = []
    runner = InProcessJobRunner(
        "probe", settings(database), database, [publish], on_commit=lambda: woken.append(True)
    )
    await runner.run(publish)
    assert woken == [True]


async def test_stop_gives_running_one_shots_a_grace_period_then_cancels_them(
    database: Database,
) -> None:
    finished: list[str] = []

    @one_shot("probe.slow")
    async def slow(ctx: JobContext, seconds: float) -> None:
        await asyncio.sleep(seconds)
        finished.append(str(seconds))

    runner = InProcessJobRunner("probe", settings(database), database, [slow], stop_grace=0.3)
    await runner.enqueue(slow, seconds=0.05)
    await runner.enqueue(slow, seconds=5.0)
    await runner.stop()
    assert finished == ["0.05"]


async def test_celery_workers_run_one_shot_jobs_and_beat_sends_the_periodic_ones(
    database: Database, redis_url: str
) -> None:
    """Distributed mode: the worker thread runs what the runner enqueued and what beat sent."""
    config = settings(database, redis_url=redis_url, job_queue_prefix=f"t{uuid4().hex[:8]}-")
    jobs = [tick, greet, fan_out]
    app = celery_app("probe", config, jobs)
    assert app.conf.task_default_queue == job_queue(config, "probe")
    assert set(app.conf.beat_schedule) == {"probe.tick", "probe.fan-out"}
    runner = CeleryJobRunner("probe", config, jobs)
    beat = EmbeddedService(
        app, max_interval=0.1, thread=True, scheduler_cls=app.conf.beat_scheduler
    )
    with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        await runner.enqueue(greet, name="anne")
        await until(lambda: _count(database, "greet", 1), timeout=15)
        beat.start()
        try:
            await until(lambda: _count(database, "tick", 2), timeout=15)
        finally:
            beat.stop()
    assert ("greet", "anne") in await rows(database)


async def test_two_celery_apps_in_one_process_run_their_own_jobs(
    tmp_path: Path, redis_url: str
) -> None:
    """Two services (or two runs) in one process: each app's workers use its own settings."""
    databases = []
    for name in ("first", "second"):
        db = Database(sqlite_url(tmp_path, name))
        async with db.engine.begin() as connection:
            await connection.run_sync(metadata.create_all)
        databases.append(db)
    try:
        configs = [
            settings(db, redis_url=redis_url, job_queue_prefix=f"t{uuid4().hex[:8]}-")
            for db in databases
        ]
        celery_app("probe", configs[0], [greet])  # made first, never started
        second = celery_app("probe", configs[1], [greet])
        with start_worker(second, pool="solo", perform_ping_check=False, loglevel="WARNING"):
            await CeleryJobRunner("probe", configs[1], [greet]).enqueue(greet, name="paul")
            await until(lambda: _count(databases[1], "greet", 1), timeout=15)
        assert await rows(databases[0]) == []
    finally:
        for db in databases:
            await db.dispose()
