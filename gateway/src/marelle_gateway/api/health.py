"""Liveness and readiness of the gateway (and of the back office when it runs alone): ready
when the tenant directory (the family-service) answers, and Redis when one is configured."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from marelle_gateway.state import State
from marelle_kit.errors import problem_response

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "alive", "service": "gateway"}


@router.get("/readyz", response_model=None)
async def readyz(state: State) -> JSONResponse | dict[str, str]:
    checks = {"family": "ok" if await state.tenants.alive() else "unreachable"}
    if state.redis is not None:
        try:
            await state.redis.ping()
            checks["redis"] = "ok"
        except Exception as exc:  # any failure means "not ready", whatever its kind
            checks["redis"] = f"unreachable: {type(exc).__name__}"
    if all(value == "ok" for value in checks.values()):
        return {"status": "ready", **checks}
    return problem_response(
        503,
        "not-ready",
        "Passerelle pas prête",
        "Une dépendance de la passerelle est injoignable.",
        checks=checks,
    )
