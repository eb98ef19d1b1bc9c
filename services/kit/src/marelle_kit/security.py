"""Access-token verification: RS256 JWTs signed by the auth-service, keys from its JWKS (cached).

Every service verifies the token itself (the gateway checks it too): a request that reached a
service without the gateway is held to the same rules.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Annotated, Any
from uuid import UUID

import aiohttp
from fastapi import Depends, Request
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jws import extract_compact
from pydantic import BaseModel, ConfigDict

from marelle_kit import roles
from marelle_kit.errors import Forbidden, Unauthorized


class Principal(BaseModel):
    model_config = ConfigDict(frozen=True)

    subject: str
    tenant_id: UUID | None
    household_id: UUID | None = None
    roles: frozenset[str] = frozenset()

    @property
    def is_operator(self) -> bool:
        return roles.OPERATOR in self.roles

    @property
    def is_staff(self) -> bool:
        """A town's staff (any role of ``roles.STAFF``) or an operator."""
        return bool(self.roles & roles.STAFF) or self.is_operator

    def holds(self, allowed: frozenset[str]) -> bool:
        """Holds one of the roles of a named set (``principal.holds(roles.OFFICE)``)."""
        return bool(self.roles & allowed)

    def may_access_household(self, household_id: UUID, *, staff: frozenset[str]) -> bool:
        """Object-level check: staff holding a role of ``staff`` (and operators) see their
        tenant's households, a parent only their own."""
        return self.holds(staff) or self.is_operator or self.household_id == household_id


class TokenVerifier:
    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        jwks_url: str | None = None,
        jwks: dict[str, Any] | None = None,
        cache_seconds: float = 300.0,
        refetch_interval: float = 30.0,
        timeout: float = 3.0,
    ) -> None:
        self.issuer = issuer
        self.audience = audience
        self.jwks_url = jwks_url
        self.cache_seconds = cache_seconds
        self.refetch_interval = refetch_interval
        self.timeout = timeout
        self._keys: KeySet | None = KeySet.import_key_set(jwks) if jwks else None  # type: ignore[arg-type]
        self._fetched_at = time.monotonic() if jwks else 0.0
        self._lock = asyncio.Lock()

    async def _key_set(self, kid: str | None) -> KeySet:
        fresh = time.monotonic() - self._fetched_at < self.cache_seconds
        known = self._keys is not None and (kid is None or _has_kid(self._keys, kid))
        if self._keys is not None and fresh and known:
            return self._keys
        if self.jwks_url is None:
            if self._keys is None:
                raise Unauthorized("Aucune clé de vérification n'est configurée.")
            return self._keys
        async with self._lock:
            # A key rotation shows as an unknown kid: refetch, but not more than once in a while.
            if self._keys is None or time.monotonic() - self._fetched_at > self.refetch_interval:
                timeout = aiohttp.ClientTimeout(total=self.timeout)
                async with (
                    aiohttp.ClientSession(timeout=timeout) as http,
                    http.get(self.jwks_url) as response,
                ):
                    response.raise_for_status()
                    self._keys = KeySet.import_key_set(await response.json())
                    self._fetched_at = time.monotonic()
        assert self._keys is not None
        return self._keys

    async def verify(self, token: str) -> Principal:
        try:
            header = extract_compact(token.encode()).protected
        except (JoseError, ValueError) as exc:
            raise Unauthorized("Jeton d'accès illisible.") from exc
        try:
            keys = await self._key_set(header.get("kid"))
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise Unauthorized("Les clés de vérification sont injoignables.") from exc
        try:
            decoded = jwt.decode(token, keys, algorithms=["RS256"])
            jwt.JWTClaimsRegistry(
                iss={"essential": True, "value": self.issuer},
                aud={"essential": True, "value": self.audience},
                exp={"essential": True},
                sub={"essential": True},
            ).validate(decoded.claims)
        except (JoseError, ValueError) as exc:
            raise Unauthorized("Jeton d'accès invalide ou expiré.") from exc
        claims = decoded.claims
        try:
            return Principal(
                subject=str(claims["sub"]),
                tenant_id=UUID(claims["tenant_id"]) if claims.get("tenant_id") else None,
                household_id=UUID(claims["household_id"]) if claims.get("household_id") else None,
                roles=frozenset(claims.get("roles") or ()),
            )
        except (ValueError, TypeError) as exc:
            raise Unauthorized("Jeton d'accès mal formé.") from exc

    async def verify_id_token(self, token: str, *, audience: str) -> dict[str, Any]:
        """The claims of an OIDC ID token issued by our provider for this client."""
        try:
            header = extract_compact(token.encode()).protected
            keys = await self._key_set(header.get("kid"))
            decoded = jwt.decode(token, keys, algorithms=["RS256"])
            jwt.JWTClaimsRegistry(
                iss={"essential": True, "value": self.issuer},
                aud={"essential": True, "value": audience},
                exp={"essential": True},
                sub={"essential": True},
            ).validate(decoded.claims)
        except (JoseError, ValueError, aiohttp.ClientError, TimeoutError) as exc:
            raise Unauthorized("Jeton d'identité invalide ou expiré.") from exc
        return dict(decoded.claims)


def _has_kid(keys: KeySet, kid: str) -> bool:
    return any(key.kid == kid for key in keys.keys)


async def optional_principal(request: Request) -> Principal | None:
    authorization = request.headers.get("authorization", "")
    scheme, _, token = authorization.partition(" ")
    if not token or scheme.lower() != "bearer":
        return None
    verifier: TokenVerifier = request.app.state.token_verifier
    return await verifier.verify(token.strip())


async def require_principal(
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> Principal:
    if principal is None:
        raise Unauthorized("Connectez-vous pour accéder à cette ressource.")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(require_principal)]


def require_roles(*allowed: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency for a privileged router: the principal must hold one of ``allowed``,
    given as named role sets: ``require_roles(*roles.OFFICE, roles.OPERATOR)``."""
    wanted = frozenset(allowed)

    async def check(principal: CurrentPrincipal) -> Principal:
        if not principal.roles & wanted:
            raise Forbidden("Votre compte n'a pas le rôle requis pour cette action.")
        return principal

    return check
