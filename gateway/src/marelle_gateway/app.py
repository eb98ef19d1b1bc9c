"""The gateway: the single entry point. No business data: routing, token checks, tenant
resolution, rate limits; it serves the parents' portal and the staff back office."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from redis.asyncio import Redis
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from marelle_gateway import (
    backoffice,
    pages,
    password_change_pages,
    password_pages,
    portal_records,
    portal_session,
)
from marelle_gateway.accounts import AuthClient
from marelle_gateway.csrf import CsrfProtection
from marelle_gateway.proxy import Proxy, UnknownService
from marelle_gateway.ratelimit import InProcessRateLimiter, RateLimiter, RedisRateLimiter
from marelle_gateway.sessions import InProcessSessionStore, RedisSessionStore
from marelle_gateway.settings import GatewaySettings
from marelle_gateway.tenants import (
    TenantClient,
    TenantDirectoryUnavailable,
    TenantInfo,
    slug_from_host,
)
from marelle_kit.errors import Problem, install_problem_handlers, problem_response
from marelle_kit.request_id import RequestIdMiddleware
from marelle_kit.security import TokenVerifier, optional_principal
from marelle_kit.settings import Mode

SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        b"frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(n, v) for n, v in SECURITY_HEADERS if n not in present]
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, with_headers)


class TooManyRequests(Problem):
    status = 429
    type = "too-many-requests"
    title = "Trop de requêtes"


class PageError(Exception):
    def __init__(self, status: int, title: str, message: str) -> None:
        super().__init__(message)
        self.status, self.title, self.message = status, title, message


def create_gateway_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()
    platform = settings.platform

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        connector = aiohttp.TCPConnector(limit=settings.max_connections, ttl_dns_cache=300)
        async with aiohttp.ClientSession(connector=connector, auto_decompress=False) as session:
            app.state.proxy = Proxy(
                session, timeout=settings.proxy_timeout, connect_timeout=settings.connect_timeout
            )
            app.state.auth_client = AuthClient(
                session, settings.auth_url, timeout=settings.proxy_timeout
            )
            app.state.tenants = TenantClient(
                session, settings.family_url, cache_seconds=settings.tenant_cache_seconds
            )
            redis = Redis.from_url(platform.redis_url) if platform.redis_url else None
            limiter: RateLimiter
            if platform.mode is Mode.DISTRIBUTED and redis is not None:
                limiter = RedisRateLimiter(
                    redis,
                    settings.rate_limit_requests,
                    settings.rate_limit_window_seconds,
                    prefix=f"{platform.redis_key_prefix}rl:",
                )
            else:
                limiter = InProcessRateLimiter(
                    settings.rate_limit_requests, settings.rate_limit_window_seconds
                )
            app.state.rate_limiter = limiter
            app.state.sessions = (
                RedisSessionStore(redis)
                if platform.mode is Mode.DISTRIBUTED and redis is not None
                else InProcessSessionStore()
            )
            app.state.redis = redis
            try:
                yield
            finally:
                await limiter.close()
                if redis is not None and not isinstance(limiter, RedisRateLimiter):
                    await redis.aclose()

    app = FastAPI(title="Marelle — passerelle", lifespan=lifespan, docs_url="/api/docs")
    app.state.settings = settings
    app.state.token_verifier = TokenVerifier(
        issuer=platform.token_issuer, audience=platform.token_audience, jwks_url=platform.jwks_url
    )
    # Embedded mode without a configured key: a fresh key per start (forms reload after restart).
    app.state.csrf = CsrfProtection(
        settings.secret_key or secrets.token_urlsafe(32), secure_cookies=settings.secure_cookies
    )
    app.add_middleware(RequestIdMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    install_problem_handlers(app)

    async def tenant_from_request(request: Request) -> TenantInfo | None:
        slug = slug_from_host(request.headers.get("host", ""), settings.tenant_host_suffix)
        slug = slug or settings.default_tenant_slug
        if not slug:
            return None
        client: TenantClient = request.app.state.tenants
        return await client.by_slug(slug)

    async def resolve_page_tenant(request: Request) -> TenantInfo:
        try:
            tenant = await tenant_from_request(request)
        except TenantDirectoryUnavailable as exc:
            raise PageError(
                503,
                "Service momentanément indisponible",
                "Le portail ne joint pas les services de la commune. Réessayez dans un instant.",
            ) from exc
        if tenant is None:
            raise PageError(
                404,
                "Structure inconnue",
                "Cette adresse ne correspond à aucune commune ou structure utilisant Marelle.",
            )
        return tenant

    app.state.resolve_page_tenant = resolve_page_tenant

    @app.exception_handler(PageError)
    async def on_page_error(request: Request, exc: PageError) -> HTMLResponse:
        return pages.render(
            request, "error.html", exc.status, tenant=None, title=exc.title, message=exc.message
        )

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/api/"):
            return problem_response(
                exc.status_code,
                "not-found" if exc.status_code == 404 else "http-error",
                "Ressource introuvable" if exc.status_code == 404 else "Erreur",
                str(exc.detail),
            )
        title = "Page introuvable" if exc.status_code == 404 else "Erreur"
        message = (
            "Cette page n'existe pas ou plus."
            if exc.status_code == 404
            else "La demande n'a pas pu aboutir."
        )
        return pages.render(
            request, "error.html", exc.status_code, tenant=None, title=title, message=message
        )

    @app.get("/healthz", tags=["health"])
    async def healthz() -> dict[str, str]:
        return {"status": "alive", "service": "gateway"}

    @app.get("/readyz", tags=["health"], response_model=None)
    async def readyz(request: Request) -> JSONResponse | dict[str, str]:
        checks: dict[str, str] = {}
        proxy: Proxy = request.app.state.proxy
        try:
            async with proxy.session.get(
                f"{settings.family_url}/healthz", timeout=aiohttp.ClientTimeout(total=2)
            ) as response:
                checks["family"] = "ok" if response.status == 200 else f"status {response.status}"
        except (aiohttp.ClientError, TimeoutError) as exc:
            checks["family"] = f"unreachable: {type(exc).__name__}"
        redis: Redis | None = request.app.state.redis
        if redis is not None:
            try:
                await redis.ping()
                checks["redis"] = "ok"
            except Exception as exc:
                checks["redis"] = f"unreachable: {type(exc).__name__}"
        if all(value == "ok" for value in checks.values()):
            return {"status": "ready", **checks}
        return problem_response(
            503,
            "not-ready",
            "Passerelle pas prête",
            "Une dépendance de la passerelle est injoignable.",
            checks=checks,
        )

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]

    @app.api_route("/api/{service}/{path:path}", methods=methods, include_in_schema=False)
    async def proxy_api(request: Request, service: str, path: str) -> Response:
        upstream = settings.upstream(service)
        if upstream is None:
            raise UnknownService(f"Aucun service « {service[:40]} » derrière cette passerelle.")
        client_ip = request.client.host if request.client else "unknown"
        verdict = await request.app.state.rate_limiter.hit(f"ip:{client_ip}")
        if not verdict.allowed:
            raise TooManyRequests(
                "Trop de requêtes en peu de temps ; patientez un instant.",
                headers={"Retry-After": str(verdict.retry_after)},
            )
        principal = await optional_principal(request)
        tenant_id = principal.tenant_id if principal is not None else None
        if tenant_id is None:
            try:
                tenant = await tenant_from_request(request)
            except TenantDirectoryUnavailable:
                tenant = None
            tenant_id = tenant.id if tenant is not None else None
        proxy: Proxy = request.app.state.proxy
        return await proxy.forward(request, service, upstream, path, tenant_id)

    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    app.include_router(pages.router)
    app.include_router(password_pages.router)
    app.include_router(password_change_pages.router)
    app.include_router(portal_session.router)
    app.include_router(portal_records.router)
    app.include_router(backoffice.router)
    return app
