"""The reverse proxy: ``/api/<service>/<path>`` to the service, over one pooled aiohttp session
(docs/adr/0003-proxy-client.md), after the rate limit and the token check; the tenant header is
the gateway's (the token's tenant, else the host's), never the client's."""

from __future__ import annotations

from uuid import UUID

import aiohttp
from fastapi import APIRouter, Request
from fastapi.responses import Response
from multidict import CIMultiDict

from marelle_gateway.clients.base import UpstreamProblem
from marelle_gateway.state import State
from marelle_gateway.web.deps import tenant_of
from marelle_kit.context import correlation_id_var
from marelle_kit.errors import Problem
from marelle_kit.request_id import REQUEST_ID_HEADER
from marelle_kit.tenancy import TENANT_HEADER

# Hop-by-hop headers (RFC 9110 §7.6.1) and those the proxy sets itself.
_NOT_FORWARDED = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
        TENANT_HEADER,
        REQUEST_ID_HEADER,
        "x-forwarded-for",
        "x-forwarded-proto",
        "x-forwarded-host",
        "cookie",
    }
)
_NOT_RETURNED = frozenset(
    {
        "connection",
        "keep-alive",
        "transfer-encoding",
        "content-length",
        "content-encoding",
        "server",
        "date",
    }
)


class UnknownService(Problem):
    status = 404
    type = "unknown-service"
    title = "Service inconnu"


class BadGateway(Problem):
    status = 502
    type = "bad-gateway"
    title = "Service injoignable"


class GatewayTimeout(Problem):
    status = 504
    type = "gateway-timeout"
    title = "Service trop lent"


class TooManyRequests(Problem):
    status = 429
    type = "too-many-requests"
    title = "Trop de requêtes"


SERVICE_NAMES = {
    "auth": "d'authentification",
    "family": "des dossiers familles",
    "booking": "des réservations",
    "billing": "de facturation",
    "mailing": "de courrier",
}


class Proxy:
    def __init__(self, session: aiohttp.ClientSession, *, timeout: float, connect_timeout: float):
        self.session = session
        self.timeout = aiohttp.ClientTimeout(total=timeout, sock_connect=connect_timeout)

    async def forward(
        self, request: Request, service: str, upstream: str, path: str, tenant_id: UUID | None
    ) -> Response:
        headers = CIMultiDict(
            (name, value)
            for name, value in request.headers.items()
            if name.lower() not in _NOT_FORWARDED
        )
        request_id = correlation_id_var.get()
        if request_id:
            headers[REQUEST_ID_HEADER] = request_id
        if tenant_id is not None:
            headers[TENANT_HEADER] = str(tenant_id)
        client = request.client.host if request.client else ""
        previous = request.headers.get("x-forwarded-for")
        headers["X-Forwarded-For"] = f"{previous}, {client}" if previous else client
        headers["X-Forwarded-Proto"] = request.url.scheme
        body = await request.body()
        url = f"{upstream}/{path}"
        label = SERVICE_NAMES.get(service, service)
        try:
            async with self.session.request(
                request.method,
                url,
                params=list(request.query_params.multi_items()),
                headers=headers,
                data=body or None,
                timeout=self.timeout,
                allow_redirects=False,
            ) as upstream_response:
                content = await upstream_response.read()
                returned = [
                    (name, value)
                    for name, value in upstream_response.headers.items()
                    if name.lower() not in _NOT_RETURNED
                ]
                response = Response(content=content, status_code=upstream_response.status)
                for name, value in returned:
                    response.headers.append(name, value)
                return response
        except TimeoutError as exc:
            raise GatewayTimeout(
                f"Le service {label} n'a pas répondu à temps ; réessayez dans un instant."
            ) from exc
        except aiohttp.ClientError as exc:
            raise BadGateway(
                f"Le service {label} est momentanément injoignable ; réessayez dans un instant."
            ) from exc


router = APIRouter(include_in_schema=False)
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


@router.api_route("/api/{service}/{path:path}", methods=METHODS)
async def proxy_api(request: Request, service: str, path: str, state: State) -> Response:
    upstream = state.settings.upstream(service)
    if upstream is None:
        raise UnknownService(f"Aucun service « {service[:40]} » derrière cette passerelle.")
    client_ip = request.client.host if request.client else "unknown"
    verdict = await state.limiter.hit(f"ip:{client_ip}")
    if not verdict.allowed:
        raise TooManyRequests(
            "Trop de requêtes en peu de temps ; patientez un instant.",
            headers={"Retry-After": str(verdict.retry_after)},
        )
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    tenant_id = None
    if token and scheme.lower() == "bearer":
        tenant_id = (await state.verifier.verify(token.strip())).tenant_id
    if tenant_id is None:
        try:
            tenant = await tenant_of(request, state.settings, state.tenants)
        except UpstreamProblem:
            tenant = None
        tenant_id = tenant.id if tenant is not None else None
    proxy = Proxy(
        state.http,
        timeout=state.settings.proxy_timeout,
        connect_timeout=state.settings.connect_timeout,
    )
    return await proxy.forward(request, service, upstream, path, tenant_id)
