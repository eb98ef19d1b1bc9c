"""OAuth 2 / OpenID Connect endpoints: discovery, authorization (login form post), token,
revocation. Only the authorization code grant with PKCE S256 and refresh tokens exist."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from authlib.oauth2.rfc6749.errors import OAuth2Error
from fastapi import Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from marelle_auth import catalogue
from marelle_auth.audit.service import client_ip
from marelle_auth.catalogue import InvalidAuthorizationRequest
from marelle_auth.oidc.repository import RefreshTokenRepository
from marelle_auth.oidc.server import PORTAL_CLIENT_ID, SCOPES, FormRequest, digest
from marelle_auth.oidc.service import OidcService, location_of, revoke_replays
from marelle_auth.settings import AuthSettings
from marelle_kit.clock import utcnow
from marelle_kit.tenancy import TenantId
from marelle_kit.unit_of_work import SessionDep, transactional_router
from marelle_kit.validation import normalize_email

router = transactional_router(tags=["oidc"])
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _settings(request: Request) -> AuthSettings:
    settings = request.app.state.runtime.settings
    assert isinstance(settings, AuthSettings)
    return settings


async def _oauth_request(request: Request) -> tuple[FormRequest, dict[str, str]]:
    form = await request.form()
    values: dict[str, list[str]] = {
        k: list(request.query_params.getlist(k)) for k in request.query_params
    }
    for key in form:
        values.setdefault(key, []).extend(str(v) for v in form.getlist(key))
    # Authlib checks the transport of the URI: the public one (TLS ends before this service).
    public = _settings(request).public_url.rstrip("/") + request.url.path
    oauth = FormRequest(request.method, public, dict(request.headers), values)
    return oauth, oauth.payload.data


@router.get("/.well-known/openid-configuration")
async def discovery(request: Request) -> dict[str, Any]:
    settings = _settings(request)
    base = settings.public_url.rstrip("/")
    return {
        "issuer": settings.platform.token_issuer,
        "authorization_endpoint": f"{base}/oauth/authorize",
        "token_endpoint": f"{base}/oauth/token",
        "revocation_endpoint": f"{base}/oauth/revoke",
        "jwks_uri": f"{base}/.well-known/jwks.json",
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["none"],
        "scopes_supported": SCOPES.split(),
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
    }


@router.post("/oauth/authorize", response_model=None)
async def authorize(request: Request, tenant_id: TenantId, session: SessionDep) -> Response:
    """The login form posts here with the authorization request (OIDC Core 3.1.2.1 allows
    POST). Good credentials: a redirect with a single-use code; bad ones: a redirect with
    ``access_denied``, the same for an unknown e-mail, a wrong password or a closed account."""
    oauth, data = await _oauth_request(request)
    service = OidcService(
        session,
        _settings(request),
        ip=client_ip(request),
        throttle=request.app.state.runtime.state.get("login_throttle"),
    )
    try:
        grant = await service.run(lambda server: server.get_consent_grant(request=oauth))
    except OAuth2Error as error:
        raise InvalidAuthorizationRequest(
            catalogue.AUTHORIZATION_INCOMPLETE,
            error=error.error,
        ) from error
    redirect_uri = data.get("redirect_uri") or grant.client.get_default_redirect_uri()
    try:
        email = normalize_email(data.get("email", ""))
    except ValueError:
        email = ""
    account = (
        await service.authenticate(tenant_id, email, data.get("password", "")) if email else None
    )
    if account is None:
        query = urlencode(
            {
                "error": "access_denied",
                "error_description": "credentials",
                "state": data.get("state", ""),
            }
        )
        return RedirectResponse(f"{redirect_uri}?{query}", status_code=303)
    _status, _body, headers = await service.run(
        lambda server: server.create_authorization_response(
            request=oauth, grant_user=account, grant=grant
        )
    )
    location = location_of(headers)
    if location is None:
        raise InvalidAuthorizationRequest(catalogue.AUTHORIZATION_FAILED)
    return RedirectResponse(location, status_code=303)


@router.post("/oauth/token", response_model=None)
async def token(request: Request, session: SessionDep) -> JSONResponse:
    oauth, _data = await _oauth_request(request)
    service = OidcService(session, _settings(request), ip=client_ip(request))
    status, body, headers = await service.run(
        lambda server: server.create_token_response(request=oauth)
    )
    if status >= 400:
        await revoke_replays(request.app.state.runtime.database, await service.server())
    return JSONResponse(body, status_code=status, headers={**dict(headers), **NO_STORE})


@router.post("/oauth/revoke", response_model=None)
async def revoke(request: Request, session: SessionDep) -> Response:
    """RFC 7009: revoking a refresh token ends its whole family (the session); the answer is
    the same whether or not the token was known."""
    form = await request.form()
    presented = str(form.get("token", ""))
    if presented and form.get("client_id", PORTAL_CLIENT_ID) == PORTAL_CLIENT_ID:
        tokens = RefreshTokenRepository(session)
        row = await tokens.by_hash(digest(presented))
        if row is not None:
            await tokens.revoke_family(row.family_id, utcnow())
    return Response(status_code=200, headers=NO_STORE)
