"""Rate limits: fixed windows counted in Redis (distributed) or in this process (embedded)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Protocol

from redis.asyncio import Redis


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int


class RateLimiter(Protocol):
    async def hit(self, key: str) -> Verdict: ...

    async def close(self) -> None: ...


class InProcessRateLimiter:
    def __init__(self, limit: int, window: int) -> None:
        self.limit = limit
        self.window = window
        self._counts: dict[tuple[str, int], int] = {}

    def _now(self) -> float:
        return time.time()

    async def hit(self, key: str) -> Verdict:
        now = self._now()
        window = int(now // self.window)
        if len(self._counts) > 100_000:  # old windows are forgotten
            self._counts = {k: v for k, v in self._counts.items() if k[1] == window}
        count = self._counts.get((key, window), 0) + 1
        self._counts[(key, window)] = count
        retry_after = int((window + 1) * self.window - now) + 1
        return Verdict(count <= self.limit, retry_after)

    async def close(self) -> None:
        return None


class RedisRateLimiter:
    """INCR and EXPIRE in one round trip; every gateway replica shares the counters."""

    def __init__(self, redis: Redis, limit: int, window: int, prefix: str = "marelle:rl:") -> None:
        self.redis = redis
        self.limit = limit
        self.window = window
        self.prefix = prefix

    async def hit(self, key: str) -> Verdict:
        now = time.time()
        window = int(now // self.window)
        name = f"{self.prefix}{key}:{window}"
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            pipe.expire(name, self.window + 1)
            count, _ = await pipe.execute()
        retry_after = int((window + 1) * self.window - now) + 1
        return Verdict(int(count) <= self.limit, retry_after)

    async def close(self) -> None:
        await self.redis.aclose()
