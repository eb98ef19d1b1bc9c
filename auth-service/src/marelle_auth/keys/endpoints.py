from __future__ import annotations

from typing import Any

from fastapi import Response

from marelle_auth.keys.service import KeyRing
from marelle_kit.unit_of_work import SessionDep, transactional_router

router = transactional_router(tags=["keys"])


@router.get("/.well-known/jwks.json")
async def jwks(session: SessionDep, response: Response) -> dict[str, Any]:
    """Public keys that verify access tokens (gateway and services cache them)."""
    response.headers["Cache-Control"] = "public, max-age=300"
    return await KeyRing(session).jwks()
