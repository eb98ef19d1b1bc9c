"""Sealed payloads: a secret one service hands to exactly one other through events, encrypted to
the receiver's public key (JWE compact, ECDH-ES+A256KW with A256GCM on P-256), so the outbox, the
broker and every other consumer only ever see ciphertext.

The receiver owns the key pair and publishes the public half as a JWKS (like the auth-service's
signing keys); the sender fetches it (cached) and seals to the newest key. See
docs/adr/0017-sealed-password-links.md."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import aiohttp
from joserfc import jwe
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySet

ALGORITHM = "ECDH-ES+A256KW"
ENCRYPTION = "A256GCM"


class SealingUnavailable(Exception):
    """No public key to seal to (not configured, or its JWKS is unreachable)."""


class SealBroken(Exception):
    """The value is not a payload sealed to one of our keys (or was tampered with)."""


def new_sealing_key(kid: str) -> ECKey:
    return ECKey.generate_key(
        "P-256", parameters={"kid": kid, "use": "enc", "alg": ALGORITHM}, private=True
    )


def seal(public_key: ECKey, payload: dict[str, Any]) -> str:
    header = {"alg": ALGORITHM, "enc": ENCRYPTION, "kid": public_key.kid}
    plaintext = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    return jwe.encrypt_compact(header, plaintext, public_key)


def open_sealed(private_keys: KeySet, value: str) -> dict[str, Any]:
    try:
        opened = jwe.decrypt_compact(value, private_keys)
        if opened.protected.get("alg") != ALGORITHM or opened.plaintext is None:
            raise SealBroken("unexpected algorithm")
        payload = json.loads(opened.plaintext)
    except (JoseError, ValueError, KeyError) as exc:
        raise SealBroken(str(exc)) from exc
    if not isinstance(payload, dict):
        raise SealBroken("not an object")
    return payload


def newest_public_key(jwks: dict[str, Any]) -> ECKey:
    """The key to seal to: the first of the set (the receiver lists its newest first)."""
    for entry in jwks.get("keys", []):
        if entry.get("kty") == "EC" and entry.get("use", "enc") == "enc":
            public = {k: v for k, v in entry.items() if k != "d"}
            return ECKey.import_key(public)
    raise SealingUnavailable("the key set holds no encryption key")


class PublicKeySource:
    """The receiver's public keys: given inline (tests, a pinned key) or fetched from its JWKS
    URL and cached for ``cache_seconds``."""

    def __init__(
        self,
        *,
        url: str | None = None,
        jwks: dict[str, Any] | None = None,
        cache_seconds: float = 300.0,
        timeout: float = 3.0,
    ) -> None:
        self.url = url
        self.cache_seconds = cache_seconds
        self.timeout = timeout
        self._key = newest_public_key(jwks) if jwks else None
        self._fetched_at = time.monotonic() if jwks else 0.0
        self._lock = asyncio.Lock()

    async def key(self) -> ECKey:
        if self._key is not None and (
            self.url is None or time.monotonic() - self._fetched_at < self.cache_seconds
        ):
            return self._key
        if self.url is None:
            raise SealingUnavailable("no public key configured")
        async with self._lock:
            if self._key is None or time.monotonic() - self._fetched_at >= self.cache_seconds:
                try:
                    timeout = aiohttp.ClientTimeout(total=self.timeout)
                    async with (
                        aiohttp.ClientSession(timeout=timeout) as http,
                        http.get(self.url) as response,
                    ):
                        response.raise_for_status()
                        self._key = newest_public_key(await response.json())
                        self._fetched_at = time.monotonic()
                except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
                    if self._key is None:
                        raise SealingUnavailable(f"{self.url}: {exc}") from exc
                    # A key fetched earlier stays usable while the receiver is briefly down.
        assert self._key is not None
        return self._key
