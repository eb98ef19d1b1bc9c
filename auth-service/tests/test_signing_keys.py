"""Signing key rotation: a new key signs at once, the old one stays published until its tokens
expire (or is withdrawn at once after a leak); the worker rotates a key past its age."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from joserfc import jwt
from joserfc.jwk import KeySet
from joserfc.jws import extract_compact

from marelle_auth.jobs import purge_audit, rotate_signing_key
from marelle_auth.keys.service import KeyRing
from marelle_auth.models import AuditEntry, SigningKey
from marelle_contracts import GuardianAdded
from marelle_kit.clock import utcnow
from marelle_kit.jobs import InProcessJobRunner
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


async def test_the_hourly_jobs_rotate_an_old_key_and_forget_old_audit_entries(
    auth: ServiceUnderTest,
) -> None:
    """What the jobs runner runs (in-process here; Celery beat in distributed mode)."""
    runner = auth.runtime.jobs
    assert isinstance(runner, InProcessJobRunner)
    assert {"auth.rotate-signing-key", "auth.purge-audit", "auth.purge-outbox"} <= set(runner.jobs)
    kids = await published_kids(auth)
    await runner.run(rotate_signing_key)
    assert await published_kids(auth) == kids  # the key is young: kept

    async with auth.runtime.database.transaction() as session:
        await session.execute(
            sa.update(SigningKey).values(created_at=utcnow() - timedelta(days=91))
        )
        session.add_all(
            [
                AuditEntry(action="login", outcome="success", at=utcnow() - timedelta(days=366)),
                AuditEntry(action="login", outcome="success", at=utcnow() - timedelta(days=300)),
            ]
        )
    await runner.run(rotate_signing_key)
    assert len(await published_kids(auth)) == len(kids) + 1
    await runner.run(purge_audit)
    async with auth.runtime.database.read() as session:
        ages = [(utcnow() - at).days for at in await session.scalars(sa.select(AuditEntry.at))]
    assert ages == [300]
