from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from joserfc.jwk import RSAKey

from marelle_auth.keys.repository import SigningKeyRepository
from marelle_auth.models import SigningKey
from marelle_kit.clock import utcnow
from marelle_kit.database import WriteSession
from marelle_kit.ids import new_id

RSA_BITS = 2048
# A retired key stays in the JWKS long enough for every token it signed to expire.
RETIRED_KEY_PUBLISHED_FOR = timedelta(hours=1)


class KeyRing:
    def __init__(self, session: WriteSession) -> None:
        self.keys = SigningKeyRepository(session)

    async def ensure_active(self) -> SigningKey:
        active = await self.keys.active()
        if active is not None:
            return active
        return await self._new_key()

    async def rotate(self, *, withdraw: bool = False) -> SigningKey:
        """A new key signs from now on. The old one stays published until the tokens it signed
        have expired, unless it is withdrawn (a leak): then its tokens stop verifying at once."""
        now = utcnow()
        for key in await self.keys.claim_active():
            key.retired_at = now - RETIRED_KEY_PUBLISHED_FOR if withdraw else now
            self.keys.session.add(key)
        return await self._new_key()

    async def rotate_if_older_than(self, age: timedelta) -> SigningKey | None:
        active = await self.keys.claim_active()
        if not active or active[0].created_at > utcnow() - age:
            return None
        return await self.rotate()

    async def _new_key(self) -> SigningKey:
        kid = new_id()
        rsa = RSAKey.generate_key(
            RSA_BITS, parameters={"kid": str(kid), "use": "sig", "alg": "RS256"}
        )
        key = SigningKey(
            id=kid,
            private_jwk=json.dumps(rsa.as_dict(private=True)),
            public_jwk=json.dumps(rsa.as_dict(private=False)),
        )
        await self.keys.add(key)
        return key

    async def jwks(self) -> dict[str, Any]:
        published = await self.keys.published(utcnow() - RETIRED_KEY_PUBLISHED_FOR)
        return {"keys": [json.loads(key.public_jwk) for key in published]}
