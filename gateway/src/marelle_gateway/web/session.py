"""Server-side sessions: the browser holds only a random id in an HttpOnly cookie; tokens never
reach it. Stored in Redis (distributed: every gateway and back-office replica shares them) or in
this process (embedded). A session is typed (:class:`SessionData`), read once per request."""

from __future__ import annotations

import json
import secrets
import time
from typing import Any, Literal, Protocol
from uuid import UUID

from pydantic import BaseModel, ConfigDict, ValidationError
from redis.asyncio import Redis

from marelle_kit.roles import OPERATORS, STAFF

SESSION_COOKIE = "marelle_session"
SESSION_SECONDS = 12 * 3600
Audience = Literal["portal", "backoffice"]


class SessionUser(BaseModel):
    """The signed-in person, from their verified tokens."""

    model_config = ConfigDict(frozen=True)

    id: str
    tenant_id: UUID
    household_id: UUID | None = None
    roles: frozenset[str] = frozenset()
    given_name: str = ""
    family_name: str = ""

    @property
    def is_staff(self) -> bool:
        return bool(self.roles & (STAFF | OPERATORS))

    @property
    def display_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()


class PendingLogin(BaseModel):
    """An authorization request on its way: checked when the provider sends the code back."""

    state: str
    nonce: str
    verifier: str
    audience: Audience = "portal"


class SessionData(BaseModel):
    pending: PendingLogin | None = None
    access_token: str | None = None
    refresh_token: str | None = None
    expires_at: float = 0.0
    user: SessionUser | None = None

    @property
    def signed_in(self) -> bool:
        return self.access_token is not None and self.user is not None


class SessionStore(Protocol):
    async def get(self, session_id: str) -> dict[str, Any] | None: ...

    async def put(self, session_id: str, data: dict[str, Any]) -> None: ...

    async def delete(self, session_id: str) -> None: ...


def new_session_id() -> str:
    return secrets.token_urlsafe(32)


class BrowserSession:
    """This browser's session: its id (None before the first visit) and typed data."""

    def __init__(self, store: SessionStore, session_id: str | None, data: SessionData) -> None:
        self.store = store
        self.id = session_id
        self.data = data

    @classmethod
    async def load(cls, store: SessionStore, session_id: str | None) -> BrowserSession:
        raw = await store.get(session_id) if session_id else None
        try:
            data = SessionData.model_validate(raw or {})
        except ValidationError:  # written by an older version: start afresh
            data = SessionData()
        return cls(store, session_id if raw is not None else None, data)

    async def save(self) -> str:
        if self.id is None:
            self.id = new_session_id()
        await self.store.put(self.id, self.data.model_dump(mode="json"))
        return self.id

    async def renew(self, data: SessionData) -> str:
        """A new id for new rights (at login): no session fixation."""
        if self.id is not None:
            await self.store.delete(self.id)
        self.id, self.data = new_session_id(), data
        return await self.save()

    async def end(self) -> None:
        if self.id is not None:
            await self.store.delete(self.id)
        self.id, self.data = None, SessionData()


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
    def __init__(self, redis: Redis, ttl: int = SESSION_SECONDS, prefix: str = "marelle:") -> None:
        self.redis = redis
        self.ttl = ttl
        self.prefix = prefix

    def _key(self, session_id: str) -> str:
        return f"{self.prefix}session:{session_id}"

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
