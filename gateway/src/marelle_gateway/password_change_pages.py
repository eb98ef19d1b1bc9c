"""The signed-in person's change-password page (parents and staff alike): the current password,
the new one with the live checklist, and the same two generators as the first-login page."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from marelle_gateway.accounts import AuthUnavailable
from marelle_gateway.csrf import CSRF_FIELD
from marelle_gateway.pages import page_tenant, render_form
from marelle_gateway.password_pages import (
    INITIAL_RULES,
    auth_client,
    csrf_ok,
    expired_form,
    unavailable,
)
from marelle_gateway.portal_session import current_session, fresh_access_token
from marelle_gateway.tenants import TenantInfo
from marelle_kit import roles

router = APIRouter(include_in_schema=False)
PAGE = "/mon-compte/mot-de-passe"


class _SignedOut(Exception):
    pass


async def _signed_in(request: Request) -> tuple[dict[str, Any], str]:
    """The session and a fresh access token, or _SignedOut."""
    session_id, data = await current_session(request)
    if session_id is None or "access_token" not in data:
        raise _SignedOut
    try:
        token = await fresh_access_token(request, session_id, data)
    except AuthUnavailable:
        token = None
    if token is None:
        raise _SignedOut
    return data, token


def _back_to(data: dict[str, Any]) -> str:
    staff = bool(set(data["user"].get("roles", ())) & roles.OFFICE)
    return "/admin/foyers" if staff else "/accueil"


def _page(
    request: Request, tenant: TenantInfo, data: dict[str, Any], **context: Any
) -> HTMLResponse:
    context.setdefault("rules", INITIAL_RULES)
    return render_form(
        request,
        "set_password.html",
        tenant,
        change=True,
        back=_back_to(data),
        form_action=PAGE,
        check_url=f"{PAGE}/verification",
        link={},
        **context,
    )


@router.get(PAGE, response_model=None)
async def change_password_page(request: Request) -> Response:
    tenant = await page_tenant(request)
    try:
        data, _token = await _signed_in(request)
    except _SignedOut:
        return RedirectResponse("/", status_code=303)
    return _page(request, tenant, data)


@router.post(PAGE, response_model=None)
async def change_password(
    request: Request,
    current_password: Annotated[str, Form(max_length=1000)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    confirmation: Annotated[str, Form(max_length=1000)] = "",
    csrf_token: Annotated[str | None, Form(alias=CSRF_FIELD)] = None,
) -> Response:
    tenant = await page_tenant(request)
    if not csrf_ok(request, csrf_token):
        return expired_form(request, tenant)
    try:
        data, token = await _signed_in(request)
    except _SignedOut:
        return RedirectResponse("/", status_code=303)
    try:
        answer = await auth_client(request).change_password(
            tenant.id,
            token,
            current_password=current_password,
            password=password,
            confirmation=confirmation,
            keep_refresh_token=data.get("refresh_token"),
        )
    except AuthUnavailable:
        return unavailable(request, tenant)
    if answer.status == 204:
        return render_form(
            request, "password_changed.html", tenant, back=_back_to(data), status_code=200
        )
    if answer.status == 401:
        return RedirectResponse("/", status_code=303)
    if answer.status == 403 or answer.password_refused:
        return _page(
            request,
            tenant,
            data,
            rules=answer.body.get("rules") or INITIAL_RULES,
            # The page re-displays the form with what to correct.
            status_code=403 if answer.status == 403 else 422,
            error=answer.body.get("detail", "Le changement de mot de passe a été refusé."),
        )
    return unavailable(request, tenant)


@router.post(f"{PAGE}/proposition", response_model=None)
async def suggest_password(
    request: Request,
    method: Annotated[str, Form(max_length=20)] = "random",
    sentence: Annotated[str, Form(max_length=300)] = "",
    csrf_token: Annotated[str | None, Form(alias=CSRF_FIELD)] = None,
) -> Response:
    """The generators without JavaScript: the page comes back with the proposal shown."""
    tenant = await page_tenant(request)
    if not csrf_ok(request, csrf_token):
        return expired_form(request, tenant)
    try:
        data, _token = await _signed_in(request)
    except _SignedOut:
        return RedirectResponse("/", status_code=303)
    try:
        answer = await auth_client(request).suggest(
            tenant.id, "sentence" if method == "sentence" else "random", sentence or None
        )
    except AuthUnavailable:
        return unavailable(request, tenant)
    if answer.status != 200:
        return _page(
            request,
            tenant,
            data,
            sentence=sentence,
            status_code=422,
            error=answer.message("Aucune proposition n'a pu être faite."),
        )
    return _page(
        request,
        tenant,
        data,
        sentence=sentence,
        suggestion=answer.body.get("password"),
        derivation=answer.body.get("derivation") or [],
    )


@router.post(f"{PAGE}/verification", response_model=None)
async def check_password(request: Request) -> Response:
    """The live checklist (password.js): JSON in, the policy report out. The CSRF token comes
    in a header since the body is JSON."""
    if not csrf_ok(request, request.headers.get("x-csrf-token")):
        return JSONResponse({"detail": "Formulaire expiré."}, status_code=403)
    try:
        _data, token = await _signed_in(request)
    except _SignedOut:
        return JSONResponse({"detail": "Session terminée."}, status_code=401)
    try:
        body = await request.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return JSONResponse({"detail": "Requête illisible."}, status_code=400)
    tenant = await page_tenant(request)
    try:
        answer = await auth_client(request).check_change(
            tenant.id,
            token,
            str(body.get("password", ""))[:1000],
            str(body.get("confirmation", ""))[:1000],
        )
    except AuthUnavailable:
        return JSONResponse({"detail": "Service indisponible."}, status_code=503)
    return JSONResponse(answer.body, status_code=answer.status)
