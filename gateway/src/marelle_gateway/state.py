"""The gateway's typed state, built once by the lifespan, and the dependencies that reach it.

Pages never read ``request.app.state``: they name what they need (``family: FamilyClientDep``)
and tests replace it with a fake through ``app.dependency_overrides[family_client]``. The back
office, mounted in the gateway or run as its own process, gets the same state."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Annotated

import aiohttp
from fastapi import Depends, FastAPI, Request
from redis.asyncio import Redis

from marelle_gateway.api.ratelimit import InProcessRateLimiter, RateLimiter, RedisRateLimiter
from marelle_gateway.clients.auth import AuthClient
from marelle_gateway.clients.billing import BillingClient
from marelle_gateway.clients.booking import BookingClient
from marelle_gateway.clients.family import FamilyClient
from marelle_gateway.clients.mailing import MailingClient
from marelle_gateway.clients.tenants import TenantsClient
from marelle_gateway.settings import GatewaySettings
from marelle_gateway.web.csrf import CsrfProtection
from marelle_gateway.web.session import InProcessSessionStore, RedisSessionStore, SessionStore
from marelle_kit.security import TokenVerifier
from marelle_kit.settings import Mode


@dataclass(frozen=True)
class GatewayState:
    settings: GatewaySettings
    http: aiohttp.ClientSession
    tenants: TenantsClient
    auth: AuthClient
    family: FamilyClient
    booking: BookingClient
    billing: BillingClient
    mailing: MailingClient
    sessions: SessionStore
    limiter: RateLimiter
    csrf: CsrfProtection
    verifier: TokenVerifier
    redis: Redis | None


@asynccontextmanager
async def open_state(settings: GatewaySettings) -> AsyncIterator[GatewayState]:
    platform = settings.platform
    distributed = platform.mode is Mode.DISTRIBUTED
    connector = aiohttp.TCPConnector(limit=settings.max_connections, ttl_dns_cache=300)
    redis = Redis.from_url(platform.redis_url) if platform.redis_url else None
    limiter: RateLimiter
    sessions: SessionStore
    if distributed and redis is not None:
        limiter = RedisRateLimiter(
            redis,
            settings.rate_limit_requests,
            settings.rate_limit_window_seconds,
            prefix=f"{platform.redis_key_prefix}rl:",
        )
        sessions = RedisSessionStore(redis, prefix=platform.redis_key_prefix)
    else:
        limiter = InProcessRateLimiter(
            settings.rate_limit_requests, settings.rate_limit_window_seconds
        )
        sessions = InProcessSessionStore()
    timeout = settings.proxy_timeout
    async with aiohttp.ClientSession(connector=connector, auto_decompress=False) as http:
        state = GatewayState(
            settings=settings,
            http=http,
            tenants=TenantsClient(
                http, settings.family_url, timeout=3, cache_seconds=settings.tenant_cache_seconds
            ),
            auth=AuthClient(http, settings.auth_url, timeout=timeout),
            family=FamilyClient(http, settings.family_url, timeout=timeout),
            booking=BookingClient(http, settings.booking_url, timeout=timeout),
            billing=BillingClient(http, settings.billing_url, timeout=timeout),
            mailing=MailingClient(http, settings.mailing_url, timeout=timeout),
            sessions=sessions,
            limiter=limiter,
            # Embedded mode without a configured key: a fresh key per start (forms reload).
            csrf=CsrfProtection(
                settings.secret_key or secrets.token_urlsafe(32),
                secure_cookies=settings.secure_cookies,
            ),
            verifier=TokenVerifier(
                issuer=platform.token_issuer,
                audience=platform.token_audience,
                jwks_url=platform.jwks_url,
            ),
            redis=redis,
        )
        try:
            yield state
        finally:
            await limiter.close()
            if redis is not None and not isinstance(limiter, RedisRateLimiter):
                await redis.aclose()


def lifespan(
    settings: GatewaySettings, *mounted: FastAPI
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """The lifespan of an app and of the apps it mounts (their own lifespans do not run)."""

    @asynccontextmanager
    async def run(app: FastAPI) -> AsyncIterator[None]:
        async with open_state(settings) as state:
            for target in (app, *mounted):
                target.state.gateway = state
            yield

    return run


def get_state(request: Request) -> GatewayState:
    state = getattr(request.app.state, "gateway", None)
    if not isinstance(state, GatewayState):
        raise RuntimeError("the gateway's state is built by its lifespan, which has not run")
    return state


State = Annotated[GatewayState, Depends(get_state)]


def gateway_settings(state: State) -> GatewaySettings:
    return state.settings


def auth_client(state: State) -> AuthClient:
    return state.auth


def family_client(state: State) -> FamilyClient:
    return state.family


def booking_client(state: State) -> BookingClient:
    return state.booking


def billing_client(state: State) -> BillingClient:
    return state.billing


def mailing_client(state: State) -> MailingClient:
    return state.mailing


def tenants_client(state: State) -> TenantsClient:
    return state.tenants


def session_store(state: State) -> SessionStore:
    return state.sessions


def csrf_protection(state: State) -> CsrfProtection:
    return state.csrf


def token_verifier(state: State) -> TokenVerifier:
    return state.verifier


SettingsDep = Annotated[GatewaySettings, Depends(gateway_settings)]
AuthClientDep = Annotated[AuthClient, Depends(auth_client)]
FamilyClientDep = Annotated[FamilyClient, Depends(family_client)]
BookingClientDep = Annotated[BookingClient, Depends(booking_client)]
BillingClientDep = Annotated[BillingClient, Depends(billing_client)]
MailingClientDep = Annotated[MailingClient, Depends(mailing_client)]
TenantsClientDep = Annotated[TenantsClient, Depends(tenants_client)]
SessionStoreDep = Annotated[SessionStore, Depends(session_store)]
CsrfDep = Annotated[CsrfProtection, Depends(csrf_protection)]
VerifierDep = Annotated[TokenVerifier, Depends(token_verifier)]
