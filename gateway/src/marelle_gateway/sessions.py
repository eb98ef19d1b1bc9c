"""Server-side portal sessions: the browser holds only a random id in an HttpOnly cookie; tokens
never reach it. Stored in Redis (distributed) or in this process (embedded)."""

from __future__ import annotations

import json
import secrets
import time
from typing import Any, Protocol

from redis.asyncio import Redis

SESSION_COOKIE = "marelle_session"
SESSION_SECONDS = 12 * 3600


class SessionStore(Protocol):
    async def get(self, session_id: str) -> dict[str, Any] | None: ...

    async def put(self, session_id: str, data: dict[str, Any]) -> None: ...

    async def delete(self, session_id: str) -> None: ...


def new_session_id() -> str:
    return secrets.token_urlsafe(32)


class InProcessSessionStore:
    def __init__(self, ttl: int = SESSION_SECONDS) -> None:
        self.ttl = ttl
        self._data: dict[str, tuple[float, str]] = {}

    async def get(self, session_id: str) -> dict[str, Any] | None:
        found = self._data.get(session_id)
        if found is None or found[0] < time.monotonic():
            self._data.pop(session_id, None)
            return None
        loaded: dict[str, Any] = json.loads(found[1])
        return loaded

    async def put(self, session_id: str, data: dict[str, Any]) -> None:
        if len(self._data) > 50_000:  # forget expired sessions now and then
            now = time.monotonic()
            self._data = {k: v for k, v in self._data.items() if v[0] >= now}
        self._data[session_id] = (time.monotonic() + self.ttl, json.dumps(data))

    async def delete(self, session_id: str) -> None:
        self._data.pop(session_id, None)


class RedisSessionStore:
    def __init__(self, redis: Redis, ttl: int = SESSION_SECONDS) -> None:
        self.redis = redis
        self.ttl = ttl

    def _key(self, session_id: str) -> str:
        return f"marelle:session:{session_id}"

    async def get(self, session_id: str) -> dict[str, Any] | None:
        raw = await self.redis.get(self._key(session_id))
        if raw is None:
            return None
        loaded: dict[str, Any] = json.loads(raw)
        return loaded

    async def put(self, session_id: str, data: dict[str, Any]) -> None:
        await self.redis.set(self._key(session_id), json.dumps(data), ex=self.ttl)

    async def delete(self, session_id: str) -> None:
        await self.redis.delete(self._key(session_id))
