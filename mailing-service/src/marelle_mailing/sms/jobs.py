"""The SMS jobs: due messages sent through the provider port, in small locked batches."""

from __future__ import annotations

from datetime import timedelta

from marelle_kit.jobs import JobContext, periodic
from marelle_mailing.settings import MailingSettings
from marelle_mailing.sms.providers import provider_for
from marelle_mailing.sms.service import deliver_due_sms


def _settings(ctx: JobContext) -> MailingSettings:
    assert isinstance(ctx.settings, MailingSettings)
    return ctx.settings


def _poll_interval(settings: MailingSettings) -> timedelta:
    return timedelta(seconds=settings.delivery_poll_interval)


@periodic("mailing.send-sms", every=_poll_interval)
async def send_sms(ctx: JobContext) -> None:
    """Each run sends what is due, 50 at a time under row locks (SKIP LOCKED), until none."""
    settings = _settings(ctx)
    provider = provider_for(settings)
    while await deliver_due_sms(ctx.database, provider):
        pass


JOBS = (send_sms,)
