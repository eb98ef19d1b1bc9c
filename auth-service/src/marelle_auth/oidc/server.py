"""The thin adapter between Authlib's OAuth 2 server and this async FastAPI service
(docs/adr/0009-oidc-adapter.md).

Authlib's grants are synchronous; each request runs them inside ``AsyncSession.run_sync`` with
the request's own session, so their queries join the request's transaction. Only what Authlib
does not do is ours: hashed storage of codes and refresh tokens, reuse detection, and signed
JWT access tokens."""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, ClassVar
from uuid import UUID

from authlib.oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin, OAuth2Payload, OAuth2Request, grants
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from joserfc import jwt
from joserfc.jwk import RSAKey
from sqlalchemy.orm import Session

from marelle_auth.models import Account, AuthorizationCode, RefreshToken, SigningKey
from marelle_auth.oidc.repository import GrantRecords
from marelle_auth.settings import AuthSettings
from marelle_kit.clock import utcnow
from marelle_kit.ids import new_id

SCOPES = "openid profile email"
# What a guardian's token says (not a staff role: parents reach only their own household).
PARENT_ROLE = "parent"


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


class FormPayload(OAuth2Payload):  # type: ignore[misc]
    def __init__(self, values: dict[str, list[str]]) -> None:
        self._values = values

    @property
    def data(self) -> dict[str, str]:
        return {key: items[0] for key, items in self._values.items() if items}

    @property
    def datalist(self) -> dict[str, list[str]]:
        return self._values


class FormRequest(OAuth2Request):  # type: ignore[misc]
    """An OAuth 2 request made of a Starlette request's already-read form and query values."""

    def __init__(
        self, method: str, uri: str, headers: dict[str, str], values: dict[str, list[str]]
    ) -> None:
        super().__init__(method=method, uri=uri, headers=headers)
        self.payload = FormPayload(values)
        self._values = values

    @property
    def args(self) -> dict[str, str]:
        return self.payload.data

    @property
    def form(self) -> dict[str, str]:
        return self.payload.data


@dataclass(frozen=True)
class PortalClient(ClientMixin):  # type: ignore[misc]
    """The portal (the gateway): a public client, so PKCE is what binds code and client."""

    client_id: str
    redirect_uris: tuple[str, ...]

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope: str) -> str:
        allowed = set(SCOPES.split())
        return " ".join(s for s in (scope or "").split() if s in allowed)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return False

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == "none"

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in ("authorization_code", "refresh_token")


PORTAL_CLIENT_ID = "marelle-portal"


class S256Only(CodeChallenge):  # type: ignore[misc]
    """PKCE is mandatory and only S256 is accepted (SECURITY.md)."""

    SUPPORTED_CODE_CHALLENGE_METHOD: ClassVar[list[str]] = ["S256"]
    DEFAULT_CODE_CHALLENGE_METHOD = "S256"

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        request = grant.request
        if request.payload.data.get("code_challenge_method") != "S256":
            from authlib.oauth2.rfc6749.errors import InvalidRequestError

            raise InvalidRequestError("PKCE S256 is required ('code_challenge_method=S256').")
        super().validate_code_challenge(grant, redirect_uri)

    def get_authorization_code_challenge(self, authorization_code: Any) -> str:
        return str(authorization_code.code_challenge)

    def get_authorization_code_challenge_method(self, authorization_code: Any) -> str:
        return str(authorization_code.code_challenge_method)


@dataclass
class IssuedCode:
    """The AuthorizationCodeMixin view of a stored code."""

    row: AuthorizationCode

    @property
    def code_challenge(self) -> str:
        return self.row.code_challenge

    @property
    def code_challenge_method(self) -> str:
        return self.row.code_challenge_method

    def get_redirect_uri(self) -> str:
        return self.row.redirect_uri

    def get_scope(self) -> str:
        return self.row.scope

    def get_nonce(self) -> str | None:
        return self.row.nonce

    def get_auth_time(self) -> int:
        return int(self.row.created_at.timestamp())

    def get_acr(self) -> str | None:
        return None

    def get_amr(self) -> list[str]:
        return ["pwd"]


@dataclass
class Findings:
    """What the grants noticed that must outlive an error response (its transaction rolls back):
    a replayed code or refresh token revokes what it issued."""

    replayed_code_ids: list[UUID] = field(default_factory=list)
    replayed_families: list[UUID] = field(default_factory=list)


@dataclass
class IssuedRefresh:
    """The TokenMixin view of a stored refresh token."""

    row: RefreshToken

    def get_scope(self) -> str:
        return self.row.scope

    def check_client(self, client: ClientMixin) -> bool:
        return bool(client.get_client_id() == self.row.client_id)

    def is_expired(self) -> bool:
        return self.row.expires_at <= utcnow()

    def is_revoked(self) -> bool:
        return self.row.revoked_at is not None or self.row.rotated_at is not None


class IdTokens(OpenIDCode):  # type: ignore[misc]
    """OIDC Core 3.1.3.3: with the ``openid`` scope the token response carries an ID token,
    signed by the current key, for the portal client, with the request's nonce."""

    def __init__(self, server: MarelleServer) -> None:
        super().__init__(require_nonce=False)
        self.server = server

    def resolve_client_private_key(self, client: ClientMixin) -> RSAKey:
        return RSAKey.import_key(json.loads(self.server.key.private_jwk))

    def get_client_algorithm(self, client: ClientMixin) -> str:
        return "RS256"

    def get_encode_header(self, client: ClientMixin) -> dict[str, str]:
        return {"alg": "RS256", "kid": str(self.server.key.id), "typ": "JWT"}

    def get_client_claims(self, client: ClientMixin) -> dict[str, Any]:
        return {
            "iss": self.server.settings.platform.token_issuer,
            "aud": [client.get_client_id()],
            "exp": int(time.time()) + self.server.settings.access_token_minutes * 60,
        }

    def exists_nonce(self, nonce: str, request: OAuth2Request) -> bool:
        """A nonce already bound to a code is a replayed authorization request."""
        return self.server.records.nonce_used(nonce)

    def generate_user_info(self, user: Account, scope: str) -> UserInfo:
        info = UserInfo(sub=str(user.id))
        if "profile" in scope.split():
            info.update(given_name=user.first_name, family_name=user.last_name)
        if "email" in scope.split():
            info.update(email=user.email, email_verified=True)
        return info


class MarelleServer(AuthorizationServer):  # type: ignore[misc]
    def __init__(self, session: Session, settings: AuthSettings, key: SigningKey) -> None:
        super().__init__(scopes_supported=SCOPES.split())
        self.session = session
        self.records = GrantRecords(session)
        self.settings = settings
        self.key = key
        self.findings = Findings()
        self.client = PortalClient(PORTAL_CLIENT_ID, tuple(settings.portal_redirect_uris))
        self.register_grant(CodeGrant, [S256Only(required=True), IdTokens(self)])
        self.register_grant(RefreshGrant)
        self.register_token_generator("default", self.generate_tokens)

    # Authlib hooks ---------------------------------------------------------------------------
    def query_client(self, client_id: str) -> PortalClient | None:
        return self.client if client_id == self.client.client_id else None

    def save_token(self, token: dict[str, Any], request: Any) -> None:
        previous = getattr(request, "refresh_token", None)
        code = getattr(request, "authorization_code", None)
        if isinstance(previous, IssuedRefresh):  # rotation: the same family, the same origin
            family_id, code_id = previous.row.family_id, previous.row.code_id
        else:
            family_id, code_id = new_id(), code.row.id if isinstance(code, IssuedCode) else None
        self.records.add(
            RefreshToken(
                token_hash=digest(token["refresh_token"]),
                family_id=family_id,
                code_id=code_id,
                account_id=request.user.id,
                client_id=self.client.client_id,
                scope=token.get("scope", ""),
                expires_at=utcnow() + timedelta(hours=self.settings.refresh_token_hours),
            )
        )

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        return None

    def create_oauth2_request(self, request: Any) -> Any:
        return request

    def create_json_request(self, request: Any) -> Any:
        return request

    def handle_response(
        self, status: int, body: Any, headers: list[tuple[str, str]]
    ) -> tuple[int, Any, list[tuple[str, str]]]:
        return status, body, headers

    # Tokens ----------------------------------------------------------------------------------
    def generate_tokens(
        self,
        *,
        client: Any,
        grant_type: str,
        user: Account,
        scope: str,
        expires_in: int | None = None,
        include_refresh_token: bool = True,
    ) -> dict[str, Any]:
        lifetime = self.settings.access_token_minutes * 60
        now = int(time.time())
        claims = {
            "iss": self.settings.platform.token_issuer,
            "aud": self.settings.platform.token_audience,
            "sub": str(user.id),
            "tenant_id": str(user.tenant_id),
            "household_id": str(user.household_id) if user.household_id else None,
            "roles": [PARENT_ROLE]
            if user.kind == "parent"
            else [r for r in user.roles.split(",") if r],
            "given_name": user.first_name,
            "email": user.email,
            "scope": scope,
            "client_id": client.client_id,
            "jti": secrets.token_urlsafe(16),
            "iat": now,
            "exp": now + lifetime,
        }
        private = RSAKey.import_key(json.loads(self.key.private_jwk))
        access = jwt.encode(
            {"alg": "RS256", "kid": str(self.key.id), "typ": "at+jwt"},
            {k: v for k, v in claims.items() if v is not None},
            private,
        )
        token = {
            "token_type": "Bearer",
            "access_token": access,
            "expires_in": lifetime,
            "scope": scope,
        }
        if include_refresh_token:
            token["refresh_token"] = secrets.token_urlsafe(32)
        return token


class CodeGrant(grants.AuthorizationCodeGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = ["none"]
    server: MarelleServer

    def save_authorization_code(self, code: str, request: Any) -> None:
        data = request.payload.data
        self.server.records.add(
            AuthorizationCode(
                code_hash=digest(code),
                client_id=request.client.client_id,
                redirect_uri=data.get("redirect_uri", ""),
                scope=request.payload.scope or "",
                account_id=request.user.id,
                code_challenge=data.get("code_challenge", ""),
                code_challenge_method=data.get("code_challenge_method", "S256"),
                nonce=data.get("nonce"),
                expires_at=utcnow()
                + timedelta(minutes=self.server.settings.authorization_code_minutes),
            )
        )

    def query_authorization_code(self, code: str, client: Any) -> IssuedCode | None:
        row = self.server.records.code(digest(code))
        if row is None or row.client_id != client.client_id:
            return None
        if row.used_at is not None:
            self.server.findings.replayed_code_ids.append(row.id)
            return None
        if row.expires_at <= utcnow():
            return None
        return IssuedCode(row)

    def delete_authorization_code(self, authorization_code: IssuedCode) -> None:
        authorization_code.row.used_at = utcnow()  # kept to detect a replay
        self.server.records.add(authorization_code.row)

    def authenticate_user(self, authorization_code: IssuedCode) -> Account | None:
        account = self.server.records.account(authorization_code.row.account_id)
        return account if account is not None and account.active else None


class RefreshGrant(grants.RefreshTokenGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = ["none"]
    INCLUDE_NEW_REFRESH_TOKEN = True
    server: MarelleServer

    def authenticate_refresh_token(self, refresh_token: str) -> IssuedRefresh | None:
        row = self.server.records.refresh_token(digest(refresh_token))
        if row is None:
            return None
        if row.rotated_at is not None or row.revoked_at is not None:
            self.server.findings.replayed_families.append(row.family_id)
            return None
        if row.expires_at <= utcnow():
            return None
        return IssuedRefresh(row)

    def authenticate_user(self, credential: IssuedRefresh) -> Account | None:
        account = self.server.records.account(credential.row.account_id)
        return account if account is not None and account.active else None

    def revoke_old_credential(self, credential: IssuedRefresh) -> None:
        credential.row.rotated_at = utcnow()
        self.server.records.add(credential.row)


def revoke_findings(session: Session, findings: Findings) -> None:
    """Replays revoke every refresh token issued from the code, or of the family."""
    now = utcnow()
    records = GrantRecords(session)
    for code_id in findings.replayed_code_ids:
        records.revoke_issued_from_code(code_id, now)
    for family_id in findings.replayed_families:
        records.revoke_family(family_id, now)
