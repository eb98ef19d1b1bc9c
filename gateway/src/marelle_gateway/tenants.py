"""Tenant resolution for the gateway: the gateway stores no tenant, it asks the family-service
(typed client, time-outs) and keeps answers for a short while."""

from __future__ import annotations

import time
from dataclasses import dataclass
from uuid import UUID

import aiohttp


@dataclass(frozen=True)
class TenantInfo:
    id: UUID
    slug: str
    name: str


class TenantDirectoryUnavailable(Exception):
    pass


class TenantClient:
    def __init__(
        self, session: aiohttp.ClientSession, family_url: str, *, cache_seconds: float
    ) -> None:
        self.session = session
        self.family_url = family_url.rstrip("/")
        self.cache_seconds = cache_seconds
        self._cache: dict[str, tuple[float, TenantInfo | None]] = {}

    async def by_slug(self, slug: str) -> TenantInfo | None:
        cached = self._cache.get(slug)
        if cached is not None and time.monotonic() - cached[0] < self.cache_seconds:
            return cached[1]
        try:
            async with self.session.get(
                f"{self.family_url}/tenants/by-slug/{slug}",
                timeout=aiohttp.ClientTimeout(total=3),
            ) as response:
                if response.status == 404 or response.status == 422:
                    tenant = None
                elif response.status == 200:
                    body = await response.json()
                    tenant = TenantInfo(UUID(body["id"]), body["slug"], body["name"])
                else:
                    raise TenantDirectoryUnavailable(f"family-service answered {response.status}")
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise TenantDirectoryUnavailable(str(exc)) from exc
        self._cache[slug] = (time.monotonic(), tenant)
        return tenant


def slug_from_host(host: str, suffix: str | None) -> str | None:
    hostname = host.split(":", 1)[0].lower()
    if suffix and hostname.endswith(suffix.lower()):
        slug = hostname[: -len(suffix)]
        return slug or None
    return None
