"""Where login failures and locks are counted: Redis (distributed; shared by every auth-service
replica) or this process (embedded). Times are given by the caller, so a fake clock drives
both in tests."""

from __future__ import annotations

import uuid
from typing import Protocol

from redis.asyncio import Redis


class FailureStore(Protocol):
    async def add_failure(self, key: str, at: float, window: float) -> int:
        """Record a failure; returns the failures of ``key`` within ``window`` seconds."""

    async def failures(self, key: str, now: float, window: float) -> tuple[int, float | None]:
        """How many failures within the window, and when the last one happened."""

    async def clear(self, key: str) -> None: ...

    async def lock(self, key: str, until: float) -> None: ...

    async def locked_until(self, key: str, now: float) -> float | None: ...


class InProcessFailureStore:
    def __init__(self) -> None:
        self._failures: dict[str, list[float]] = {}
        self._locks: dict[str, float] = {}

    async def add_failure(self, key: str, at: float, window: float) -> int:
        times = [t for t in self._failures.get(key, []) if t > at - window]
        times.append(at)
        self._failures[key] = times
        return len(times)

    async def failures(self, key: str, now: float, window: float) -> tuple[int, float | None]:
        times = [t for t in self._failures.get(key, []) if t > now - window]
        return len(times), (max(times) if times else None)

    async def clear(self, key: str) -> None:
        self._failures.pop(key, None)
        self._locks.pop(key, None)

    async def lock(self, key: str, until: float) -> None:
        self._locks[key] = until

    async def locked_until(self, key: str, now: float) -> float | None:
        until = self._locks.get(key)
        return until if until is not None and until > now else None


class RedisFailureStore:
    """A sorted set of failure times per key (trimmed to the window) and a lock key."""

    def __init__(self, redis: Redis, prefix: str = "marelle:login:") -> None:
        self.redis = redis
        self.prefix = prefix

    async def add_failure(self, key: str, at: float, window: float) -> int:
        name = f"{self.prefix}fail:{key}"
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.zadd(name, {f"{at}:{uuid.uuid4().hex[:8]}": at})
            pipe.zremrangebyscore(name, "-inf", at - window)
            pipe.zcard(name)
            pipe.expire(name, int(window) + 60)
            _added, _trimmed, count, _expiry = await pipe.execute()
        return int(count)

    async def failures(self, key: str, now: float, window: float) -> tuple[int, float | None]:
        name = f"{self.prefix}fail:{key}"
        recent = await self.redis.zrangebyscore(name, now - window, "+inf", withscores=True)
        if not recent:
            return 0, None
        scores: list[float] = [float(item[1]) for item in recent]
        return len(scores), max(scores)

    async def clear(self, key: str) -> None:
        await self.redis.delete(f"{self.prefix}fail:{key}", f"{self.prefix}lock:{key}")

    async def lock(self, key: str, until: float) -> None:
        await self.redis.set(f"{self.prefix}lock:{key}", str(until))

    async def locked_until(self, key: str, now: float) -> float | None:
        raw = await self.redis.get(f"{self.prefix}lock:{key}")
        until = float(raw) if raw is not None else None
        return until if until is not None and until > now else None
