"""The auth-service's background jobs (marelle_kit.jobs): hourly, forget audit entries past
their retention and replace a signing key past its age."""

from __future__ import annotations

import logging
from datetime import timedelta

from marelle_auth.audit.service import purge_expired
from marelle_auth.keys.service import KeyRing
from marelle_auth.settings import AuthSettings
from marelle_kit.jobs import JobContext, periodic

log = logging.getLogger(__name__)


@periodic("auth.rotate-signing-key", every=timedelta(hours=1))
async def rotate_signing_key(ctx: JobContext) -> None:
    """A key older than ``signing_key_rotation_days`` is replaced (the old one stays published
    until the tokens it signed expire). Two runs at once: the second finds the keys locked."""
    settings = ctx.settings
    assert isinstance(settings, AuthSettings)
    async with ctx.transaction() as session:
        rotated = await KeyRing(session).rotate_if_older_than(
            timedelta(days=settings.signing_key_rotation_days)
        )
    if rotated is not None:
        log.info("auth: signing key rotated, new kid %s", rotated.id)


@periodic("auth.purge-audit", every=timedelta(hours=1))
async def purge_audit(ctx: JobContext) -> None:
    """Audit entries older than 12 months (SECURITY.md) are removed."""
    await purge_expired(ctx.database)


JOBS = (rotate_signing_key, purge_audit)
