"""Login through the auth-service (authorization code + PKCE S256), the parent's home page, and
logout. The gateway is the OIDC client: tokens stay in the server-side session."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import secrets
import time
from typing import Annotated, Any
from uuid import UUID

import aiohttp
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from joserfc.jws import extract_compact

from marelle_gateway.accounts import PORTAL_CLIENT_ID, AuthClient, AuthUnavailable
from marelle_gateway.csrf import CSRF_FIELD, CsrfProtection
from marelle_gateway.pages import page_tenant, render_form
from marelle_gateway.sessions import SESSION_COOKIE, SESSION_SECONDS, SessionStore, new_session_id
from marelle_gateway.settings import GatewaySettings
from marelle_gateway.tenants import TenantInfo
from marelle_kit.errors import Unauthorized
from marelle_kit.security import TokenVerifier
from marelle_kit.tenancy import TENANT_HEADER

router = APIRouter(include_in_schema=False)
REFRESH_MARGIN_SECONDS = 60


def _settings(request: Request) -> GatewaySettings:
    settings: GatewaySettings = request.app.state.settings
    return settings


def _store(request: Request) -> SessionStore:
    store: SessionStore = request.app.state.sessions
    return store


def redirect_uri(request: Request) -> str:
    return _settings(request).public_url.rstrip("/") + "/auth/callback"


def set_session_cookie(request: Request, response: Response, session_id: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        session_id,
        max_age=SESSION_SECONDS,
        httponly=True,
        secure=_settings(request).secure_cookies,
        samesite="lax",
        path="/",
    )


async def current_session(request: Request) -> tuple[str | None, dict[str, Any]]:
    session_id = request.cookies.get(SESSION_COOKIE)
    if not session_id:
        return None, {}
    return session_id, await _store(request).get(session_id) or {}


async def login_form_fields(
    request: Request, response: Response, next_path: str = "/accueil"
) -> dict[str, str]:
    """A fresh authorization request for the login form: state and PKCE verifier are kept in
    the session; the form carries the state and the S256 challenge."""
    session_id, data = await current_session(request)
    if session_id is None:
        session_id = new_session_id()
    verifier = secrets.token_urlsafe(48)
    state = secrets.token_urlsafe(24)
    nonce = secrets.token_urlsafe(24)
    data["pending"] = {"state": state, "nonce": nonce, "verifier": verifier, "next": next_path}
    await _store(request).put(session_id, data)
    set_session_cookie(request, response, session_id)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return {
        "response_type": "code",
        "client_id": PORTAL_CLIENT_ID,
        "redirect_uri": redirect_uri(request),
        "scope": "openid profile email",
        "state": state,
        "nonce": nonce,
        "code_challenge": challenge.rstrip(b"=").decode(),
        "code_challenge_method": "S256",
    }


async def render_login(
    request: Request,
    tenant: TenantInfo,
    *,
    status_code: int = 200,
    error: str | None = None,
    staff: bool = False,
) -> HTMLResponse:
    """The parents' login (home page) or the staff's (back office), with a fresh request."""
    holder = HTMLResponse("")
    fields = await login_form_fields(request, holder, "/admin/foyers" if staff else "/accueil")
    template = "staff_login.html" if staff else "portal_login.html"
    page = render_form(
        request, template, tenant, status_code=status_code, oauth=fields, error=error
    )
    for value in holder.headers.getlist("set-cookie"):
        page.headers.append("set-cookie", value)
    return page


@router.get("/", response_model=None)
async def portal_home(request: Request) -> Response:
    """The login page, or the home page for a signed-in parent."""
    _session_id, data = await current_session(request)
    if "access_token" in data:
        return RedirectResponse("/accueil", status_code=303)
    return await render_login(request, await page_tenant(request))


@router.get("/auth/callback", response_model=None)
async def callback(request: Request, state: str = "", code: str = "", error: str = "") -> Response:
    tenant = await page_tenant(request)
    session_id, data = await current_session(request)
    pending = data.get("pending") or {}
    staff = str(pending.get("next", "")).startswith("/admin")
    if not session_id or not pending or not secrets.compare_digest(pending["state"], state):
        return await render_login(
            request,
            tenant,
            staff=staff,
            status_code=400,
            error="Votre demande de connexion a expiré. Saisissez à nouveau vos identifiants.",
        )
    if error or not code:
        return await render_login(
            request,
            tenant,
            staff=staff,
            status_code=401,
            error="Adresse e-mail ou mot de passe incorrect.",
        )
    auth: AuthClient = request.app.state.auth_client
    try:
        answer = await auth.exchange_code(code, pending["verifier"], redirect_uri(request))
    except AuthUnavailable:
        return await render_login(
            request,
            tenant,
            staff=staff,
            status_code=503,
            error="La connexion est momentanément indisponible.",
        )
    if answer.status != 200:
        return await render_login(
            request,
            tenant,
            staff=staff,
            status_code=400,
            error="La connexion n'a pas abouti. Recommencez.",
        )
    signed_in = await _signed_in_session(request, answer.body, tenant, pending.get("nonce"))
    if signed_in is None:
        return await render_login(
            request,
            tenant,
            staff=staff,
            status_code=400,
            error="La connexion n'a pas abouti. Recommencez.",
        )
    await _store(request).delete(session_id)
    new_id = new_session_id()  # a new id at login: no session fixation
    await _store(request).put(new_id, signed_in)
    response = RedirectResponse(pending.get("next") or "/accueil", status_code=303)
    set_session_cookie(request, response, new_id)
    return response


async def _signed_in_session(
    request: Request, tokens: dict[str, Any], tenant: TenantInfo, nonce: str | None
) -> dict[str, Any] | None:
    """The session of a signed-in person, once the access token is verified and the ID token
    (OIDC Core 3.1.3.7) is ours, for this client, for this very request (its nonce)."""
    verifier: TokenVerifier = request.app.state.token_verifier
    try:
        principal = await verifier.verify(str(tokens.get("access_token", "")))
        identity = await verifier.verify_id_token(
            str(tokens.get("id_token", "")), audience=PORTAL_CLIENT_ID
        )
    except Unauthorized:
        return None
    if principal.tenant_id != tenant.id or identity.get("sub") != principal.subject:
        return None
    if not nonce or not secrets.compare_digest(str(identity.get("nonce", "")), nonce):
        return None
    # The token was verified just above: its other claims can be read as they are.
    claims = json.loads(extract_compact(str(tokens["access_token"]).encode()).payload)
    return {
        "access_token": tokens["access_token"],
        "refresh_token": tokens.get("refresh_token"),
        "expires_at": time.time() + int(tokens.get("expires_in", 0)),
        "user": {
            "id": principal.subject,
            "tenant_id": str(principal.tenant_id),
            "household_id": str(principal.household_id) if principal.household_id else None,
            "roles": sorted(principal.roles),
            "given_name": str(claims.get("given_name", "")),
        },
    }


async def fresh_access_token(request: Request, session_id: str, data: dict[str, Any]) -> str | None:
    """The session's access token, refreshed (and the refresh token rotated) when near expiry."""
    if time.time() < float(data.get("expires_at", 0)) - REFRESH_MARGIN_SECONDS:
        return str(data["access_token"])
    refresh_token = data.get("refresh_token")
    if not refresh_token:
        return None
    auth: AuthClient = request.app.state.auth_client
    answer = await auth.refresh(refresh_token)
    if answer.status != 200:
        return None
    data.update(
        access_token=answer.body["access_token"],
        refresh_token=answer.body.get("refresh_token"),
        expires_at=time.time() + int(answer.body.get("expires_in", 0)),
    )
    await _store(request).put(session_id, data)
    return str(data["access_token"])


@router.get("/accueil", response_model=None)
async def home(request: Request) -> Response:
    tenant = await page_tenant(request)
    session_id, data = await current_session(request)
    if session_id is None or "access_token" not in data:
        return RedirectResponse("/", status_code=303)
    try:
        token = await fresh_access_token(request, session_id, data)
    except AuthUnavailable:
        token = None
    if token is None:
        await _store(request).delete(session_id)
        return RedirectResponse("/", status_code=303)
    household = await _household(request, token, data["user"])
    user = data["user"]
    return render_form(request, "home.html", tenant, household=household, user=user)


async def _household(request: Request, token: str, user: dict[str, Any]) -> dict[str, Any] | None:
    household_id = user.get("household_id")
    if not household_id:
        return None
    settings = _settings(request)
    session: aiohttp.ClientSession = request.app.state.proxy.session
    try:
        async with session.get(
            f"{settings.family_url}/households/{UUID(household_id)}",
            headers={"Authorization": f"Bearer {token}", TENANT_HEADER: user["tenant_id"]},
            timeout=aiohttp.ClientTimeout(total=settings.proxy_timeout),
        ) as response:
            if response.status != 200:
                return None
            body: dict[str, Any] = await response.json()
            return body
    except (aiohttp.ClientError, TimeoutError):
        return None


@router.post("/deconnexion", response_model=None)
async def logout(
    request: Request, csrf_token: Annotated[str | None, Form(alias=CSRF_FIELD)] = None
) -> Response:
    csrf: CsrfProtection = request.app.state.csrf
    session_id, data = await current_session(request)
    if not csrf.is_valid(request, csrf_token):
        return RedirectResponse("/accueil", status_code=303)
    if session_id is not None:
        if data.get("refresh_token"):
            auth: AuthClient = request.app.state.auth_client
            # If the auth-service is down the session still ends here; the token expires alone.
            with contextlib.suppress(AuthUnavailable):
                await auth.revoke(data["refresh_token"])
        await _store(request).delete(session_id)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
