"""A small closed-loop HTTP load generator (aiohttp), run in its own process so it does not
share the event loop of the server it measures. Bounded in requests and time; loopback only."""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass

import aiohttp


@dataclass(frozen=True)
class LoadResult:
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


async def _load(
    url: str, *, total: int, concurrency: int, headers: dict[str, str], max_seconds: float
) -> LoadResult:
    if not url.startswith("http://127.0.0.1:"):
        raise ValueError("benchmarks only target this machine's loopback")
    latencies: list[float] = []
    errors = 0
    remaining = total
    deadline = time.perf_counter() + max_seconds
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:

        async def worker() -> None:
            nonlocal remaining, errors
            while remaining > 0 and time.perf_counter() < deadline:
                remaining -= 1
                started = time.perf_counter()
                try:
                    async with session.get(url) as response:
                        await response.read()
                        if response.status >= 400:
                            errors += 1
                except aiohttp.ClientError:
                    errors += 1
                latencies.append(time.perf_counter() - started)

        # Warm-up: connections and caches.
        for _ in range(min(200, total // 10)):
            async with session.get(url) as response:
                await response.read()
        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
    latencies.sort()
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return LoadResult(len(latencies), errors, elapsed, quantiles[49] * 1000, quantiles[98] * 1000)


def run_load(
    url: str,
    total: int = 5000,
    concurrency: int = 32,
    headers: dict[str, str] | None = None,
    max_seconds: float = 60.0,
) -> LoadResult:
    return asyncio.run(
        _load(
            url,
            total=total,
            concurrency=concurrency,
            headers=headers or {},
            max_seconds=max_seconds,
        )
    )
