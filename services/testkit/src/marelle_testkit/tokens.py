"""Access tokens for tests: an RSA key, its JWKS, and signed tokens with chosen claims."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any
from uuid import UUID, uuid4

from joserfc import jwt
from joserfc.jwk import RSAKey

from marelle_kit.security import TokenVerifier

ISSUER = "marelle"
AUDIENCE = "marelle"


class TokenFactory:
    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": str(uuid4()), "alg": "RS256"})

    @property
    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.key.as_dict(private=False)]}

    def verifier(self) -> TokenVerifier:
        return TokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks=self.jwks)

    def token(
        self,
        *,
        roles: Iterable[str] = (),
        tenant_id: UUID | None = None,
        household_id: UUID | None = None,
        subject: str | None = None,
        expires_in: int = 600,
        issuer: str = ISSUER,
        audience: str = AUDIENCE,
        key: RSAKey | None = None,
    ) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": issuer,
            "aud": audience,
            "sub": subject or str(uuid4()),
            "iat": now,
            "exp": now + expires_in,
            "roles": sorted(roles),
        }
        if tenant_id is not None:
            claims["tenant_id"] = str(tenant_id)
        if household_id is not None:
            claims["household_id"] = str(household_id)
        signing = key or self.key
        return jwt.encode({"alg": "RS256", "kid": signing.kid}, claims, signing)

    def headers(self, **kwargs: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(**kwargs)}"}
