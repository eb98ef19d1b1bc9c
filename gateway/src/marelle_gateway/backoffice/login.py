"""The back office's login (web/login.py), and the post of its form: the browser never talks to
the auth-service directly, so that the back office works as its own process."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse

from marelle_gateway.backoffice.layout import staff_page
from marelle_gateway.clients.base import Anonymous, UpstreamProblem
from marelle_gateway.state import AuthClientDep
from marelle_gateway.web.deps import CsrfChecked, PageTenant, client_address
from marelle_gateway.web.forms import PostedForm
from marelle_gateway.web.login import login_router
from marelle_gateway.web.rendering import Page, route_path
from marelle_gateway.web.session import SessionUser

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


def staff_only(user: SessionUser) -> str | None:
    return None if user.is_staff else "not-staff"


def staff_address(page: Page) -> str:
    return page.settings.staff_url


router = login_router(
    audience="backoffice",
    names="admin.",
    page=staff_page,
    template="backoffice/login/login.html",
    home="admin.households",
    base_url=staff_address,
    admit=staff_only,
    callback_path="/connexion/retour",
)


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
