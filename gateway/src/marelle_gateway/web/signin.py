"""Signing in through the auth-service (authorization code + PKCE S256), for both audiences:
the gateway is the OIDC client and keeps the tokens in the server-side session.

:func:`start` prepares a login form (state, nonce and verifier kept in the session);
:func:`finish` checks what the provider sent back and returns the signed-in session, or the
catalogue code of what went wrong."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import secrets
import time
from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from joserfc.jws import extract_compact

from marelle_gateway.clients.auth import PORTAL_CLIENT_ID, AuthClient
from marelle_gateway.clients.base import UpstreamProblem
from marelle_gateway.clients.tenants import Tenant
from marelle_gateway.web.rendering import Page, redirect_to
from marelle_gateway.web.session import (
    SESSION_COOKIE,
    SESSION_SECONDS,
    Audience,
    BrowserSession,
    PendingLogin,
    SessionData,
    SessionUser,
)
from marelle_kit.errors import Unauthorized
from marelle_kit.security import TokenVerifier

SCOPES = "openid profile email"


def set_session_cookie(response: Response, session_id: str, *, secure: bool) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        session_id,
        max_age=SESSION_SECONDS,
        httponly=True,
        secure=secure,
        samesite="lax",
        path="/",
    )


async def start(
    session: BrowserSession,
    response: Response,
    *,
    redirect_uri: str,
    audience: Audience,
    secure: bool,
) -> dict[str, str]:
    """A fresh authorization request: the hidden fields of the login form."""
    verifier = secrets.token_urlsafe(48)
    pending = PendingLogin(
        state=secrets.token_urlsafe(24),
        nonce=secrets.token_urlsafe(24),
        verifier=verifier,
        audience=audience,
    )
    session.data.pending = pending
    set_session_cookie(response, await session.save(), secure=secure)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return {
        "response_type": "code",
        "client_id": PORTAL_CLIENT_ID,
        "redirect_uri": redirect_uri,
        "scope": SCOPES,
        "state": pending.state,
        "nonce": pending.nonce,
        "code_challenge": challenge.rstrip(b"=").decode(),
        "code_challenge_method": "S256",
    }


@dataclass(frozen=True)
class Outcome:
    data: SessionData | None = None
    error: str | None = None  # a code of catalog.LOGIN_ERRORS
    status: int = 200


async def finish(
    session: BrowserSession,
    auth: AuthClient,
    verifier: TokenVerifier,
    tenant: Tenant,
    *,
    state: str,
    code: str,
    error: str,
    redirect_uri: str,
) -> Outcome:
    pending = session.data.pending
    if session.id is None or pending is None or not secrets.compare_digest(pending.state, state):
        return Outcome(error="expired", status=400)
    if error or not code:
        return Outcome(error="credentials", status=401)
    try:
        tokens = await auth.exchange_code(code, pending.verifier, redirect_uri)
    except UpstreamProblem as problem:
        return Outcome(
            error="unavailable" if problem.unavailable else "failed",
            status=503 if problem.unavailable else 400,
        )
    try:
        principal = await verifier.verify(tokens.access_token)
        identity = await verifier.verify_id_token(tokens.id_token or "", audience=PORTAL_CLIENT_ID)
    except Unauthorized:
        return Outcome(error="failed", status=400)
    if principal.tenant_id != tenant.id or identity.get("sub") != principal.subject:
        return Outcome(error="failed", status=400)
    if not secrets.compare_digest(str(identity.get("nonce", "")), pending.nonce):
        return Outcome(error="failed", status=400)
    # The token was verified just above: its other claims can be read as they are.
    claims = json.loads(extract_compact(tokens.access_token.encode()).payload)
    user = SessionUser(
        id=principal.subject,
        tenant_id=tenant.id,
        household_id=principal.household_id,
        roles=principal.roles,
        given_name=str(claims.get("given_name", "")),
        family_name=str(claims.get("family_name", "")),
    )
    return Outcome(
        SessionData(
            access_token=tokens.access_token,
            refresh_token=tokens.refresh_token,
            expires_at=time.time() + tokens.expires_in,
            user=user,
        )
    )


async def revoke(auth: AuthClient, data: SessionData) -> None:
    """Ends the tokens' family at the provider; if it is down the session still ends here
    (the access token expires on its own)."""
    if data.refresh_token:
        with contextlib.suppress(UpstreamProblem):
            await auth.revoke(data.refresh_token)


async def login_page(
    page: Page,
    session: BrowserSession,
    *,
    template: str,
    audience: Audience,
    redirect_uri: str,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """A login page with a fresh authorization request in its form."""
    holder = Response()
    oauth = await start(
        session,
        holder,
        redirect_uri=redirect_uri,
        audience=audience,
        secure=page.settings.secure_cookies,
    )
    response = page.render(template, status_code, oauth=oauth, error=error)
    for value in holder.headers.getlist("set-cookie"):
        response.headers.append("set-cookie", value)
    return response


async def signed_in_redirect(
    request: Request, session: BrowserSession, data: SessionData, *, to: str, secure: bool
) -> RedirectResponse:
    """The signed-in session under a new id (no session fixation), and on to ``to``."""
    response = redirect_to(request, to)
    set_session_cookie(response, await session.renew(data), secure=secure)
    return response


async def sign_out(
    request: Request, session: BrowserSession, auth: AuthClient, *, to: str
) -> RedirectResponse:
    await revoke(auth, session.data)
    await session.end()
    response = redirect_to(request, to)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
