from __future__ import annotations

from typing import Any

from marelle_kit.unit_of_work import SessionDep, transactional_router
from marelle_mailing.links.service import LinkKeys

public = transactional_router(tags=["link keys"])


@public.get("/.well-known/link-keys.json")
async def link_keys(session: SessionDep) -> dict[str, Any]:
    """The public keys the auth-service seals password-link tokens to (a JWKS, newest first;
    EC P-256, ECDH-ES+A256KW). Public by nature: only this service holds the private halves."""
    return await LinkKeys(session).jwks()
