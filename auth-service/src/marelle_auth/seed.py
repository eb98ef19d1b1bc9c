"""Start-up: a signing key must exist before any token can be issued or verified, and the
login limits need their counters (Redis when distributed, this process when embedded)."""

from __future__ import annotations

from redis.asyncio import Redis

from marelle_auth.keys.service import KeyRing
from marelle_auth.throttling.policy import LoginThrottle
from marelle_auth.throttling.store import FailureStore, InProcessFailureStore, RedisFailureStore
from marelle_kit.runtime import ServiceRuntime
from marelle_kit.settings import Mode


async def start_auth(runtime: ServiceRuntime) -> None:
    async with runtime.database.transaction() as session:
        await KeyRing(session).ensure_active()
    platform = runtime.settings.platform
    store: FailureStore = (
        RedisFailureStore(Redis.from_url(platform.redis_url))
        if platform.mode is Mode.DISTRIBUTED and platform.redis_url
        else InProcessFailureStore()
    )
    runtime.state["login_throttle"] = LoginThrottle(store)
