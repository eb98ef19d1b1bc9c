"""A typed client of the auth-service's password endpoints, used by the portal pages (the
browser never talks to the services directly for these forms)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import aiohttp

from marelle_kit.tenancy import TENANT_HEADER


@dataclass(frozen=True)
class AuthAnswer:
    status: int
    body: dict[str, Any] = field(default_factory=dict)

    @property
    def problem_type(self) -> str:
        return str(self.body.get("type", "")).rsplit(":", 1)[-1]

    @property
    def password_refused(self) -> bool:
        """The auth-service's password policy said no (409 ``password-policy``)."""
        return self.status == 409 and self.problem_type == "password-policy"

    def message(self, default: str) -> str:
        """What to tell the person: the first field's message of a validation problem, else
        the problem's detail."""
        errors = self.body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            return str(errors[0].get("message") or default)
        return str(self.body.get("detail") or default)


PORTAL_CLIENT_ID = "marelle-portal"


class AuthUnavailable(Exception):
    pass


class AuthClient:
    def __init__(self, session: aiohttp.ClientSession, auth_url: str, *, timeout: float) -> None:
        self.session = session
        self.auth_url = auth_url.rstrip("/")
        self.timeout = aiohttp.ClientTimeout(total=timeout)

    async def _call(
        self,
        method: str,
        path: str,
        tenant_id: UUID,
        json: dict[str, Any] | None = None,
        *,
        bearer: str | None = None,
    ) -> AuthAnswer:
        headers = {TENANT_HEADER: str(tenant_id)}
        if bearer is not None:
            headers["Authorization"] = f"Bearer {bearer}"
        try:
            async with self.session.request(
                method,
                f"{self.auth_url}{path}",
                json=json,
                headers=headers,
                timeout=self.timeout,
            ) as response:
                body = await response.json(content_type=None) if response.status != 204 else {}
                return AuthAnswer(response.status, body if isinstance(body, dict) else {})
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise AuthUnavailable(str(exc)) from exc

    async def _form(self, path: str, form: dict[str, str]) -> AuthAnswer:
        try:
            async with self.session.post(
                f"{self.auth_url}{path}", data=form, timeout=self.timeout
            ) as response:
                body = await response.json(content_type=None) if response.content_length else {}
                return AuthAnswer(response.status, body if isinstance(body, dict) else {})
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise AuthUnavailable(str(exc)) from exc

    async def exchange_code(self, code: str, verifier: str, redirect_uri: str) -> AuthAnswer:
        return await self._form(
            "/oauth/token",
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "client_id": PORTAL_CLIENT_ID,
                "code_verifier": verifier,
            },
        )

    async def refresh(self, refresh_token: str) -> AuthAnswer:
        return await self._form(
            "/oauth/token",
            {
                "grant_type": "refresh_token",
                "refresh_token": refresh_token,
                "client_id": PORTAL_CLIENT_ID,
            },
        )

    async def revoke(self, refresh_token: str) -> AuthAnswer:
        return await self._form(
            "/oauth/revoke", {"token": refresh_token, "client_id": PORTAL_CLIENT_ID}
        )

    async def request_link(self, tenant_id: UUID, email: str) -> AuthAnswer:
        return await self._call("POST", "/password/links", tenant_id, {"email": email})

    async def inspect_link(self, tenant_id: UUID, token: str) -> AuthAnswer:
        return await self._call("GET", f"/password/links/{token}", tenant_id)

    async def set_password(
        self, tenant_id: UUID, token: str, password: str, confirmation: str
    ) -> AuthAnswer:
        return await self._call(
            "POST",
            f"/password/links/{token}/password",
            tenant_id,
            {"password": password, "confirmation": confirmation},
        )

    async def check(
        self, tenant_id: UUID, token: str, password: str, confirmation: str
    ) -> AuthAnswer:
        return await self._call(
            "POST",
            f"/password/links/{token}/check",
            tenant_id,
            {"password": password, "confirmation": confirmation},
        )

    async def suggest(self, tenant_id: UUID, method: str, sentence: str | None) -> AuthAnswer:
        return await self._call(
            "POST", "/password/suggestions", tenant_id, {"method": method, "sentence": sentence}
        )

    async def change_password(
        self,
        tenant_id: UUID,
        access_token: str,
        *,
        current_password: str,
        password: str,
        confirmation: str,
        keep_refresh_token: str | None,
    ) -> AuthAnswer:
        return await self._call(
            "POST",
            "/password/change",
            tenant_id,
            {
                "current_password": current_password,
                "password": password,
                "confirmation": confirmation,
                "keep_refresh_token": keep_refresh_token,
            },
            bearer=access_token,
        )

    async def check_change(
        self, tenant_id: UUID, access_token: str, password: str, confirmation: str
    ) -> AuthAnswer:
        return await self._call(
            "POST",
            "/password/change/check",
            tenant_id,
            {"password": password, "confirmation": confirmation},
            bearer=access_token,
        )
