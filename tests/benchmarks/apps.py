"""Apps measured as references: the bare framework (the ceiling) and a one-hop proxy written
with either proxy client, so the gateway's choice (docs/adr/0003) is measured, not assumed."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import Response

bare = FastAPI()


@bare.get("/ping")
async def ping() -> dict[str, str]:
    return {"status": "ok"}


def _hop_app() -> FastAPI:
    client_kind = os.environ.get("BENCH_PROXY_CLIENT", "aiohttp")
    target = os.environ.get("BENCH_PROXY_TARGET", "http://127.0.0.1:18001")
    state: dict[str, object] = {}

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if client_kind == "httpx":
            import httpx

            async with httpx.AsyncClient(base_url=target) as client:
                state["client"] = client
                yield
        else:
            import aiohttp

            async with aiohttp.ClientSession(target) as session:
                state["client"] = session
                yield

    app = FastAPI(lifespan=lifespan)

    @app.get("/{path:path}")
    async def hop(path: str, request: Request) -> Response:
        client = state["client"]
        if client_kind == "httpx":
            upstream = await client.get(f"/{path}")  # type: ignore[attr-defined]
            return Response(
                upstream.content,
                upstream.status_code,
                media_type=upstream.headers.get("content-type"),
            )
        async with client.get(f"/{path}") as response:  # type: ignore[attr-defined]
            body = await response.read()
            return Response(body, response.status, media_type=response.content_type)

    return app


hop = _hop_app() if os.environ.get("BENCH_PROXY_TARGET") else None
