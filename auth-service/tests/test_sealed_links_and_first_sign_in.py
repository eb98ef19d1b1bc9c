"""Issue 9 item 3 (no secret in events) and the first sign-in fact for the mailing-service."""

from __future__ import annotations

import json
from uuid import UUID

import pytest
import sqlalchemy as sa

from marelle_auth.service import definition
from marelle_contracts import GuardianAdded
from marelle_kit.sealed import SealBroken, new_sealing_key, open_sealed
from marelle_testkit.databases import sqlite_url
from marelle_testkit.plugin import ServiceUnderTest, service_under_test
from marelle_testkit.sealing import TEST_LINK_KEYS
from marelle_testkit.tokens import TokenFactory

from oidc_client import HEADERS, TENANT, authorize, pkce, query_of


async def outbox_rows(auth: ServiceUnderTest) -> list[str]:
    outbox = auth.runtime.definition.tables.outbox
    async with auth.runtime.database.transaction() as session:
        return list(await session.scalars(sa.select(outbox.c.envelope)))


async def test_the_link_event_carries_the_token_sealed_and_never_in_clear(
    auth: ServiceUnderTest, parent: GuardianAdded
) -> None:
    """The attack: read the auth outbox (what the relay puts on Kafka and keeps 7 days) and
    use the token. The outbox holds only a ciphertext that the mailing-service's key opens."""
    await auth.client.post("/password/links", json={"email": parent.email}, headers=HEADERS)
    [envelope] = [
        e for e in await auth.published() if e["type"] == "auth.password_reset.requested"
    ][-1:]
    assert envelope["version"] == 2 and "token" not in envelope["payload"]
    token = TEST_LINK_KEYS.token_of(envelope)
    for row in await outbox_rows(auth):
        assert token not in row  # nowhere in clear, in any event
    # The link works, so the sealed token is the real one.
    assert (await auth.client.get(f"/password/links/{token}", headers=HEADERS)).status_code == 200
    sealed = TEST_LINK_KEYS.open(envelope["payload"]["sealed_token"])
    assert (
        sealed["tenant_id"] == str(TENANT)
        and sealed["account_id"] == envelope["payload"]["account_id"]
    )
    assert sealed["purpose"] == "reset" and sealed["exp"] > 0
    # Any other key (another deployment's, an attacker's) cannot open it.
    from joserfc.jwk import KeySet

    with pytest.raises(SealBroken):
        open_sealed(KeySet([new_sealing_key("other")]), envelope["payload"]["sealed_token"])


async def test_without_the_mailing_key_every_link_request_fails_alike(
    tmp_path, tokens: TokenFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No key to seal to: a 503 before the e-mail is looked up (known or not, same answer),
    and nothing is published."""
    monkeypatch.delenv("MARELLE_AUTH_LINK_KEYS", raising=False)
    monkeypatch.delenv("MARELLE_AUTH_LINK_KEYS_URL", raising=False)
    async with service_under_test(definition, sqlite_url(tmp_path, "auth2"), tokens) as auth:
        event = GuardianAdded(
            household_id=UUID(int=1),
            guardian_id=UUID(int=2),
            rank=1,
            first_name="Anne",
            last_name="Roy",
            email="anne.roy@exemple.fr",
        )
        await auth.deliver(event, tenant_id=TENANT, key=event.household_id)
        answers = [
            await auth.client.post("/password/links", json={"email": email}, headers=HEADERS)
            for email in ("anne.roy@exemple.fr", "inconnu@exemple.fr")
        ]
        assert [a.status_code for a in answers] == [503, 503]
        assert answers[0].json()["detail"] == answers[1].json()["detail"]
        assert not [e for e in await auth.published() if "password_reset" in e["type"]]


async def test_the_first_sign_in_is_published_once_per_account(
    auth: ServiceUnderTest, parent: GuardianAdded
) -> None:
    for _ in range(2):
        _verifier, challenge = pkce()
        answer = await authorize(auth, challenge)
        assert "code" in query_of(answer)
    signed_in = [e for e in await auth.published() if e["type"] == "auth.account.first_signed_in"]
    assert len(signed_in) == 1
    payload = signed_in[0]["payload"]
    assert payload["household_id"] == str(parent.household_id)
    assert payload["guardian_id"] == str(parent.guardian_id)
    assert json.loads(json.dumps(payload))["signed_in_at"]
