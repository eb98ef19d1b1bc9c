"""The parents' portal and the staff back office, rendered on the server (French, accessible,
usable without JavaScript)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from marelle_gateway.csrf import CSRF_FIELD, CsrfProtection
from marelle_gateway.tenants import TenantInfo

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
router = APIRouter(include_in_schema=False)


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    response = templates.TemplateResponse(request, template, context, status_code=status_code)
    return response


def render_form(
    request: Request, template: str, tenant: TenantInfo, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """A page with forms: each carries the CSRF token bound to this browser's cookie."""
    csrf: CsrfProtection = request.app.state.csrf
    response = HTMLResponse("")
    token = csrf.token_for(request, response)
    page = render(
        request,
        template,
        status_code,
        tenant=tenant,
        csrf_field=CSRF_FIELD,
        csrf_token=token,
        **context,
    )
    for value in response.headers.getlist("set-cookie"):
        page.headers.append("set-cookie", value)
    return page


async def page_tenant(request: Request) -> TenantInfo:
    tenant: TenantInfo = await request.app.state.resolve_page_tenant(request)
    return tenant


@router.get("/aide", response_class=HTMLResponse)
async def help_page(request: Request) -> HTMLResponse:
    return render(request, "help.html", tenant=await page_tenant(request))
