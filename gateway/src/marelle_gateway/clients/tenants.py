"""The tenant directory: the gateway stores no tenant, it asks the family-service (which owns
them) and keeps the answers for a short while. A tenant's public profile comes with it: the
grammatical form of its name, its home-page text and contact details, its DPO, its retention."""

from __future__ import annotations

import time
from typing import Literal
from uuid import UUID

import aiohttp
from pydantic import BaseModel, ConfigDict, Field

from marelle_gateway.clients.base import Caller, ServiceClient, UpstreamProblem

# The article the tenant's name takes: «la Mairie de…», «le SIVU…», «l'Agglomération…»,
# «les Communes de…», or none («Lyon»).
Article = Literal["", "la", "le", "l'", "les"]


class TenantProfile(BaseModel):
    """What a town says about itself; every field is optional but the article."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    article: Article = ""
    home_text: str | None = None
    contact_address: str | None = None
    contact_phone: str | None = None
    contact_email: str | None = None
    contact_hours: str | None = None
    dpo_contact: str | None = None
    retention_years: int = Field(default=3, ge=1, le=10)


class Tenant(TenantProfile):
    id: UUID
    slug: str
    name: str


class TenantsClient(ServiceClient):
    service = "family"

    def __init__(
        self, http: aiohttp.ClientSession, base_url: str, *, timeout: float, cache_seconds: float
    ) -> None:
        super().__init__(http, base_url, timeout=timeout)
        self.cache_seconds = cache_seconds
        self._cache: dict[str, tuple[float, Tenant | None]] = {}

    async def by_slug(self, slug: str) -> Tenant | None:
        """The tenant of a host, or None when no tenant has that slug (cached both ways)."""
        cached = self._cache.get(slug)
        if cached is not None and time.monotonic() - cached[0] < self.cache_seconds:
            return cached[1]
        try:
            tenant: Tenant | None = await self.get(f"/tenants/by-slug/{slug}", None, Tenant)
        except UpstreamProblem as problem:
            if problem.status not in (404, 422):
                raise
            tenant = None
        self._cache[slug] = (time.monotonic(), tenant)
        return tenant

    async def save_profile(self, caller: Caller, slug: str, profile: TenantProfile) -> Tenant:
        """The town's settings (administrators); this replica sees them at once."""
        saved = await self.send("PUT", "/settings/tenant", caller, Tenant, profile)
        self._cache.pop(slug, None)
        return saved
