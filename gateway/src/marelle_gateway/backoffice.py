"""The staff back office: households and their legal guardians, the captured mailbox, the auth
audit log, account unlocking. Server-rendered, French, usable without JavaScript; every call to
a service carries the staff member's access token (the services check roles and tenant)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode
from uuid import UUID

import aiohttp
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from marelle_gateway.csrf import CSRF_FIELD, CsrfProtection
from marelle_gateway.pages import page_tenant, render_form
from marelle_gateway.portal_session import current_session, fresh_access_token, render_login
from marelle_gateway.settings import GatewaySettings
from marelle_gateway.tenants import TenantInfo
from marelle_kit.security import STAFF_ROLES
from marelle_kit.tenancy import TENANT_HEADER

router = APIRouter(prefix="/admin", include_in_schema=False)
CsrfField = Annotated[str | None, Form(alias=CSRF_FIELD)]


class StaffContext:
    def __init__(self, request: Request, tenant: TenantInfo, token: str, user: dict[str, Any]):
        self.request = request
        self.tenant = tenant
        self.token = token
        self.user = user

    @property
    def roles(self) -> set[str]:
        return set(self.user.get("roles", []))

    async def call(
        self,
        method: str,
        service: str,
        path: str,
        json: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        settings: GatewaySettings = self.request.app.state.settings
        base = settings.upstream(service)
        session: aiohttp.ClientSession = self.request.app.state.proxy.session
        try:
            async with session.request(
                method,
                f"{base}{path}",
                json=json,
                params=params,
                headers={
                    "Authorization": f"Bearer {self.token}",
                    TENANT_HEADER: str(self.tenant.id),
                },
                timeout=aiohttp.ClientTimeout(total=settings.proxy_timeout),
            ) as response:
                body = await response.json(content_type=None) if response.status != 204 else None
                return response.status, body
        except (aiohttp.ClientError, TimeoutError, ValueError):
            return 503, {"detail": "Le service est momentanément injoignable."}

    def page(self, template: str, status_code: int = 200, **context: Any) -> Response:
        return render_form(
            self.request,
            template,
            self.tenant,
            status_code=status_code,
            user=self.user,
            roles=self.roles,
            **context,
        )


async def staff_context(request: Request) -> StaffContext | Response:
    tenant = await page_tenant(request)
    session_id, data = await current_session(request)
    if session_id is None or "access_token" not in data:
        return RedirectResponse("/admin", status_code=303)
    user = data["user"]
    if not set(user.get("roles", [])) & (STAFF_ROLES | {"operator"}):
        return render_form(
            request,
            "error.html",
            tenant,
            status_code=403,
            title="Accès refusé",
            message="Cet espace est réservé aux agents de la structure.",
        )
    token = await fresh_access_token(request, session_id, data)
    if token is None:
        return RedirectResponse("/admin", status_code=303)
    return StaffContext(request, tenant, token, user)


def _csrf_ok(request: Request, token: str | None) -> bool:
    csrf: CsrfProtection = request.app.state.csrf
    return csrf.is_valid(request, token)


def _errors(body: Any) -> dict[str, str]:
    """Field errors of a problem document, keyed by field, for the form to show."""
    if not isinstance(body, dict):
        return {}
    found = {e.get("field", ""): e.get("message", "") for e in body.get("errors", [])}
    if body.get("field"):
        found[str(body["field"])] = str(body.get("detail", ""))
    if not found:
        found[""] = str(body.get("detail", "La demande n'a pas abouti."))
    return found


@router.get("", response_model=None)
async def staff_home(request: Request) -> Response:
    _session_id, data = await current_session(request)
    if set(data.get("user", {}).get("roles", [])) & STAFF_ROLES:
        return RedirectResponse("/admin/foyers", status_code=303)
    return await render_login(request, await page_tenant(request), staff=True)


@router.get("/foyers", response_model=None)
async def households(request: Request) -> Response:
    ctx = await staff_context(request)
    if not isinstance(ctx, StaffContext):
        return ctx
    status, listed = await ctx.call("GET", "family", "/households", params={"limit": "500"})
    return ctx.page(
        "admin_households.html", households=listed if status == 200 else [], form={}, errors={}
    )


@router.post("/foyers", response_model=None)
async def create_household(
    request: Request,
    csrf_token: CsrfField = None,
    name: Annotated[str, Form(max_length=300)] = "",
    first_name: Annotated[str, Form(max_length=300)] = "",
    last_name: Annotated[str, Form(max_length=300)] = "",
    email: Annotated[str, Form(max_length=400)] = "",
) -> Response:
    ctx = await staff_context(request)
    if not isinstance(ctx, StaffContext):
        return ctx
    form = {"name": name, "first_name": first_name, "last_name": last_name, "email": email}
    if not _csrf_ok(request, csrf_token):
        return ctx.page(
            "admin_households.html",
            400,
            households=[],
            form=form,
            errors={"": "Le formulaire a expiré ; recommencez."},
        )
    payload: dict[str, Any] = {"name": name, "guardians": []}
    if first_name or last_name or email:
        payload["guardians"].append(
            {"rank": 1, "first_name": first_name, "last_name": last_name, "email": email or None}
        )
    status, body = await ctx.call("POST", "family", "/households", json=payload)
    if status == 201:
        return RedirectResponse(f"/admin/foyers/{body['id']}", status_code=303)
    _status, listed = await ctx.call("GET", "family", "/households", params={"limit": "500"})
    return ctx.page(
        "admin_households.html", 422, households=listed or [], form=form, errors=_errors(body)
    )


async def _household_page(
    ctx: StaffContext, household_id: UUID, status_code: int = 200, **context: Any
) -> Response:
    status, household = await ctx.call("GET", "family", f"/households/{household_id}")
    if status != 200:
        return render_form(
            ctx.request,
            "error.html",
            ctx.tenant,
            status_code=404,
            title="Foyer introuvable",
            message="Ce foyer n'existe pas.",
        )
    context.setdefault("errors", {})
    return ctx.page("admin_household.html", status_code, household=household, **context)


@router.get("/foyers/{household_id}", response_model=None)
async def household(request: Request, household_id: UUID) -> Response:
    ctx = await staff_context(request)
    if not isinstance(ctx, StaffContext):
        return ctx
    return await _household_page(ctx, household_id)


@router.post("/foyers/{household_id}/responsables", response_model=None)
async def add_guardian(
    request: Request,
    household_id: UUID,
    csrf_token: CsrfField = None,
    rank: Annotated[str, Form(max_length=5)] = "",
    first_name: Annotated[str, Form(max_length=300)] = "",
    last_name: Annotated[str, Form(max_length=300)] = "",
    email: Annotated[str, Form(max_length=400)] = "",
) -> Response:
    ctx = await staff_context(request)
    if not isinstance(ctx, StaffContext):
        return ctx
    if not _csrf_ok(request, csrf_token):
        return await _household_page(
            ctx, household_id, 400, errors={"": "Le formulaire a expiré ; recommencez."}
        )
    payload = {
        "rank": int(rank) if rank.isdigit() else rank,
        "first_name": first_name,
        "last_name": last_name,
        "email": email or None,
    }
    status, body = await ctx.call(
        "POST", "family", f"/households/{household_id}/guardians", json=payload
    )
    if status == 201:
        return RedirectResponse(f"/admin/foyers/{household_id}", status_code=303)
    return await _household_page(ctx, household_id, 422, errors=_errors(body))


@router.post("/foyers/{household_id}/responsables/{guardian_id}", response_model=None)
async def update_guardian(
    request: Request,
    household_id: UUID,
    guardian_id: UUID,
    csrf_token: CsrfField = None,
    email: Annotated[str, Form(max_length=400)] = "",
    action: Annotated[str, Form(max_length=20)] = "modifier",
) -> Response:
    ctx = await staff_context(request)
    if not isinstance(ctx, StaffContext):
        return ctx
    if not _csrf_ok(request, csrf_token):
        return await _household_page(
            ctx, household_id, 400, errors={"": "Le formulaire a expiré ; recommencez."}
        )
    path = f"/households/{household_id}/guardians/{guardian_id}"
    if action == "retirer":
        status, body = await ctx.call("DELETE", "family", path)
    else:
        status, body = await ctx.call("PATCH", "family", path, json={"email": email or None})
    if status in (200, 204):
        return RedirectResponse(f"/admin/foyers/{household_id}", status_code=303)
    return await _household_page(ctx, household_id, 422, errors=_errors(body))


@router.get("/courriels", response_model=None)
async def mailbox(request: Request) -> Response:
    ctx = await staff_context(request)
    if not isinstance(ctx, StaffContext):
        return ctx
    status, mails = await ctx.call("GET", "mailing", "/mails", params={"limit": "200"})
    return ctx.page("admin_mails.html", mails=mails if status == 200 else [])


@router.get("/courriels/{mail_id}", response_model=None)
async def mail(request: Request, mail_id: UUID) -> Response:
    ctx = await staff_context(request)
    if not isinstance(ctx, StaffContext):
        return ctx
    status, found = await ctx.call("GET", "mailing", f"/mails/{mail_id}")
    if status != 200:
        return render_form(
            request,
            "error.html",
            ctx.tenant,
            status_code=404,
            title="Message introuvable",
            message="Ce message n'existe pas.",
        )
    return ctx.page("admin_mail.html", mail=found)


@router.get("/journal", response_model=None)
async def audit(request: Request) -> Response:
    ctx = await staff_context(request)
    if not isinstance(ctx, StaffContext):
        return ctx
    status, entries = await ctx.call("GET", "auth", "/audit", params={"limit": "200"})
    if status == 403:
        return render_form(
            request,
            "error.html",
            ctx.tenant,
            status_code=403,
            title="Accès refusé",
            message="Le journal de sécurité est réservé aux responsables.",
        )
    return ctx.page("admin_audit.html", entries=entries if status == 200 else [])


@router.get("/comptes", response_model=None)
async def accounts(request: Request, email: str = "", message: str = "") -> Response:
    ctx = await staff_context(request)
    if not isinstance(ctx, StaffContext):
        return ctx
    account, error = None, None
    if email:
        status, body = await ctx.call(
            "GET", "auth", "/accounts/lookup", params={"email": email[:254]}
        )
        account = body if status == 200 else None
        error = None if status == 200 else "Aucun compte n'a cette adresse."
    return ctx.page(
        "admin_accounts.html", email=email, account=account, error=error, message=message
    )


@router.post("/comptes/debloquer", response_model=None)
async def unlock(
    request: Request,
    csrf_token: CsrfField = None,
    email: Annotated[str, Form(max_length=400)] = "",
) -> Response:
    ctx = await staff_context(request)
    if not isinstance(ctx, StaffContext):
        return ctx
    if not _csrf_ok(request, csrf_token):
        return RedirectResponse("/admin/comptes", status_code=303)
    status, _body = await ctx.call("POST", "auth", "/accounts/unlock", json={"email": email})
    message = "Le compte est débloqué." if status == 204 else "Le déblocage n'a pas abouti."
    query = urlencode({"email": email, "message": message})
    return RedirectResponse(f"/admin/comptes?{query}", status_code=303)
