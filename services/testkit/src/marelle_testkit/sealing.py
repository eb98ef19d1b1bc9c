"""A link key pair for tests: the public half given to the auth-service (it seals password-link
tokens to it), the private half to open what it published, as the mailing-service would."""

from __future__ import annotations

import json
from typing import Any

from joserfc.jwk import KeySet

from marelle_kit.sealed import new_sealing_key, open_sealed


class TestLinkKeys:
    def __init__(self) -> None:
        self.key = new_sealing_key("test-link-key")

    @property
    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.key.as_dict(private=False)]}

    @property
    def env(self) -> str:
        """The value of MARELLE_AUTH_LINK_KEYS."""
        return json.dumps(self.jwks)

    def open(self, sealed: str) -> dict[str, Any]:
        return open_sealed(KeySet([self.key]), sealed)

    def token_of(self, envelope: dict[str, Any]) -> str:
        """The token an ``auth.password_reset.requested`` envelope carries, sealed."""
        return str(self.open(envelope["payload"]["sealed_token"])["token"])


# One pair for a whole test run (generating keys is not free); helpers import it directly.
TEST_LINK_KEYS = TestLinkKeys()
