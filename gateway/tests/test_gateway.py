"""The gateway as a specification: proxying, tenant header, request ids, failures, tokens,
rate limits, pages and cookies. Upstreams are real HTTP servers on loopback."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from uuid import uuid4

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from marelle_gateway.api.ratelimit import RedisRateLimiter
from marelle_gateway.app import create_gateway_app
from marelle_gateway.settings import GatewaySettings
from marelle_kit.settings import Mode, PlatformSettings
from marelle_testkit.tokens import TokenFactory

TENANT_ID = uuid4()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Upstream:
    url: str
    seen: list[dict[str, Any]] = field(default_factory=list)
    delay: float = 0.0


def upstream_app(upstream: Upstream, tokens: TokenFactory) -> FastAPI:
    app = FastAPI()

    @app.get("/tenants/by-slug/{slug}")
    async def by_slug(slug: str) -> Any:
        if slug in ("demo", "albi"):
            return {"id": str(TENANT_ID), "slug": slug, "name": f"Mairie de {slug.title()}"}
        return JSONResponse({"detail": "inconnue"}, status_code=404)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "alive"}

    @app.get("/jwks.json")
    async def jwks() -> dict[str, Any]:
        return tokens.jwks

    @app.api_route("/echo/{rest:path}", methods=["GET", "POST", "DELETE"])
    async def echo(request: Request, rest: str) -> Any:
        await asyncio.sleep(upstream.delay)
        body = await request.body()
        seen = {
            "method": request.method,
            "path": rest,
            "query": list(request.query_params.multi_items()),
            "body": body.decode(),
            "headers": {k.lower(): v for k, v in request.headers.items()},
        }
        upstream.seen.append(seen)

        return JSONResponse({"ok": True}, status_code=201, headers={"X-Upstream": "yes"})

    return app


@asynccontextmanager
async def serving(app: FastAPI, port: int) -> AsyncIterator[None]:
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield
    finally:
        server.should_exit = True
        await task


@dataclass
class Harness:
    client: httpx.AsyncClient
    upstream: Upstream


@asynccontextmanager
async def gateway(tokens: TokenFactory, **overrides: Any) -> AsyncIterator[Harness]:
    port = free_port()
    upstream = Upstream(f"http://127.0.0.1:{port}")
    platform = overrides.pop("platform", PlatformSettings(jwks_url=f"{upstream.url}/jwks.json"))
    settings = GatewaySettings(
        platform=platform,
        family_url=upstream.url,
        booking_url=f"{upstream.url}/echo",
        billing_url=f"http://127.0.0.1:{free_port()}",  # nobody listens there
        default_tenant_slug="demo",
        tenant_host_suffix=".marelle.test",
        proxy_timeout=0.5,
        **overrides,
    )
    app = create_gateway_app(settings)
    async with serving(upstream_app(upstream, tokens), port), app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 5000))
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
            yield Harness(client, upstream)


@pytest.fixture
async def gw(tokens: TokenFactory) -> AsyncIterator[Harness]:
    async with gateway(tokens) as harness:
        yield harness


async def test_requests_are_proxied_with_method_path_query_body_and_headers(gw: Harness) -> None:
    response = await gw.client.post(
        "/api/booking/some/path?a=1&a=2&b=x",
        content=b'{"k": "v"}',
        headers={"content-type": "application/json", "x-custom": "1"},
    )
    assert response.status_code == 201
    assert response.headers["x-upstream"] == "yes"
    seen = gw.upstream.seen[-1]
    assert seen["method"] == "POST" and seen["path"] == "some/path"
    assert seen["query"] == [("a", "1"), ("a", "2"), ("b", "x")]
    assert seen["body"] == '{"k": "v"}'
    assert seen["headers"]["x-custom"] == "1"
    assert seen["headers"]["x-forwarded-for"] == "203.0.113.7"


async def test_a_client_cannot_choose_its_tenant_the_gateway_sets_it(gw: Harness) -> None:
    await gw.client.get("/api/booking/x", headers={"X-Marelle-Tenant": str(uuid4())})
    assert gw.upstream.seen[-1]["headers"]["x-marelle-tenant"] == str(TENANT_ID)


async def test_the_token_tenant_wins_over_the_host(gw: Harness, tokens: TokenFactory) -> None:
    own = uuid4()
    await gw.client.get("/api/booking/x", headers=tokens.headers(tenant_id=own))
    assert gw.upstream.seen[-1]["headers"]["x-marelle-tenant"] == str(own)
    assert gw.upstream.seen[-1]["headers"]["authorization"].startswith("Bearer ")


async def test_request_ids_propagate_both_ways(gw: Harness) -> None:
    response = await gw.client.get("/api/booking/x", headers={"X-Request-ID": "abcdef-123456"})
    assert response.headers["x-request-id"] == "abcdef-123456"
    assert gw.upstream.seen[-1]["headers"]["x-request-id"] == "abcdef-123456"


async def test_a_service_down_is_a_502_problem_in_french(gw: Harness) -> None:
    response = await gw.client.get("/api/billing/accounts")
    assert response.status_code == 502
    assert response.headers["content-type"] == "application/problem+json"
    assert "facturation" in response.json()["detail"]


async def test_a_slow_service_is_a_504_problem(gw: Harness) -> None:
    gw.upstream.delay = 1.0
    response = await gw.client.get("/api/booking/slow")
    assert response.status_code == 504
    assert response.json()["type"] == "urn:marelle:problem:gateway-timeout"


async def test_an_unknown_service_is_a_404_problem(gw: Harness) -> None:
    response = await gw.client.get("/api/payroll/x")
    assert response.status_code == 404
    assert response.json()["type"] == "urn:marelle:problem:unknown-service"


async def test_an_invalid_token_stops_at_the_gateway(gw: Harness, tokens: TokenFactory) -> None:
    before = len(gw.upstream.seen)
    expired = tokens.headers(expires_in=-10)
    response = await gw.client.get("/api/booking/x", headers=expired)
    assert response.status_code == 401
    assert len(gw.upstream.seen) == before


async def test_too_many_requests_get_429_with_retry_after(tokens: TokenFactory) -> None:
    async with gateway(tokens, rate_limit_requests=3) as gw:
        statuses = [(await gw.client.get("/api/booking/x")).status_code for _ in range(4)]
        assert statuses == [201, 201, 201, 429]
        limited = await gw.client.get("/api/booking/x")
        assert int(limited.headers["retry-after"]) >= 1
        assert limited.json()["type"] == "urn:marelle:problem:too-many-requests"


@pytest.mark.integration
async def test_redis_counts_are_shared_between_gateway_replicas(redis_url: str) -> None:
    from redis.asyncio import Redis

    key = f"test-{uuid4()}"
    first = RedisRateLimiter(Redis.from_url(redis_url), limit=2, window=60)
    second = RedisRateLimiter(Redis.from_url(redis_url), limit=2, window=60)
    try:
        verdicts = [await first.hit(key), await second.hit(key), await first.hit(key)]
        assert [v.allowed for v in verdicts] == [True, True, False]
    finally:
        await first.close()
        await second.close()


@pytest.mark.integration
async def test_distributed_gateway_uses_redis_and_reports_it_ready(
    tokens: TokenFactory, redis_url: str, kafka_bootstrap: str
) -> None:
    async with gateway(
        tokens,
        platform=PlatformSettings(
            mode=Mode.DISTRIBUTED,
            redis_url=redis_url,
            kafka_bootstrap_servers=kafka_bootstrap,
        ),
        secret_key="k" * 32,
    ) as gw:
        ready = await gw.client.get("/readyz")
        assert ready.json() == {"status": "ready", "family": "ok", "redis": "ok"}


async def test_the_portal_page_is_french_and_names_the_tenant(gw: Harness) -> None:
    page = await gw.client.get("/")
    assert page.status_code == 200
    html = page.text
    assert '<html lang="fr">' in html
    assert "Mairie de Demo" in html
    assert '<label for="email">' in html and '<label for="password">' in html
    assert "Se connecter" in html
    assert "Première connexion ou mot de passe oublié ?" in html
    assert "Aide à la connexion" in html
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]


async def test_forms_carry_a_csrf_token_bound_to_an_httponly_lax_cookie(gw: Harness) -> None:
    page = await gw.client.get("/admin")
    cookie = page.headers["set-cookie"]
    assert "marelle_csrf=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # local embedded mode; secure_cookies=True behind TLS

    assert 'name="csrf_token"' in page.text


async def test_the_tenant_comes_from_the_host_name(gw: Harness) -> None:
    page = await gw.client.get("/", headers={"host": "albi.marelle.test"})
    assert "Mairie de Albi" in page.text


async def test_an_unknown_tenant_gets_a_french_404_page(gw: Harness) -> None:
    page = await gw.client.get("/", headers={"host": "inconnue.marelle.test"})
    assert page.status_code == 404
    assert "Structure inconnue" in page.text


async def test_unknown_pages_get_a_french_404_page(gw: Harness) -> None:
    page = await gw.client.get("/nulle-part")
    assert page.status_code == 404
    assert "Page introuvable" in page.text and 'lang="fr"' in page.text


async def test_health_and_readiness(gw: Harness) -> None:
    assert (await gw.client.get("/healthz")).json()["status"] == "alive"
    assert (await gw.client.get("/readyz")).json() == {"status": "ready", "family": "ok"}
