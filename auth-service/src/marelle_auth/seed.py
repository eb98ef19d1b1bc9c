"""Start-up data: a signing key must exist before any token can be issued or verified."""

from __future__ import annotations

from marelle_auth.keys.service import KeyRing
from marelle_kit.runtime import ServiceRuntime


async def ensure_signing_key(runtime: ServiceRuntime) -> None:
    async with runtime.database.transaction() as session:
        await KeyRing(session).ensure_active()
