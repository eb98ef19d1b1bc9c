"""The login pages of an audience, built by one factory: the login page (or on to the audience's
home when already signed in), the OIDC callback and logout. The portal and the back office
differ only by their routes, template, redirect address and whom they let in."""

# No ``from __future__ import annotations``: the handlers built here take their dependencies
# from the factory's arguments, which FastAPI must read as objects.

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from marelle_gateway.state import AuthClientDep, VerifierDep
from marelle_gateway.web import signin
from marelle_gateway.web.deps import BrowserSessionDep, CsrfChecked, PageTenant
from marelle_gateway.web.rendering import Page, redirect_to, route_path
from marelle_gateway.web.session import Audience, BrowserSession, SessionUser

# Whom an audience lets in: None, or the catalogue code (catalog.LOGIN_ERRORS) of the refusal.
Admission = Callable[[SessionUser], str | None]


def login_router(
    *,
    audience: Audience,
    names: str,
    page: Callable[..., Any],
    template: str,
    home: str,
    base_url: Callable[[Page], str],
    admit: Admission,
    callback_path: str,
) -> APIRouter:
    """Routes ``{names}login`` (``/``), ``{names}callback`` and ``{names}logout``: ``names`` is
    the audience's route-name prefix, its dot included (``"portal."``)."""
    router = APIRouter(include_in_schema=False)
    ThePage = Annotated[Page, Depends(page)]

    def redirect_uri(request: Request, shown: Page) -> str:
        return base_url(shown) + route_path(request, f"{names}callback")

    async def render(
        request: Request,
        shown: Page,
        session: BrowserSession,
        error: str | None = None,
        status: int = 200,
    ) -> HTMLResponse:
        return await signin.login_page(
            shown,
            session,
            template=template,
            audience=audience,
            redirect_uri=redirect_uri(request, shown),
            error=error,
            status_code=status,
        )

    @router.get("/", name=f"{names}login", response_model=None)
    async def login(request: Request, shown: ThePage, session: BrowserSessionDep) -> Response:
        if shown.user is not None and admit(shown.user) is None:
            return redirect_to(request, home)
        return await render(request, shown, session)

    @router.get(callback_path, name=f"{names}callback", response_model=None)
    async def callback(
        request: Request,
        shown: ThePage,
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
            redirect_uri=redirect_uri(request, shown),
        )
        if outcome.data is None or outcome.data.user is None:
            return await render(request, shown, session, outcome.error, outcome.status)
        refusal = admit(outcome.data.user)
        if refusal is not None:
            # Not this audience's account: told where to go, and not signed in here.
            await signin.revoke(auth, outcome.data)
            return await render(request, shown, session, refusal, 403)
        secure = shown.settings.secure_cookies
        return await signin.signed_in_redirect(
            request, session, outcome.data, to=home, secure=secure
        )

    @router.post("/deconnexion", name=f"{names}logout", dependencies=[CsrfChecked])
    async def logout(request: Request, session: BrowserSessionDep, auth: AuthClientDep) -> Response:
        return await signin.sign_out(request, session, auth, to=f"{names}login")

    return router
