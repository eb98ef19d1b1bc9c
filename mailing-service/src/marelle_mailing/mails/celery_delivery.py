"""Distributed mode: mails go out through Celery workers (Redis as broker), with retries and a
growing back-off. The mails table stays the delivery record: the worker's dispatcher hands each
due mail to Celery and leases it (grouped mails within their rate); the task sends it over SMTP
and records the outcome. A task delivered twice, or a mail handed over again after a lost task,
is sent once (the task checks the mail's status under a row lock).

Run the workers with ``celery -A marelle_mailing.mails.celery_worker worker``."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from functools import cache
from typing import Literal
from uuid import UUID

from celery import Celery, Task

from marelle_kit.clock import utcnow
from marelle_kit.database import Database
from marelle_mailing.mails.delivery import RETRY_DELAYS, SmtpSender, attempt, claim_due, delay_after
from marelle_mailing.mails.repository import MailRepository
from marelle_mailing.settings import MailingSettings

log = logging.getLogger(__name__)

TASK_NAME = "marelle_mailing.send_mail"
# A mail handed to Celery is not handed again before this, unless its task reschedules it.
HANDOVER_LEASE = timedelta(minutes=15)
TaskOutcome = Literal["sent", "bounced", "failed", "retry", "done"]


def make_celery(broker_url: str, queue: str, settings: MailingSettings | None = None) -> Celery:
    """The Celery app; with ``settings`` it also runs the sending task (the workers' side)."""
    app = Celery("marelle_mailing", broker=broker_url)
    app.conf.update(
        task_acks_late=True,  # a worker that dies mid-send leaves the task to another
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        task_default_queue=queue,
        broker_connection_retry_on_startup=True,
    )
    if settings is not None:

        def send_mail(task: Task, mail_id: str) -> str:
            outcome, delay = asyncio.run(deliver_one(settings, UUID(mail_id)))
            if outcome == "retry":
                raise task.retry(countdown=delay.total_seconds())
            return outcome

        app.task(bind=True, name=TASK_NAME, max_retries=len(RETRY_DELAYS))(send_mail)
    return app


@cache
def celery_for(broker_url: str, queue: str) -> Celery:
    """The hand-over's side: it only sends tasks by name."""
    return make_celery(broker_url, queue)


async def deliver_one(settings: MailingSettings, mail_id: UUID) -> tuple[TaskOutcome, timedelta]:
    """Send one mail and record the attempt; says whether to retry, and after how long."""
    database = Database(settings.resolved_database_url("mailing"), pool_size=1)
    try:
        async with database.transaction() as session:
            mail = await MailRepository(session).lock(mail_id)
            if mail is None or mail.status != "queued":
                return "done", timedelta(0)
            outcome = await attempt(session, settings, mail, SmtpSender(settings))
            if outcome == "retry":
                # The dispatcher leaves it to Celery's retry, plus the lease in case it is lost.
                mail.next_attempt_at = utcnow() + delay_after(mail.attempts) + HANDOVER_LEASE
            session.add(mail)
            return outcome, delay_after(mail.attempts)
    finally:
        await database.dispose()


class CeleryHandOver:
    """The worker's dispatcher in distributed mode: hands due mails to Celery and leases them."""

    def __init__(self, database: Database, settings: MailingSettings) -> None:
        assert settings.platform.redis_url, "Celery delivery needs MARELLE_REDIS_URL"
        self.database = database
        self.settings = settings
        self.celery = celery_for(settings.platform.redis_url, settings.celery_queue)

    async def hand_over_due(self, limit: int = 50) -> int:
        async with self.database.transaction() as session:
            mails = await claim_due(session, self.settings, limit)
            for mail in mails:
                await asyncio.to_thread(
                    self.celery.send_task,
                    TASK_NAME,
                    args=[str(mail.id)],
                    queue=self.settings.celery_queue,
                )
                mail.next_attempt_at = utcnow() + HANDOVER_LEASE
                session.add(mail)
            return len(mails)

    async def run(self) -> None:
        while True:
            try:
                handed = await self.hand_over_due()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("mail hand-over round failed")
                handed = 0
            if not handed:
                await asyncio.sleep(self.settings.delivery_poll_interval)
