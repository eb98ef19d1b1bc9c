"""A test client of the OIDC provider: what the portal does, step by step (PKCE, the login
form post, the code exchange, refresh), and the test guardian's constants."""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import Any
from urllib.parse import parse_qs, urlparse
from uuid import UUID

from marelle_testkit.plugin import ServiceUnderTest

TENANT = UUID(int=11)
HEADERS = {"X-Marelle-Tenant": str(TENANT)}
REDIRECT = "http://127.0.0.1:8000/auth/callback"
PASSWORD = "Jmlc7vt!Lpm"


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    return verifier, challenge.decode()


async def authorize(
    auth: ServiceUnderTest,
    challenge: str,
    *,
    password: str = PASSWORD,
    email: str = "anne.roy@exemple.fr",
    **overrides: str,
) -> Any:
    form = {
        "response_type": "code",
        "client_id": "marelle-portal",
        "redirect_uri": REDIRECT,
        "scope": "openid profile email",
        "state": "state-123",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "email": email,
        "password": password,
        **overrides,
    }
    return await auth.client.post("/oauth/authorize", data=form, headers=HEADERS)


def query_of(response: Any) -> dict[str, str]:
    location = response.headers["location"]
    assert location.startswith(REDIRECT)
    return {k: v[0] for k, v in parse_qs(urlparse(location).query).items()}


async def exchange(auth: ServiceUnderTest, code: str, verifier: str) -> Any:
    return await auth.client.post(
        "/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "client_id": "marelle-portal",
            "code_verifier": verifier,
        },
    )


async def refresh(auth: ServiceUnderTest, token: str) -> Any:
    return await auth.client.post(
        "/oauth/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": token,
            "client_id": "marelle-portal",
        },
    )


async def login(auth: ServiceUnderTest) -> dict[str, Any]:
    verifier, challenge = pkce()
    code = query_of(await authorize(auth, challenge))["code"]
    response = await exchange(auth, code, verifier)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def trust_own_keys(auth: ServiceUnderTest) -> None:
    """Let the service accept the access tokens it signs (in production it reads its own JWKS)."""
    auth.accept_tokens_signed_by((await auth.client.get("/.well-known/jwks.json")).json())
