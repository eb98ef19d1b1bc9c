from __future__ import annotations

from typing import Any

from fastapi import Depends, Request, Response
from pydantic import BaseModel, ConfigDict

from marelle_auth.audit.service import AuditLog, client_ip
from marelle_auth.keys.service import KeyRing
from marelle_kit import roles
from marelle_kit.security import CurrentPrincipal, require_roles
from marelle_kit.unit_of_work import SessionDep, transactional_router

router = transactional_router(tags=["keys"])
operators = transactional_router(
    prefix="/keys", tags=["keys"], dependencies=[Depends(require_roles(*roles.OPERATORS))]
)


class Rotation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # True after a suspected leak: tokens signed with the old key stop verifying at once.
    withdraw_old_key: bool = False


class Rotated(BaseModel):
    kid: str


@router.get("/.well-known/jwks.json")
async def jwks(session: SessionDep, response: Response) -> dict[str, Any]:
    """Public keys that verify access tokens (gateway and services cache them)."""
    response.headers["Cache-Control"] = "public, max-age=300"
    return await KeyRing(session).jwks()


@operators.post("/rotate", response_model=Rotated)
async def rotate(
    request: Request, data: Rotation, principal: CurrentPrincipal, session: SessionDep
) -> Rotated:
    """Operators: a new signing key now (routine rotation is automatic, see the settings)."""
    key = await KeyRing(session).rotate(withdraw=data.withdraw_old_key)
    await AuditLog(session).record(
        "keys.rotated",
        "success",
        tenant_id=None,
        ip=client_ip(request),
        detail=f"by {principal.subject}" + (", old key withdrawn" if data.withdraw_old_key else ""),
    )
    return Rotated(kid=str(key.id))
