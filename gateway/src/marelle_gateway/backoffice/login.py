"""The back office's login: the form posts here (the browser never talks to the auth-service
directly, so the back office works as its own process), the OIDC callback, and logout."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from marelle_gateway.backoffice.layout import StaffPage
from marelle_gateway.clients.base import Anonymous, UpstreamProblem
from marelle_gateway.state import AuthClientDep, VerifierDep
from marelle_gateway.web import signin
from marelle_gateway.web.deps import BrowserSessionDep, CsrfChecked, PageTenant, client_address
from marelle_gateway.web.forms import PostedForm
from marelle_gateway.web.rendering import Page, redirect_to, route_path
from marelle_gateway.web.session import BrowserSession

router = APIRouter(include_in_schema=False)
# What the login form may carry to the provider: the authorization request and the credentials.
AUTHORIZE_FIELDS = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "email",
    "password",
)


def _redirect_uri(request: Request, page: Page) -> str:
    return page.settings.staff_url + route_path(request, "admin.callback")


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
        template="backoffice/login/login.html",
        audience="backoffice",
        redirect_uri=_redirect_uri(request, page),
        error=error,
        status_code=status,
    )


@router.get("/", name="admin.login", response_model=None)
async def login_page(request: Request, page: StaffPage, session: BrowserSessionDep) -> Response:
    if page.user is not None and page.user.is_staff:
        return redirect_to(request, "admin.households")
    return await _login(request, page, session)


@router.post("/connexion", name="admin.authorize", dependencies=[CsrfChecked])
async def authorize(
    request: Request, form: PostedForm, tenant: PageTenant, auth: AuthClientDep
) -> RedirectResponse:
    """Passes the login form to the provider, and the browser on to where it answers (the
    callback, with a code or a refusal)."""
    fields = {name: str(form.get(name) or "")[:1000] for name in AUTHORIZE_FIELDS}
    try:
        location = await auth.authorize(
            Anonymous(tenant.id), fields, forwarded_for=client_address(request)
        )
    except UpstreamProblem as problem:
        if problem.unavailable:
            raise
        location = route_path(request, "admin.callback", q_error="invalid_request")
    return RedirectResponse(location, status_code=303)


@router.get("/connexion/retour", name="admin.callback", response_model=None)
async def callback(
    request: Request,
    page: StaffPage,
    tenant: PageTenant,
    session: BrowserSessionDep,
    auth: AuthClientDep,
    verifier: VerifierDep,
    state: str = "",
    code: str = "",
    error: str = "",
) -> Response:
    outcome = await signin.finish(
        session,
        auth,
        verifier,
        tenant,
        state=state,
        code=code,
        error=error,
        redirect_uri=_redirect_uri(request, page),
    )
    if outcome.data is None or outcome.data.user is None:
        return await _login(request, page, session, outcome.error, outcome.status)
    if not outcome.data.user.is_staff:
        await signin.revoke(auth, outcome.data)
        return await _login(request, page, session, "not-staff", 403)
    return await signin.signed_in_redirect(
        request, session, outcome.data, to="admin.households", secure=page.settings.secure_cookies
    )


@router.post("/deconnexion", name="admin.logout", dependencies=[CsrfChecked])
async def logout(request: Request, session: BrowserSessionDep, auth: AuthClientDep) -> Response:
    return await signin.sign_out(request, session, auth, to="admin.login")
