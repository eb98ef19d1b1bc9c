"""The one way the gateway calls a service: bearer and tenant headers, the request id, a
time-out per call, JSON in and out through Pydantic models, and every refusal or failure turned
into one exception, :class:`UpstreamProblem`, carrying the service's problem+json.

A client method is a few lines: a path, a model in, a model out. Later clients (booking,
billing...) follow the same shape."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Protocol, TypeVar
from uuid import UUID

import aiohttp
from pydantic import AfterValidator, BaseModel, TypeAdapter, ValidationError

from marelle_kit.context import correlation_id_var
from marelle_kit.request_id import REQUEST_ID_HEADER
from marelle_kit.tenancy import TENANT_HEADER

M = TypeVar("M", bound=BaseModel)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


# An instant as the services send it: UTC (an SQLite-backed service may omit the offset).
Instant = Annotated[datetime, AfterValidator(_aware)]
Params = Mapping[str, str] | Sequence[tuple[str, str]]


class Caller(Protocol):
    """Who a call is made for: the tenant, and the person's access token when signed in."""

    @property
    def tenant_id(self) -> UUID: ...

    @property
    def token(self) -> str | None: ...


@dataclass(frozen=True)
class Anonymous:
    """A call for a page nobody is signed in to (login, first-login link, tenant pages)."""

    tenant_id: UUID
    token: str | None = None


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class UpstreamProblem(Exception):
    """A service refused (4xx) or failed (5xx, time-out, unreachable: ``status`` 503/504)."""

    def __init__(
        self,
        service: str,
        status: int,
        *,
        type: str = "",
        detail: str = "",
        field: str | None = None,
        errors: list[FieldError] | None = None,
        body: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(service, status, type)
        self.service, self.status, self.type, self.detail = service, status, type, detail
        self.field = field
        self.errors = errors or []
        self.body = body or {}

    def __str__(self) -> str:
        return f"{self.service} answered {self.status} {self.type}: {self.detail}"

    @property
    def unavailable(self) -> bool:
        return self.status >= 500

    @property
    def code(self) -> str:
        """The problem type without its URN prefix ("link-expired")."""
        return self.type.rsplit(":", 1)[-1]

    @classmethod
    def of(cls, service: str, status: int, body: Any) -> UpstreamProblem:
        if not isinstance(body, dict):
            return cls(service, status)
        errors = [
            FieldError(str(e.get("field", "")), str(e.get("message", "")))
            for e in body.get("errors") or []
            if isinstance(e, dict)
        ]
        raw_field = body.get("field")
        return cls(
            service,
            status,
            type=str(body.get("type", "")),
            detail=str(body.get("detail", "")),
            field=str(raw_field) if raw_field else None,
            errors=errors,
            body=body,
        )


@dataclass(frozen=True)
class Download:
    """A file a service serves (a document, an export): passed on as an attachment."""

    content: bytes
    media_type: str
    disposition: str


@dataclass(frozen=True)
class Upload:
    name: str
    content: bytes


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    headers: Mapping[str, str]


class ServiceClient:
    """The base of every typed client."""

    service = "service"

    def __init__(self, http: aiohttp.ClientSession, base_url: str, *, timeout: float) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def _headers(self, caller: Caller | None, forwarded_for: str | None) -> dict[str, str]:
        headers: dict[str, str] = {}
        if caller is not None:
            headers[TENANT_HEADER] = str(caller.tenant_id)
            if caller.token:
                headers["Authorization"] = f"Bearer {caller.token}"
        request_id = correlation_id_var.get()
        if request_id:
            headers[REQUEST_ID_HEADER] = request_id
        if forwarded_for:
            headers["X-Forwarded-For"] = forwarded_for
        return headers

    async def call(
        self,
        method: str,
        path: str,
        caller: Caller | None,
        *,
        json: Any = None,
        form: Mapping[str, str] | None = None,
        files: Mapping[str, Upload] | None = None,
        fields: Mapping[str, str] | None = None,
        params: Params | None = None,
        seconds: float | None = None,
        forwarded_for: str | None = None,
        raw: bool = False,
        expect: frozenset[int] = frozenset({200, 201, 202, 204}),
    ) -> Answer:
        """One request; a status outside ``expect`` raises :class:`UpstreamProblem`."""
        data: aiohttp.FormData | Mapping[str, str] | None = form
        if files is not None:
            multipart = aiohttp.FormData()
            for name, upload in files.items():
                multipart.add_field(name, upload.content, filename=upload.name)
            for name, value in (fields or {}).items():
                multipart.add_field(name, value)
            data = multipart
        limit = aiohttp.ClientTimeout(total=seconds or self.timeout)
        try:
            async with self.http.request(
                method,
                f"{self.base_url}{path}",
                json=json,
                data=data,
                params=params,
                headers=self._headers(caller, forwarded_for),
                timeout=limit,
                allow_redirects=False,
            ) as response:
                content = await response.read()
                headers = dict(response.headers)
                status = response.status
        except TimeoutError as exc:
            raise UpstreamProblem(self.service, 504, type="gateway-timeout") from exc
        except aiohttp.ClientError as exc:
            raise UpstreamProblem(self.service, 503, type="unreachable") from exc
        body: Any = content
        if not raw or status not in expect:
            body = _json(content)
        if status not in expect:
            raise UpstreamProblem.of(self.service, status, body)
        return Answer(status, body, headers)

    async def get(self, path: str, caller: Caller | None, model: type[M], **kw: Any) -> M:
        return self.parse(model, (await self.call("GET", path, caller, **kw)).body)

    async def get_list(
        self, path: str, caller: Caller | None, model: type[M], **kw: Any
    ) -> list[M]:
        return self.parse_list(model, (await self.call("GET", path, caller, **kw)).body)

    async def send(
        self,
        method: str,
        path: str,
        caller: Caller | None,
        model: type[M],
        body: BaseModel | Mapping[str, Any] | None = None,
        **kw: Any,
    ) -> M:
        payload = body.model_dump(mode="json") if isinstance(body, BaseModel) else body
        return self.parse(model, (await self.call(method, path, caller, json=payload, **kw)).body)

    async def download(
        self, path: str, caller: Caller | None, *, seconds: float | None = None
    ) -> Download:
        answer = await self.call("GET", path, caller, raw=True, seconds=seconds)
        return Download(
            content=bytes(answer.body),
            media_type=answer.headers.get("Content-Type", "application/octet-stream"),
            disposition=answer.headers.get("Content-Disposition", "attachment"),
        )

    async def alive(self) -> bool:
        """The service's liveness (``/healthz``), for the gateway's readiness."""
        try:
            await self.call("GET", "/healthz", None, seconds=2)
        except UpstreamProblem:
            return False
        return True

    def parse(self, model: type[M], body: Any) -> M:
        try:
            return model.model_validate(body)
        except ValidationError as exc:
            raise UpstreamProblem(self.service, 502, type="unexpected-answer") from exc

    def parse_list(self, model: type[M], body: Any) -> list[M]:
        try:
            return TypeAdapter(list[model]).validate_python(body)  # type: ignore[valid-type]
        except ValidationError as exc:
            raise UpstreamProblem(self.service, 502, type="unexpected-answer") from exc


def _json(content: bytes) -> Any:
    if not content:
        return None
    try:
        return json.loads(content)
    except ValueError:
        return None
