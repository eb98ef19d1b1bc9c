"""The scheduled notices as a periodic job (marelle_kit.jobs)."""

from __future__ import annotations

from datetime import timedelta

from marelle_kit.clock import utcnow
from marelle_kit.jobs import JobContext, periodic
from marelle_kit.localtime import local_today
from marelle_mailing.notifications.scheduled import deadline_reminders, expiry_notices
from marelle_mailing.settings import MailingSettings


def _settings(ctx: JobContext) -> MailingSettings:
    assert isinstance(ctx.settings, MailingSettings)
    return ctx.settings


def _interval(settings: MailingSettings) -> timedelta:
    return timedelta(seconds=settings.notices_interval)


@periodic("mailing.scheduled-notices", every=_interval)
async def scheduled_notices(ctx: JobContext) -> None:
    """Deadline reminders and expiry notices due now; each goes out once (a notice key per
    household), so overlapping or repeated runs send nothing twice."""
    settings = _settings(ctx)
    async with ctx.transaction() as session:
        await deadline_reminders(session, settings, utcnow())
    async with ctx.transaction() as session:
        await expiry_notices(session, settings, local_today())


JOBS = (scheduled_notices,)
