"""The dependencies pages declare: the tenant of the page, the browser's session, the signed-in
person (a parent of a household, or a staff member), role sets for routers, and CSRF.

A dependency raises when a page cannot be shown: :class:`SignedOut` (to the login page) or
:class:`PageError` (the French error page). A handler never checks these itself."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Request

from marelle_gateway.clients.auth import AuthClient
from marelle_gateway.clients.base import UpstreamProblem
from marelle_gateway.clients.tenants import Tenant, TenantsClient
from marelle_gateway.settings import GatewaySettings
from marelle_gateway.state import (
    AuthClientDep,
    CsrfDep,
    SessionStoreDep,
    SettingsDep,
    TenantsClientDep,
)
from marelle_gateway.web.csrf import CSRF_FIELD, CSRF_HEADER
from marelle_gateway.web.errors import PageError, SignedOut
from marelle_gateway.web.forms import PostedForm
from marelle_gateway.web.session import SESSION_COOKIE, BrowserSession, SessionUser

REFRESH_MARGIN_SECONDS = 60


def slug_from_host(host: str, suffix: str | None) -> str | None:
    hostname = host.split(":", 1)[0].lower()
    if suffix and hostname.endswith(suffix.lower()):
        slug = hostname[: -len(suffix)]
        return slug or None
    return None


async def tenant_of(
    request: Request, settings: GatewaySettings, tenants: TenantsClient
) -> Tenant | None:
    """The tenant a request is for: ``<slug><suffix>`` hosts, else the default slug."""
    slug = slug_from_host(request.headers.get("host", ""), settings.tenant_host_suffix)
    slug = slug or settings.default_tenant_slug
    return await tenants.by_slug(slug) if slug else None


async def page_tenant(request: Request, settings: SettingsDep, tenants: TenantsClientDep) -> Tenant:
    try:
        tenant = await tenant_of(request, settings, tenants)
    except UpstreamProblem as problem:
        raise PageError("unavailable", 503) from problem
    if tenant is None:
        raise PageError("tenant-unknown", 404)
    request.state.tenant = tenant  # the error page of this request names it too
    return tenant


PageTenant = Annotated[Tenant, Depends(page_tenant)]


async def browser_session(request: Request, store: SessionStoreDep) -> BrowserSession:
    session = await BrowserSession.load(store, request.cookies.get(SESSION_COOKIE))
    request.state.session = session
    return session


BrowserSessionDep = Annotated[BrowserSession, Depends(browser_session)]


@dataclass(frozen=True)
class SignedIn:
    """A signed-in person and a fresh access token: a :class:`Caller` for the clients."""

    user: SessionUser
    token: str

    @property
    def tenant_id(self) -> UUID:
        return self.user.tenant_id

    @property
    def roles(self) -> frozenset[str]:
        return self.user.roles


@dataclass(frozen=True)
class Parent(SignedIn):
    household_id: UUID


@dataclass(frozen=True)
class Staff(SignedIn):
    def may(self, allowed: frozenset[str]) -> bool:
        return bool(self.roles & allowed)


async def fresh_token(session: BrowserSession, auth: AuthClient) -> str | None:
    """The session's access token, refreshed (and the refresh token rotated) near expiry."""
    data = session.data
    if data.access_token is None:
        return None
    if time.time() < data.expires_at - REFRESH_MARGIN_SECONDS:
        return data.access_token
    if not data.refresh_token:
        return None
    try:
        tokens = await auth.refresh(data.refresh_token)
    except UpstreamProblem:
        return None
    data.access_token = tokens.access_token
    data.refresh_token = tokens.refresh_token
    data.expires_at = time.time() + tokens.expires_in
    await session.save()
    return tokens.access_token


async def signed_in(
    session: BrowserSessionDep, tenant: PageTenant, auth: AuthClientDep
) -> SignedIn:
    user = session.data.user
    if user is None or user.tenant_id != tenant.id:
        raise SignedOut
    token = await fresh_token(session, auth)
    if token is None:
        await session.end()
        raise SignedOut
    return SignedIn(user, token)


SignedInDep = Annotated[SignedIn, Depends(signed_in)]


async def current_parent(person: SignedInDep) -> Parent:
    if person.user.household_id is None:
        raise PageError("families-only", 403)
    return Parent(person.user, person.token, person.user.household_id)


async def current_staff(person: SignedInDep) -> Staff:
    if not person.user.is_staff:
        raise PageError("staff-only", 403)
    return Staff(person.user, person.token)


CurrentParent = Annotated[Parent, Depends(current_parent)]
StaffUser = Annotated[Staff, Depends(current_staff)]


def require_roles(allowed: frozenset[str]) -> Any:
    """A router's (or a route's) role set: ``APIRouter(dependencies=[require_roles(OFFICE)])``."""

    async def check(staff: StaffUser) -> None:
        if not staff.may(allowed):
            raise PageError("forbidden", 403)

    return Depends(check)


async def csrf_checked(request: Request, form: PostedForm, csrf: CsrfDep) -> None:
    submitted = form.get(CSRF_FIELD)
    if not csrf.is_valid(request, submitted if isinstance(submitted, str) else None):
        raise PageError("form-expired", 400)


async def csrf_header_checked(request: Request, csrf: CsrfDep) -> None:
    """For the few JSON calls of the pages' scripts: the token comes in a header."""
    if not csrf.is_valid(request, request.headers.get(CSRF_HEADER)):
        raise PageError("form-expired", 403)


CsrfChecked = Depends(csrf_checked)
CsrfHeaderChecked = Depends(csrf_header_checked)


def client_address(request: Request) -> str | None:
    """The browser's address, passed on to the auth-service (audit, login limits)."""
    forwarded = request.headers.get("x-forwarded-for")
    own = request.client.host if request.client else None
    if forwarded and own:
        return f"{forwarded}, {own}"
    return own
