"""The auth-service's client: the OIDC token endpoint (the gateway is the portal's client),
the password flow, and the staff's account and journal reads."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from marelle_gateway.clients.base import Caller, Instant, ServiceClient

PORTAL_CLIENT_ID = "marelle-portal"


class Answer(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class TokenSet(Answer):
    access_token: str
    refresh_token: str | None = None
    id_token: str | None = None
    expires_in: int = 0


class LinkInfo(Answer):
    purpose: Literal["first_login", "reset"]
    email: str
    first_name: str
    expires_at: Instant


class Rule(Answer):
    code: str
    label: str
    ok: bool


class PolicyReport(Answer):
    acceptable: bool
    strength: int = 0
    rules: list[Rule]


class Suggestion(Answer):
    password: str
    derivation: list[tuple[str, str]] = Field(default_factory=list)


class NewPassword(BaseModel):
    password: str = Field(max_length=1000)
    confirmation: str = Field(max_length=1000)


class PasswordChange(NewPassword):
    current_password: str = Field(max_length=1000)
    keep_refresh_token: str | None = None


class AuditEntry(Answer):
    id: UUID
    account_id: UUID | None = None
    email: str | None = None
    action: str
    outcome: str
    ip: str | None = None
    detail: str | None = None
    at: Instant


class AccountStatus(Answer):
    id: UUID
    email: str
    kind: str
    active: bool
    has_password: bool
    locked_until: Instant | None = None


class AccountName(Answer):
    id: UUID
    first_name: str
    last_name: str
    kind: str

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class _Accepted(Answer):
    detail: str = ""


class AuthClient(ServiceClient):
    service = "auth"

    # OIDC: the portal and the back office are the provider's "marelle-portal" client.
    async def authorize(
        self, caller: Caller, form: Mapping[str, str], *, forwarded_for: str | None
    ) -> str:
        """Posts the login form (credentials and the authorization request) and returns where
        the provider sends the browser: the callback, with a code or ``access_denied``."""
        answer = await self.call(
            "POST",
            "/oauth/authorize",
            caller,
            form=form,
            forwarded_for=forwarded_for,
            expect=frozenset({302, 303}),
        )
        return answer.headers.get("Location", "")

    async def exchange_code(self, code: str, verifier: str, redirect_uri: str) -> TokenSet:
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "client_id": PORTAL_CLIENT_ID,
            "code_verifier": verifier,
        }
        return self.parse(TokenSet, (await self.call("POST", "/oauth/token", None, form=form)).body)

    async def refresh(self, refresh_token: str) -> TokenSet:
        form = {
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": PORTAL_CLIENT_ID,
        }
        return self.parse(TokenSet, (await self.call("POST", "/oauth/token", None, form=form)).body)

    async def revoke(self, refresh_token: str) -> None:
        form = {"token": refresh_token, "client_id": PORTAL_CLIENT_ID}
        await self.call("POST", "/oauth/revoke", None, form=form)

    # The first-login / forgotten-password flow.
    async def request_link(self, caller: Caller, email: str) -> str:
        answer = await self.call("POST", "/password/links", caller, json={"email": email})
        return self.parse(_Accepted, answer.body).detail

    async def inspect_link(self, caller: Caller, token: str) -> LinkInfo:
        return await self.get(f"/password/links/{token}", caller, LinkInfo)

    async def set_password(self, caller: Caller, token: str, new: NewPassword) -> None:
        await self.call("POST", f"/password/links/{token}/password", caller, json=new.model_dump())

    async def check_for_link(self, caller: Caller, token: str, new: NewPassword) -> PolicyReport:
        path = f"/password/links/{token}/check"
        return await self.send("POST", path, caller, PolicyReport, new)

    async def suggest(self, method: Literal["random", "sentence"], sentence: str) -> Suggestion:
        body = {"method": method, "sentence": sentence or None}
        return await self.send("POST", "/password/suggestions", None, Suggestion, body)

    # The signed-in person's password.
    async def change_password(self, caller: Caller, change: PasswordChange) -> None:
        await self.call("POST", "/password/change", caller, json=change.model_dump())

    async def check_for_change(self, caller: Caller, new: NewPassword) -> PolicyReport:
        return await self.send("POST", "/password/change/check", caller, PolicyReport, new)

    # Staff: the security journal and the accounts.
    async def journal(self, caller: Caller, limit: int) -> list[AuditEntry]:
        return await self.get_list("/audit", caller, AuditEntry, params={"limit": str(limit)})

    async def account_status(self, caller: Caller, email: str) -> AccountStatus:
        params = {"email": email}
        return await self.get("/accounts/lookup", caller, AccountStatus, params=params)

    async def unlock(self, caller: Caller, email: str) -> None:
        await self.call("POST", "/accounts/unlock", caller, json={"email": email})

    async def names(self, caller: Caller, ids: Sequence[UUID]) -> dict[UUID, AccountName]:
        """The names of the tenant's accounts among ``ids`` (journals show people, not ids)."""
        if not ids:
            return {}
        params = [("id", str(i)) for i in ids]
        found = await self.get_list("/accounts/names", caller, AccountName, params=params)
        return {account.id: account for account in found}
