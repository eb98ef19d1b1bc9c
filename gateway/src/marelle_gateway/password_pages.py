"""Portal pages of the first-login / forgotten-password flow (seeds 000–003), usable without
JavaScript; password.js only adds the live checklist, the generators' buttons and copy."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from marelle_gateway.accounts import AuthAnswer, AuthClient, AuthUnavailable
from marelle_gateway.csrf import CSRF_FIELD, CsrfProtection
from marelle_gateway.pages import page_tenant, render_form
from marelle_gateway.tenants import TenantInfo

router = APIRouter(include_in_schema=False)

LINK_PROBLEMS = {
    "link-expired": ("Lien expiré", "Ce lien a expiré."),
    "link-used": ("Lien déjà utilisé", "Ce lien a déjà servi : votre mot de passe est choisi."),
    "link-invalid": ("Lien invalide", "Ce lien n'est pas (ou plus) valable."),
}
# Every rule of the policy, unchecked: what the page shows before anything is typed.
INITIAL_RULES = [
    {"code": code, "label": label, "ok": False}
    for code, label in (
        ("length", "Au moins 8 caractères"),
        ("lower", "Au moins une minuscule"),
        ("upper", "Au moins une majuscule"),
        ("digit", "Au moins un chiffre"),
        ("special", "Au moins un caractère spécial"),
        ("same", "Les deux saisies sont identiques"),
        ("common", "N'est pas un mot de passe courant"),
        ("personal", "Ne contient ni votre adresse e-mail ni votre nom"),
    )
]


class FormRejected(Exception):
    pass


def auth_client(request: Request) -> AuthClient:
    client: AuthClient = request.app.state.auth_client
    return client


def csrf_ok(request: Request, token: str | None) -> bool:
    csrf: CsrfProtection = request.app.state.csrf
    return csrf.is_valid(request, token)


def unavailable(request: Request, tenant: TenantInfo) -> HTMLResponse:
    return render_form(
        request,
        "error.html",
        tenant,
        status_code=503,
        title="Service momentanément indisponible",
        message="La connexion est momentanément indisponible. Réessayez dans quelques minutes.",
    )


def expired_form(request: Request, tenant: TenantInfo) -> HTMLResponse:
    return render_form(
        request,
        "error.html",
        tenant,
        status_code=400,
        title="Formulaire expiré",
        message="Ce formulaire a expiré pour votre sécurité. Rechargez la page et recommencez.",
    )


@router.get("/premiere-connexion", response_class=HTMLResponse)
async def ask_link_page(request: Request) -> HTMLResponse:
    return render_form(request, "ask_link.html", await page_tenant(request))


@router.post("/premiere-connexion", response_class=HTMLResponse)
async def ask_link(
    request: Request,
    email: Annotated[str, Form(max_length=1000)] = "",
    csrf_token: Annotated[str | None, Form(alias=CSRF_FIELD)] = None,
) -> HTMLResponse:
    tenant = await page_tenant(request)
    if not csrf_ok(request, csrf_token):
        return expired_form(request, tenant)
    try:
        answer = await auth_client(request).request_link(tenant.id, email)
    except AuthUnavailable:
        return unavailable(request, tenant)
    if answer.status == 422:
        return render_form(
            request,
            "ask_link.html",
            tenant,
            status_code=422,
            email=email,
            error="Cette adresse e-mail n'est pas valide. Vérifiez-la et recommencez.",
        )
    if answer.status != 202:
        return unavailable(request, tenant)
    return render_form(request, "link_sent.html", tenant, message=answer.body.get("detail"))


async def _open_link(request: Request, tenant: TenantInfo, token: str) -> AuthAnswer | Response:
    try:
        answer = await auth_client(request).inspect_link(tenant.id, token)
    except AuthUnavailable:
        return unavailable(request, tenant)
    if answer.status == 200:
        return answer
    title, message = LINK_PROBLEMS.get(answer.problem_type, LINK_PROBLEMS["link-invalid"])
    return render_form(
        request,
        "link_problem.html",
        tenant,
        status_code=410,
        title=title,
        message=message,
        detail=answer.body.get("detail"),
    )


def _password_page(
    request: Request, tenant: TenantInfo, token: str, link: dict[str, Any], **context: Any
) -> HTMLResponse:
    context.setdefault("rules", INITIAL_RULES)
    token_path = quote(token, safe="")
    return render_form(
        request,
        "set_password.html",
        tenant,
        form_action=f"/mot-de-passe/{token_path}",
        check_url=f"/api/auth/password/links/{token_path}/check",
        link=link,
        **context,
    )


@router.get("/mot-de-passe/{token}", response_class=HTMLResponse)
async def set_password_page(request: Request, token: str) -> Response:
    tenant = await page_tenant(request)
    opened = await _open_link(request, tenant, token)
    if not isinstance(opened, AuthAnswer):
        return opened
    return _password_page(request, tenant, token, opened.body)


@router.post("/mot-de-passe/{token}", response_class=HTMLResponse)
async def set_password(
    request: Request,
    token: str,
    password: Annotated[str, Form(max_length=1000)] = "",
    confirmation: Annotated[str, Form(max_length=1000)] = "",
    csrf_token: Annotated[str | None, Form(alias=CSRF_FIELD)] = None,
) -> Response:
    tenant = await page_tenant(request)
    if not csrf_ok(request, csrf_token):
        return expired_form(request, tenant)
    opened = await _open_link(request, tenant, token)
    if not isinstance(opened, AuthAnswer):
        return opened
    try:
        answer = await auth_client(request).set_password(tenant.id, token, password, confirmation)
    except AuthUnavailable:
        return unavailable(request, tenant)
    if answer.status == 204:
        return RedirectResponse("/mot-de-passe-enregistre", status_code=303)
    if answer.password_refused:
        rules = answer.body.get("rules") or INITIAL_RULES
        return _password_page(
            request,
            tenant,
            token,
            opened.body,
            rules=rules,
            status_code=422,
            error=answer.body.get("detail", "Ce mot de passe ne respecte pas les règles."),
        )
    title, message = LINK_PROBLEMS.get(answer.problem_type, LINK_PROBLEMS["link-invalid"])
    return render_form(
        request,
        "link_problem.html",
        tenant,
        status_code=410,
        title=title,
        message=message,
        detail=answer.body.get("detail"),
    )


@router.post("/mot-de-passe/{token}/proposition", response_class=HTMLResponse)
async def suggest_password(
    request: Request,
    token: str,
    method: Annotated[str, Form(max_length=20)] = "random",
    sentence: Annotated[str, Form(max_length=300)] = "",
    csrf_token: Annotated[str | None, Form(alias=CSRF_FIELD)] = None,
) -> Response:
    """The generators without JavaScript: the page comes back with the proposal shown."""
    tenant = await page_tenant(request)
    if not csrf_ok(request, csrf_token):
        return expired_form(request, tenant)
    opened = await _open_link(request, tenant, token)
    if not isinstance(opened, AuthAnswer):
        return opened
    try:
        answer = await auth_client(request).suggest(
            tenant.id, "sentence" if method == "sentence" else "random", sentence or None
        )
    except AuthUnavailable:
        return unavailable(request, tenant)
    if answer.status != 200:
        return _password_page(
            request,
            tenant,
            token,
            opened.body,
            sentence=sentence,
            status_code=422,
            error=answer.message("Aucune proposition n'a pu être faite."),
        )
    return _password_page(
        request,
        tenant,
        token,
        opened.body,
        sentence=sentence,
        suggestion=answer.body.get("password"),
        derivation=answer.body.get("derivation") or [],
    )


@router.get("/mot-de-passe-enregistre", response_class=HTMLResponse)
async def password_saved(request: Request) -> HTMLResponse:
    return render_form(request, "password_saved.html", await page_tenant(request))
