"""The portal's login (its home page), the OIDC callback, and logout."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from marelle_gateway.portal.layout import PortalPage
from marelle_gateway.state import AuthClientDep, VerifierDep
from marelle_gateway.web import signin
from marelle_gateway.web.deps import BrowserSessionDep, CsrfChecked, PageTenant
from marelle_gateway.web.rendering import Page, redirect_to, route_path
from marelle_gateway.web.session import BrowserSession

router = APIRouter(include_in_schema=False)


async def _login(
    request: Request,
    page: Page,
    session: BrowserSession,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    return await signin.login_page(
        page,
        session,
        template="portal/login/login.html",
        audience="portal",
        redirect_uri=page.settings.public_url.rstrip("/") + route_path(request, "portal.callback"),
        error=error,
        status_code=status,
    )


@router.get("/", name="portal.login", response_model=None)
async def login_page(request: Request, page: PortalPage, session: BrowserSessionDep) -> Response:
    """The login page, or the home page for a signed-in parent."""
    if page.user is not None and page.user.household_id is not None:
        return redirect_to(request, "portal.home")
    return await _login(request, page, session)


@router.get("/auth/callback", name="portal.callback", response_model=None)
async def callback(
    request: Request,
    page: PortalPage,
    tenant: PageTenant,
    session: BrowserSessionDep,
    auth: AuthClientDep,
    verifier: VerifierDep,
    state: str = "",
    code: str = "",
    error: str = "",
) -> Response:
    redirect_uri = page.settings.public_url.rstrip("/") + route_path(request, "portal.callback")
    outcome = await signin.finish(
        session,
        auth,
        verifier,
        tenant,
        state=state,
        code=code,
        error=error,
        redirect_uri=redirect_uri,
    )
    if outcome.data is None or outcome.data.user is None:
        return await _login(request, page, session, outcome.error, outcome.status)
    if outcome.data.user.household_id is None:
        # A staff account has no household: it is told where its space is, and not signed in.
        await signin.revoke(auth, outcome.data)
        return await _login(request, page, session, "staff-account", 403)
    return await signin.signed_in_redirect(
        request, session, outcome.data, to="portal.home", secure=page.settings.secure_cookies
    )


@router.post("/deconnexion", name="portal.logout", dependencies=[CsrfChecked])
async def logout(request: Request, session: BrowserSessionDep, auth: AuthClientDep) -> Response:
    return await signin.sign_out(request, session, auth, to="portal.login")
