"""The OpenID Connect provider: authorization code with PKCE S256 only, single-use codes,
15-minute RS256 access tokens carrying tenant, household and roles, an ID token with the nonce,
rotating refresh tokens with reuse detection, revocation, discovery, password change."""

from __future__ import annotations

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet

from marelle_contracts import GuardianAdded
from marelle_testkit.plugin import ServiceUnderTest
from marelle_testkit.tokens import TokenFactory

from oidc_client import (
    HEADERS,
    PASSWORD,
    TENANT,
    authorize,
    exchange,
    login,
    pkce,
    query_of,
    refresh,
    trust_own_keys,
)


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


async def test_with_the_openid_scope_an_id_token_names_the_person_for_the_portal(
    auth: ServiceUnderTest, parent: GuardianAdded
) -> None:
    verifier, challenge = pkce()
    code = query_of(await authorize(auth, challenge, nonce="nonce-4f2a"))["code"]
    tokens = (await exchange(auth, code, verifier)).json()
    keys = KeySet.import_key_set((await auth.client.get("/.well-known/jwks.json")).json())
    claims = jwt.decode(tokens["id_token"], keys, algorithms=["RS256"]).claims
    assert claims["aud"] == ["marelle-portal"] and claims["iss"] == "marelle"
    assert claims["sub"] == jwt.decode(tokens["access_token"], keys).claims["sub"]
    assert claims["amr"] == ["pwd"]
    assert claims["nonce"] == "nonce-4f2a" and claims["at_hash"]
    assert claims["given_name"] == "Anne" and claims["email"] == "anne.roy@exemple.fr"

    # A nonce is single-use: an authorization request replaying it is refused.
    _verifier, challenge = pkce()
    assert (await authorize(auth, challenge, nonce="nonce-4f2a")).status_code == 400


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


async def test_logins_are_audited(
    auth: ServiceUnderTest, parent: GuardianAdded, tokens: TokenFactory
) -> None:
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
    auth: ServiceUnderTest, tokens: TokenFactory
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


async def test_staff_accounts_take_every_town_role_and_nothing_else(
    auth: ServiceUnderTest, tokens: TokenFactory
) -> None:
    admin = tokens.headers(roles=["admin"], tenant_id=TENANT)
    for role in ("admin", "manager", "agent", "regie", "animateur", "reader"):
        body = {
            "email": f"{role}@mairie.test",
            "first_name": "Alex",
            "last_name": "Martin",
            "role": role,
        }
        created = await auth.client.post("/staff", json=body, headers=admin)
        assert created.status_code == 201, created.text
        assert created.json()["roles"] == [role]
    for role in ("operator", "parent", "chef", ""):
        body = {"email": "x@mairie.test", "first_name": "Alex", "last_name": "Martin", "role": role}
        refused = await auth.client.post("/staff", json=body, headers=admin)
        assert refused.status_code == 422, role
        [error] = refused.json()["errors"]
        assert error["field"] == "role" and error["message"].startswith("Rôle inconnu")
    listed = (await auth.client.get("/staff", headers=admin)).json()
    assert len(listed) == 6
    # A reader (lecture seule) may not create accounts.
    reader = tokens.headers(roles=["reader"], tenant_id=TENANT)
    assert (await auth.client.get("/staff", headers=reader)).status_code == 403


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
    assert weak.status_code == 409
    assert weak.json()["type"] == "urn:marelle:problem:password-policy"
    same = await auth.client.post(
        "/password/change",
        headers=bearer,
        json={"current_password": PASSWORD, "password": PASSWORD, "confirmation": PASSWORD},
    )
    assert same.status_code == 409
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
