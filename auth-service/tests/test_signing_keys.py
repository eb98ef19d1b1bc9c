"""The auth-service publishes the public keys that verify access tokens."""

from __future__ import annotations

from pathlib import Path

from joserfc.jwk import KeySet

from marelle_auth.service import definition
from marelle_testkit.databases import sqlite_url
from marelle_testkit.plugin import service_under_test
from marelle_testkit.tokens import TokenFactory


async def test_the_jwks_holds_one_public_rsa_key_after_start_up(
    tmp_path: Path, tokens: TokenFactory
) -> None:
    async with service_under_test(definition, sqlite_url(tmp_path, "auth"), tokens) as auth:
        assert definition.startup is not None
        await definition.startup(auth.runtime)
        await definition.startup(auth.runtime)  # idempotent: still one key
        response = await auth.client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    jwks = response.json()
    assert len(jwks["keys"]) == 1
    key = jwks["keys"][0]
    assert key["kty"] == "RSA" and key["alg"] == "RS256" and key["use"] == "sig"
    assert "d" not in key and "p" not in key  # never the private half
    KeySet.import_key_set(jwks)
