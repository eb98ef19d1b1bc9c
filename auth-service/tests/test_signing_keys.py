"""Signing key rotation: a new key signs at once, the old one stays published until its tokens
expire (or is withdrawn at once after a leak); the worker rotates a key past its age."""

from __future__ import annotations

from datetime import timedelta

from joserfc import jwt
from joserfc.jwk import KeySet
from joserfc.jws import extract_compact

from marelle_auth.keys.service import KeyRing
from marelle_contracts import GuardianAdded
from marelle_testkit.plugin import ServiceUnderTest
from marelle_testkit.tokens import TokenFactory

from oidc_client import login


def kid_of(token: str) -> str:
    return str(extract_compact(token.encode()).protected["kid"])


async def published_kids(auth: ServiceUnderTest) -> list[str]:
    return [key["kid"] for key in (await auth.client.get("/.well-known/jwks.json")).json()["keys"]]


async def test_after_a_rotation_new_tokens_use_the_new_key_and_old_ones_still_verify(
    auth: ServiceUnderTest, parent: GuardianAdded, tokens: TokenFactory
) -> None:
    before = (await login(auth))["access_token"]
    rotated = await auth.client.post(
        "/keys/rotate", json={}, headers=tokens.headers(roles=["operator"])
    )
    assert rotated.status_code == 200
    new_kid = rotated.json()["kid"]
    assert await published_kids(auth) == [kid_of(before), new_kid]

    after = (await login(auth))["access_token"]
    assert kid_of(after) == new_kid
    keys = KeySet.import_key_set((await auth.client.get("/.well-known/jwks.json")).json())
    for token in (before, after):
        assert jwt.decode(token, keys, algorithms=["RS256"]).claims["roles"] == ["parent"]


async def test_a_withdrawn_key_leaves_the_jwks_at_once(
    auth: ServiceUnderTest, parent: GuardianAdded, tokens: TokenFactory
) -> None:
    before = (await login(auth))["access_token"]
    rotated = await auth.client.post(
        "/keys/rotate",
        json={"withdraw_old_key": True},
        headers=tokens.headers(roles=["operator"]),
    )
    assert await published_kids(auth) == [rotated.json()["kid"]] != [kid_of(before)]


async def test_only_operators_rotate_keys(auth: ServiceUnderTest, tokens: TokenFactory) -> None:
    kids = await published_kids(auth)
    for roles in (["admin"], ["agent"], ["parent"]):
        refused = tokens.headers(roles=roles)
        answer = await auth.client.post("/keys/rotate", json={}, headers=refused)
        assert answer.status_code == 403
    assert (await auth.client.post("/keys/rotate", json={})).status_code == 401
    assert await published_kids(auth) == kids


async def test_the_worker_rotates_a_key_only_once_it_is_old(auth: ServiceUnderTest) -> None:
    async with auth.runtime.database.transaction() as session:
        assert await KeyRing(session).rotate_if_older_than(timedelta(days=90)) is None
    async with auth.runtime.database.transaction() as session:
        fresh = await KeyRing(session).rotate_if_older_than(timedelta(0))
    assert fresh is not None and (await published_kids(auth))[-1] == str(fresh.id)
