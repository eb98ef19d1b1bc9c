"""Start-up: a signing key must exist before any token can be issued or verified, and the
login limits need their counters (Redis when distributed, this process when embedded)."""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis

from marelle_auth.accounts.repository import AccountRepository
from marelle_auth.keys.service import KeyRing
from marelle_auth.models import Account, tenants
from marelle_auth.passwords.hashing import hash_password
from marelle_auth.throttling.policy import LoginThrottle
from marelle_auth.throttling.store import FailureStore, InProcessFailureStore, RedisFailureStore
from marelle_kit import roles
from marelle_kit.runtime import ServiceRuntime
from marelle_kit.settings import Mode


async def start_auth(runtime: ServiceRuntime) -> None:
    async with runtime.database.transaction() as session:
        await KeyRing(session).ensure_active()
    platform = runtime.settings.platform
    store: FailureStore = (
        RedisFailureStore(
            Redis.from_url(platform.redis_url), prefix=f"{platform.redis_key_prefix}login:"
        )
        if platform.mode is Mode.DISTRIBUTED and platform.redis_url
        else InProcessFailureStore()
    )
    runtime.state["login_throttle"] = LoginThrottle(store)


# Embedded demo only (never in distributed mode): staff who can sign in to the back office.
DEMO_STAFF_PASSWORD = "Demo-Marelle-2026!"  # noqa: S105 - the demo's announced password
DEMO_STAFF = (
    ("admin@demo.test", "Camille", "Durand", roles.ADMIN),
    ("agent@demo.test", "Karim", "Benali", roles.AGENT),
)


async def seed_demo_staff(runtime: ServiceRuntime) -> None:
    """Waits for the demo tenant to reach this service (an event from the family-service),
    then creates its staff with the demo password."""
    tenant_id = None
    for _ in range(300):
        async with runtime.database.transaction() as session:
            tenant_id = await tenants.id_of(session, "demo")
        if tenant_id is not None:
            break
        await asyncio.sleep(0.1)
    if tenant_id is None:
        raise RuntimeError("the demo tenant never reached the auth-service")
    password_hash = await hash_password(DEMO_STAFF_PASSWORD)
    async with runtime.database.transaction() as session:
        accounts = AccountRepository(session)
        for email, first_name, last_name, role in DEMO_STAFF:
            if await accounts.by_email(tenant_id, email) is None:
                await accounts.save(
                    Account(
                        tenant_id=tenant_id,
                        email=email,
                        kind="staff",
                        first_name=first_name,
                        last_name=last_name,
                        roles=role,
                        password_hash=password_hash,
                    )
                )
