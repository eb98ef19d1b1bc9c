"""The gateway and the back office, composed: middlewares, routers, the lifespan that builds the
typed state (state.py). No handler lives here.

- :func:`create_gateway_app`: the single entry point — the parents' portal, ``/api/<service>``
  proxied, and (embedded mode, or wherever the operator wants it) the back office at ``/admin``.
- :func:`create_backoffice_app`: the staff's back office alone, for its own process, Deployment
  and compose service: an operator keeps it off the public internet and scales it apart. Same
  code, same ``/admin`` addresses, same sessions (Redis) as when mounted."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from marelle_gateway import backoffice, portal
from marelle_gateway.api import health, proxy
from marelle_gateway.backoffice.layout import render_error as render_backoffice_error
from marelle_gateway.portal.layout import render_error as render_portal_error
from marelle_gateway.settings import GatewaySettings
from marelle_gateway.state import lifespan
from marelle_gateway.web.errors import install_page_errors
from marelle_gateway.web.headers import MountRootAlias, SecurityHeadersMiddleware
from marelle_kit.errors import install_problem_handlers
from marelle_kit.request_id import RequestIdMiddleware

STATIC = Path(__file__).parent / "static"
BACKOFFICE_PREFIX = "/admin"


def _backoffice(settings: GatewaySettings) -> FastAPI:
    """The back office's own ASGI app (its routes below ``/admin`` once mounted)."""
    app = FastAPI(title="Marelle — espace agents", docs_url=None, redoc_url=None, openapi_url=None)
    for router in backoffice.routers():
        app.include_router(router)
    install_page_errors(app, render_backoffice_error, login_route="admin.login")
    return app


def _page_app(app: FastAPI) -> None:
    app.add_middleware(RequestIdMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(MountRootAlias, prefix=BACKOFFICE_PREFIX)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")


def create_gateway_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()
    staff = _backoffice(settings) if settings.serve_backoffice else None
    mounted = (staff,) if staff is not None else ()
    app = FastAPI(
        title="Marelle — passerelle", lifespan=lifespan(settings, *mounted), docs_url="/api/docs"
    )
    install_problem_handlers(app)
    install_page_errors(app, render_portal_error, login_route="portal.login", api_prefix="/api/")
    app.include_router(health.router)
    app.include_router(proxy.router)
    for router in portal.routers():
        app.include_router(router)
    _page_app(app)
    if staff is not None:
        app.mount(BACKOFFICE_PREFIX, staff)
    return app


def create_backoffice_app(settings: GatewaySettings | None = None) -> FastAPI:
    """The back office as its own process: ``python -m marelle_gateway backoffice``."""
    settings = settings or GatewaySettings()
    staff = _backoffice(settings)
    app = FastAPI(
        title="Marelle — espace agents",
        lifespan=lifespan(settings, staff),
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    install_problem_handlers(app)
    install_page_errors(app, render_backoffice_error, login_route="admin.login")
    app.include_router(health.router)
    app.include_router(backoffice.entry_router())
    _page_app(app)
    app.mount(BACKOFFICE_PREFIX, staff)
    return app
