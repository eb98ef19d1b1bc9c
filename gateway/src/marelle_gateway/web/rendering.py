"""Rendering: the one Jinja environment (French filters, the catalogue, ``path_for``), and the
:class:`Page` a handler renders with. A page always carries the tenant, the signed-in person,
the layout's data (navigation) and a CSRF token bound to this browser's cookie."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context

from marelle_gateway.clients.base import Download, UpstreamProblem
from marelle_gateway.clients.tenants import Tenant
from marelle_gateway.settings import GatewaySettings
from marelle_gateway.state import CsrfDep, SettingsDep, get_state
from marelle_gateway.web import catalog, forms
from marelle_gateway.web.csrf import CSRF_FIELD, CsrfProtection
from marelle_gateway.web.deps import BrowserSessionDep, PageTenant, tenant_of
from marelle_gateway.web.errors import PageError
from marelle_gateway.web.formatting import FILTERS, shown
from marelle_gateway.web.session import SESSION_COOKIE, BrowserSession, SessionUser

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@pass_context
def path_for(context: Mapping[str, Any], name: str, /, **params: Any) -> str:
    """A route's path (no host): links and form actions name routes, never spell URLs."""
    request: Request = context["request"]
    return route_path(request, name, **params)


def route_path(request: Request, name: str, /, **params: Any) -> str:
    query = {k.removeprefix("q_"): v for k, v in params.items() if k.startswith("q_")}
    path_params = {k: str(v) for k, v in params.items() if not k.startswith("q_")}
    path = request.url_for(name, **path_params).path
    return f"{path}?{urlencode(query)}" if query else path


def redirect_to(
    request: Request, name: str, /, *, notice: str | None = None, anchor: str = "", **params: Any
) -> RedirectResponse:
    """The answer to a successful POST: 303 to a route, with the notice code it shows."""
    path = route_path(request, name, **params)
    if notice:
        path += ("&" if "?" in path else "?") + urlencode({"fait": notice})
    return RedirectResponse(path + (f"#{anchor}" if anchor else ""), status_code=303)


def _environment() -> Jinja2Templates:
    templates = Jinja2Templates(directory=TEMPLATES)
    env = templates.env
    env.filters.update(FILTERS)
    env.globals.update(catalog=catalog, forms=forms, path_for=path_for, shown=shown)
    env.trim_blocks = True
    env.lstrip_blocks = True
    return templates


templates = _environment()


class Page:
    """What a handler renders with: ``return page.render("backoffice/households/list.html",
    households=rows)``. Built by the audience's dependency (portal or back office)."""

    def __init__(
        self,
        request: Request,
        csrf: CsrfProtection,
        settings: GatewaySettings,
        *,
        tenant: Tenant | None,
        user: SessionUser | None,
        layout: Mapping[str, Any],
    ) -> None:
        self.request = request
        self.csrf = csrf
        self.settings = settings
        self.tenant = tenant
        self.user = user
        self.layout = layout

    def notice(self, code: str | None) -> str | None:
        return catalog.NOTICES.get(code or "")

    def render(self, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        holder = Response()
        token = self.csrf.token_for(self.request, holder)
        page = templates.TemplateResponse(
            self.request,
            template,
            {
                **self.layout,
                "tenant": self.tenant,
                "user": self.user,
                "settings": self.settings,
                "csrf_field": CSRF_FIELD,
                "csrf_token": token,
                "notice": self.notice(self.request.query_params.get("fait")),
                **context,
            },
            status_code=status_code,
        )
        for value in holder.headers.getlist("set-cookie"):
            page.headers.append("set-cookie", value)
        return page


def attachment(download: Download) -> Response:
    """A service's file passed on as a download (never shown inline: nosniff is global)."""
    return Response(
        download.content,
        media_type=download.media_type,
        headers={
            "Content-Disposition": download.disposition,
            "Cache-Control": "private, no-store",
        },
    )


LayoutFor = Callable[[SessionUser | None], Mapping[str, Any]]


def _user_for(session: BrowserSession, tenant: Tenant | None) -> SessionUser | None:
    user = session.data.user if session.data.signed_in else None
    if user is None or tenant is None or user.tenant_id != tenant.id:
        return None
    return user


def page_dependency(layout_for: LayoutFor) -> Callable[..., Awaitable[Page]]:
    """The page dependency of an audience: its layout's data for the signed-in person."""

    async def page(
        request: Request,
        csrf: CsrfDep,
        settings: SettingsDep,
        tenant: PageTenant,
        session: BrowserSessionDep,
    ) -> Page:
        user = _user_for(session, tenant)
        return Page(request, csrf, settings, tenant=tenant, user=user, layout=layout_for(user))

    return page


def error_renderer(layout_for: LayoutFor) -> Callable[[Request, PageError], Awaitable[Response]]:
    """The French error page of an audience, in its layout, whatever failed before (the
    tenant directory itself may be what is down)."""

    async def render(request: Request, error: PageError) -> Response:
        state = get_state(request)
        # What the request's dependencies found, else found again (they may not have run).
        tenant: Tenant | None = getattr(request.state, "tenant", None)
        if tenant is None:
            with contextlib.suppress(UpstreamProblem):
                tenant = await tenant_of(request, state.settings, state.tenants)
        session: BrowserSession | None = getattr(request.state, "session", None)
        if session is None:
            session = await BrowserSession.load(state.sessions, request.cookies.get(SESSION_COOKIE))
        user = _user_for(session, tenant)
        page = Page(
            request, state.csrf, state.settings, tenant=tenant, user=user, layout=layout_for(user)
        )
        title, message = catalog.ERRORS.get(error.code, catalog.ERRORS["refused"])
        return page.render(
            "shared/error.html",
            error.status,
            code=error.code,
            title=title,
            message=message,
            detail=error.detail,
        )

    return render
