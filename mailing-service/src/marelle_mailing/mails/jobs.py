"""The mailing-service's jobs (marelle_kit.jobs): see mails/delivery.py for the protocol."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from marelle_kit.jobs import JobContext, one_shot, periodic
from marelle_mailing.mails.delivery import hand_over_due, send_one, sender_for
from marelle_mailing.settings import MailingSettings


def _settings(ctx: JobContext) -> MailingSettings:
    assert isinstance(ctx.settings, MailingSettings)
    return ctx.settings


@one_shot("mailing.send-mail")
async def send_mail(ctx: JobContext, mail_id: str) -> None:
    settings = _settings(ctx)
    await send_one(ctx.database, settings, UUID(mail_id), sender_for(settings))


def _poll_interval(settings: MailingSettings) -> timedelta:
    return timedelta(seconds=settings.delivery_poll_interval)


@periodic("mailing.deliver-due", every=_poll_interval)
async def deliver_due(ctx: JobContext) -> None:
    for mail_id in await hand_over_due(ctx.database):
        await ctx.jobs.enqueue(send_mail, mail_id=str(mail_id))


JOBS = (deliver_due, send_mail)
