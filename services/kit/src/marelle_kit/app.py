"""The app factory every service uses: errors, request ids, health, readiness, ops routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from marelle_kit import dead_letters
from marelle_kit.errors import install_problem_handlers, problem_response
from marelle_kit.request_id import RequestIdMiddleware
from marelle_kit.runtime import ServiceRuntime


def create_service_app(
    runtime: ServiceRuntime,
    *,
    run_relay: bool = False,
    run_consumer: bool = False,
    manage_runtime: bool = True,
) -> FastAPI:
    """``manage_runtime=False`` when someone else (the embedded runner) starts and stops it."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if manage_runtime:
            if definition.startup is not None:
                await definition.startup(runtime)
            await runtime.start_transport()
            if run_relay:
                await runtime.start_relay()
            if run_consumer:
                await runtime.start_consumer()
                await runtime.start_background()
        try:
            yield
        finally:
            if manage_runtime:
                await runtime.stop()

    definition = runtime.definition
    app = FastAPI(
        title=definition.title,
        lifespan=lifespan,
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.runtime = runtime
    app.state.token_verifier = runtime.token_verifier
    app.add_middleware(RequestIdMiddleware)
    install_problem_handlers(app)

    @app.get("/healthz", tags=["health"])
    async def healthz() -> dict[str, str]:
        return {"status": "alive", "service": definition.name}

    @app.get("/readyz", tags=["health"], response_model=None)
    async def readyz() -> JSONResponse | dict[str, str]:
        checks: dict[str, str] = {}
        probes = (("database", runtime.database.ping), ("events", runtime.transport.ping))
        for name, probe in probes:
            try:
                await probe()
                checks[name] = "ok"
            except Exception as exc:
                checks[name] = f"unreachable: {type(exc).__name__}"
        if all(value == "ok" for value in checks.values()):
            return {"status": "ready", **checks}
        return problem_response(
            503,
            "not-ready",
            "Service pas prêt",
            "Une dépendance du service est injoignable.",
            checks=checks,
        )

    app.include_router(dead_letters.router)
    for router in definition.routers():
        app.include_router(router)
    return app
