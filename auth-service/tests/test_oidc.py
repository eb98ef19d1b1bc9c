"""The OpenID Connect provider: authorization code with PKCE S256 only, single-use codes,
15-minute RS256 access tokens carrying tenant, household and roles, rotating refresh tokens with
reuse detection, revocation, discovery."""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import Any
from urllib.parse import parse_qs, urlparse
from uuid import UUID, uuid4

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet

from marelle_contracts import GuardianAdded
from marelle_testkit.plugin import ServiceUnderTest

TENANT = UUID(int=11)
HEADERS = {"X-Marelle-Tenant": str(TENANT)}
REDIRECT = "http://127.0.0.1:8000/auth/callback"
PASSWORD = "Jmlc7vt!Lpm"


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    return verifier, challenge.decode()


@pytest.fixture
async def parent(auth: ServiceUnderTest) -> GuardianAdded:
    """A guardian whose password is set, through the real flow."""
    event = GuardianAdded(
        household_id=uuid4(),
        guardian_id=uuid4(),
        rank=1,
        first_name="Anne",
        last_name="Roy",
        email="anne.roy@exemple.fr",
    )
    await auth.deliver(event, tenant_id=TENANT, key=event.household_id)
    await auth.client.post("/password/links", json={"email": event.email}, headers=HEADERS)
    token = (await auth.published())[-1]["payload"]["token"]
    body = {"password": PASSWORD, "confirmation": PASSWORD}
    response = await auth.client.post(
        f"/password/links/{token}/password", json=body, headers=HEADERS
    )
    assert response.status_code == 204
    return event


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


async def test_code_flow_gives_a_short_signed_access_token_with_tenant_household_and_roles(
    auth: ServiceUnderTest, parent: GuardianAdded
) -> None:
    verifier, challenge = pkce()
    answer = await authorize(auth, challenge)
    assert answer.status_code == 303
    params = query_of(answer)
    assert params["state"] == "state-123" and len(params["code"]) >= 40

    tokens = (await exchange(auth, params["code"], verifier)).json()
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] <= 900
    keys = KeySet.import_key_set((await auth.client.get("/.well-known/jwks.json")).json())
    claims = jwt.decode(tokens["access_token"], keys, algorithms=["RS256"]).claims
    assert claims["tenant_id"] == str(TENANT)
    assert claims["household_id"] == str(parent.household_id)
    assert claims["roles"] == ["parent"] and claims["given_name"] == "Anne"
    assert claims["exp"] - claims["iat"] <= 900


@pytest.mark.parametrize(
    ("password", "email"),
    [
        ("Mauvais!Mot2passe", "anne.roy@exemple.fr"),
        (PASSWORD, "inconnu@exemple.fr"),
        (PASSWORD, "pas-une-adresse"),
    ],
)
async def test_bad_credentials_come_back_as_access_denied_whatever_the_cause(
    auth: ServiceUnderTest, parent: GuardianAdded, password: str, email: str
) -> None:
    _verifier, challenge = pkce()
    params = query_of(await authorize(auth, challenge, password=password, email=email))
    assert params["error"] == "access_denied" and "code" not in params


@pytest.mark.parametrize(
    "overrides",
    [
        {"code_challenge_method": "plain"},
        {"code_challenge": ""},
        {"redirect_uri": "https://pirate.example/callback"},
        {"client_id": "someone-else"},
        {"response_type": "token"},
    ],
)
async def test_requests_without_s256_pkce_or_with_foreign_clients_are_refused_without_redirect(
    auth: ServiceUnderTest, parent: GuardianAdded, overrides: dict[str, str]
) -> None:
    _verifier, challenge = pkce()
    response = await authorize(auth, challenge, **overrides)
    assert response.status_code == 400
    assert "location" not in response.headers
    assert response.json()["type"] == "urn:marelle:problem:invalid-authorization-request"


async def test_a_wrong_verifier_gets_no_token(
    auth: ServiceUnderTest, parent: GuardianAdded
) -> None:
    _verifier, challenge = pkce()
    code = query_of(await authorize(auth, challenge))["code"]
    other_verifier, _ = pkce()
    response = await exchange(auth, code, other_verifier)
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"


async def test_a_replayed_code_fails_and_revokes_what_it_issued(
    auth: ServiceUnderTest, parent: GuardianAdded
) -> None:
    verifier, challenge = pkce()
    code = query_of(await authorize(auth, challenge))["code"]
    first = (await exchange(auth, code, verifier)).json()
    replay = await exchange(auth, code, verifier)
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    assert (await refresh(auth, first["refresh_token"])).status_code == 400


async def test_refresh_tokens_rotate_and_a_reused_one_ends_the_session(
    auth: ServiceUnderTest, parent: GuardianAdded
) -> None:
    tokens = await login(auth)
    rotated = await refresh(auth, tokens["refresh_token"])
    assert rotated.status_code == 200
    new = rotated.json()
    assert new["refresh_token"] != tokens["refresh_token"]

    stolen = await refresh(auth, tokens["refresh_token"])  # the old one, presented again
    assert stolen.status_code == 400
    assert (await refresh(auth, new["refresh_token"])).status_code == 400  # family revoked


async def test_revocation_ends_the_session(auth: ServiceUnderTest, parent: GuardianAdded) -> None:
    tokens = await login(auth)
    revoked = await auth.client.post("/oauth/revoke", data={"token": tokens["refresh_token"]})
    assert revoked.status_code == 200
    assert (await refresh(auth, tokens["refresh_token"])).status_code == 400
    unknown = await auth.client.post("/oauth/revoke", data={"token": "inconnu"})
    assert unknown.status_code == 200


async def test_logins_are_audited(auth: ServiceUnderTest, parent: GuardianAdded, tokens) -> None:  # type: ignore[no-untyped-def]
    _verifier, challenge = pkce()
    await authorize(auth, challenge, password="Mauvais!Mot2passe")
    await login(auth)
    admin = tokens.headers(roles=["admin"], tenant_id=TENANT)
    entries = (await auth.client.get("/audit", headers=admin)).json()
    assert [(e["action"], e["outcome"]) for e in entries[:2]] == [
        ("login", "success"),
        ("login", "failure"),
    ]


async def test_discovery_names_the_endpoints_and_only_s256(auth: ServiceUnderTest) -> None:
    document = (await auth.client.get("/.well-known/openid-configuration")).json()
    assert document["code_challenge_methods_supported"] == ["S256"]
    assert document["response_types_supported"] == ["code"]
    assert document["jwks_uri"].endswith("/.well-known/jwks.json")


async def test_an_admin_creates_staff_who_choose_a_password_and_get_their_role_in_tokens(
    auth: ServiceUnderTest, tokens: Any
) -> None:
    admin = tokens.headers(roles=["admin"], tenant_id=TENANT)
    body = {
        "email": "karim@mairie.test",
        "first_name": "Karim",
        "last_name": "Benali",
        "role": "agent",
    }
    created = await auth.client.post("/staff", json=body, headers=admin)
    assert created.status_code == 201, created.text
    assert created.json()["roles"] == ["agent"] and not created.json()["has_password"]
    assert (await auth.client.post("/staff", json=body, headers=admin)).status_code == 409
    agent = tokens.headers(roles=["agent"], tenant_id=TENANT)
    assert (
        await auth.client.post("/staff", json={**body, "email": "x@mairie.test"}, headers=agent)
    ).status_code == 403

    link = (await auth.published())[-1]
    assert link["type"] == "auth.password_reset.requested"
    token = link["payload"]["token"]
    await auth.client.post(
        f"/password/links/{token}/password",
        json={"password": PASSWORD, "confirmation": PASSWORD},
        headers=HEADERS,
    )
    verifier, challenge = pkce()
    code = query_of(await authorize(auth, challenge, email="karim@mairie.test"))["code"]
    access = (await exchange(auth, code, verifier)).json()["access_token"]
    keys = KeySet.import_key_set((await auth.client.get("/.well-known/jwks.json")).json())
    claims = jwt.decode(access, keys, algorithms=["RS256"]).claims
    assert claims["roles"] == ["agent"] and "household_id" not in claims
    listed = (await auth.client.get("/staff", headers=admin)).json()
    assert [s["email"] for s in listed] == ["karim@mairie.test"]


async def test_changing_the_password_needs_the_current_one_and_ends_the_other_sessions(
    auth: ServiceUnderTest, parent: GuardianAdded
) -> None:
    here, elsewhere = await login(auth), await login(auth)
    await trust_own_keys(auth)
    bearer = {"Authorization": f"Bearer {here['access_token']}", **HEADERS}
    new = "Nouveau!Mot2Passe"

    wrong = await auth.client.post(
        "/password/change",
        headers=bearer,
        json={"current_password": "Pas!leBon1", "password": new, "confirmation": new},
    )
    assert wrong.status_code == 403
    weak = await auth.client.post(
        "/password/change",
        headers=bearer,
        json={
            "current_password": PASSWORD,
            "password": "Password123!",
            "confirmation": "Password123!",
        },
    )
    assert weak.status_code == 422
    same = await auth.client.post(
        "/password/change",
        headers=bearer,
        json={"current_password": PASSWORD, "password": PASSWORD, "confirmation": PASSWORD},
    )
    assert same.status_code == 422
    assert (
        await auth.client.post(
            "/password/change",
            json={"current_password": PASSWORD, "password": new, "confirmation": new},
            headers=HEADERS,
        )
    ).status_code == 401

    changed = await auth.client.post(
        "/password/change",
        headers=bearer,
        json={
            "current_password": PASSWORD,
            "password": new,
            "confirmation": new,
            "keep_refresh_token": here["refresh_token"],
        },
    )
    assert changed.status_code == 204
    assert (await refresh(auth, here["refresh_token"])).status_code == 200
    assert (await refresh(auth, elsewhere["refresh_token"])).status_code == 400
    _verifier, challenge = pkce()
    assert query_of(await authorize(auth, challenge))["error"] == "access_denied"
    assert "code" in query_of(await authorize(auth, challenge, password=new))
