"""The parents' record pages (seeds 001/002 "Informations sur le foyer et les enfants"):
« Mon foyer » and « Mes enfants » with categories that unfold and an edit form per field group,
« Mes demandes », documents per person, the certification, and the RGPD download. Each change
goes to the family-service with the parent's token; the tenant decides whether it applies at
once or becomes a request for staff."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

import aiohttp
from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from marelle_gateway.accounts import AuthUnavailable
from marelle_gateway.csrf import CSRF_FIELD, CsrfProtection
from marelle_gateway.pages import page_tenant, render_form
from marelle_gateway.portal_forms import (
    CONTACT_ROWS,
    GROUPS,
    contacts_from_form,
    current_values,
    form_to_changes,
)
from marelle_gateway.portal_session import current_session, fresh_access_token
from marelle_gateway.settings import GatewaySettings
from marelle_gateway.tenants import TenantInfo
from marelle_kit.tenancy import TENANT_HEADER

router = APIRouter(include_in_schema=False)

MESSAGES = {
    "applied": "Vos modifications sont enregistrées.",
    "requested": "Votre demande est envoyée : les services de la commune vont l'examiner. "
    "Suivez-la dans « Mes demandes ».",
    "mixed": "Une partie de vos modifications est enregistrée ; le reste est envoyé aux services "
    "de la commune (voir « Mes demandes »).",
    "certified": "Merci : vous avez certifié que vos informations sont à jour.",
    "document": "Le document est ajouté.",
    "document-removed": "Le document est supprimé.",
}
STATUS_LABELS = {
    "pending": "En attente",
    "accepted": "Acceptée",
    "refused": "Refusée",
    "replaced": "Remplacée par une demande plus récente",
}
UPLOAD_LIMIT = 5 * 1024 * 1024


@dataclass
class ParentContext:
    request: Request
    tenant: TenantInfo
    token: str
    user: dict[str, Any]
    household_id: UUID

    async def call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        data: aiohttp.FormData | None = None,
        raw: bool = False,
    ) -> tuple[int, Any, dict[str, str]]:
        settings: GatewaySettings = self.request.app.state.settings
        session: aiohttp.ClientSession = self.request.app.state.proxy.session
        try:
            async with session.request(
                method,
                f"{settings.family_url}{path}",
                json=json,
                data=data,
                headers={
                    "Authorization": f"Bearer {self.token}",
                    TENANT_HEADER: str(self.tenant.id),
                },
                timeout=aiohttp.ClientTimeout(total=settings.proxy_timeout),
            ) as response:
                if raw:
                    body: Any = await response.read()
                elif response.status == 204:
                    body = None
                else:
                    body = await response.json(content_type=None)
                return response.status, body, dict(response.headers)
        except (aiohttp.ClientError, TimeoutError, ValueError):
            return 503, {"detail": "Le service est momentanément injoignable."}, {}

    def page(self, template: str, status_code: int = 200, **context: Any) -> Response:
        return render_form(
            self.request, template, self.tenant, status_code=status_code, user=self.user, **context
        )


async def parent_context(request: Request) -> ParentContext | Response:
    tenant = await page_tenant(request)
    session_id, data = await current_session(request)
    user = data.get("user") or {}
    if session_id is None or "access_token" not in data or not user.get("household_id"):
        return RedirectResponse("/", status_code=303)
    try:
        token = await fresh_access_token(request, session_id, data)
    except AuthUnavailable:
        token = None
    if token is None:
        return RedirectResponse("/", status_code=303)
    return ParentContext(request, tenant, token, user, UUID(user["household_id"]))


def _csrf_ok(request: Request, token: str | None) -> bool:
    csrf: CsrfProtection = request.app.state.csrf
    return csrf.is_valid(request, token)


def field_errors(body: Any) -> dict[str, str]:
    """A problem document's field errors, keyed by field, for the form to show."""
    if not isinstance(body, dict):
        return {"": "La demande n'a pas abouti."}
    found = {
        str(e.get("field", "")).split(".")[0]: str(e.get("message", ""))
        for e in body.get("errors", [])
    }
    if body.get("field"):
        found[str(body["field"])] = str(body.get("detail", ""))
    found.setdefault("", str(body.get("detail", "La demande n'a pas abouti.")))
    return found


def _outcome(body: dict[str, Any]) -> str:
    if body.get("applied") and body.get("requests"):
        return "mixed"
    return "requested" if body.get("requests") else "applied"


async def _record(ctx: ParentContext) -> dict[str, Any] | None:
    status, body, _ = await ctx.call("GET", f"/households/{ctx.household_id}")
    return body if status == 200 else None


async def _documents(ctx: ParentContext) -> dict[str, list[dict[str, Any]]]:
    status, body, _ = await ctx.call("GET", f"/households/{ctx.household_id}/documents")
    by_person: dict[str, list[dict[str, Any]]] = {}
    if status == 200 and isinstance(body, list):
        for document in body:
            by_person.setdefault(str(document.get("person_id")), []).append(document)
    return by_person


async def _pending_groups(ctx: ParentContext) -> set[tuple[str, str]]:
    status, body, _ = await ctx.call("GET", f"/households/{ctx.household_id}/change-requests")
    if status != 200:
        return set()
    return {(r["target_id"], r["field_group"]) for r in body if r["status"] == "pending"}


def _unavailable(ctx: ParentContext) -> Response:
    return render_form(
        ctx.request,
        "error.html",
        ctx.tenant,
        status_code=503,
        title="Service momentanément indisponible",
        message="Votre dossier est momentanément indisponible. Réessayez dans quelques minutes.",
    )


@router.get("/mon-foyer", response_model=None)
async def my_household(request: Request, message: str = "") -> Response:
    ctx = await parent_context(request)
    if not isinstance(ctx, ParentContext):
        return ctx
    record = await _record(ctx)
    if record is None:
        return _unavailable(ctx)
    status, rules, _ = await ctx.call("GET", "/settings/records")
    criteria = rules.get("criteria", []) if status == 200 else []
    return ctx.page(
        "portal_household.html",
        household=record,
        criteria=criteria,
        groups=GROUPS,
        documents=await _documents(ctx),
        pending=await _pending_groups(ctx),
        message=MESSAGES.get(message),
    )


@router.get("/mes-enfants", response_model=None)
async def my_children(request: Request, message: str = "") -> Response:
    ctx = await parent_context(request)
    if not isinstance(ctx, ParentContext):
        return ctx
    record = await _record(ctx)
    if record is None:
        return _unavailable(ctx)
    status, rules, _ = await ctx.call("GET", "/settings/records")
    return ctx.page(
        "portal_children.html",
        household=record,
        groups=GROUPS,
        diets=rules.get("diets", {}) if status == 200 else {},
        documents=await _documents(ctx),
        pending=await _pending_groups(ctx),
        message=MESSAGES.get(message),
    )


@router.get("/mes-demandes", response_model=None)
async def my_requests(request: Request) -> Response:
    ctx = await parent_context(request)
    if not isinstance(ctx, ParentContext):
        return ctx
    status, body, _ = await ctx.call("GET", f"/households/{ctx.household_id}/change-requests")
    if status != 200:
        return _unavailable(ctx)
    return ctx.page("portal_requests.html", requests=body, statuses=STATUS_LABELS)


def _target(record: dict[str, Any], kind: str, target_id: UUID) -> dict[str, Any] | None:
    if kind == "household":
        return record if str(target_id) == record["id"] else None
    people = {"guardian": record["guardians"], "adult": record.get("adults", [])}.get(
        kind, record["children"]
    )
    return next((p for p in people if p["id"] == str(target_id)), None)


def _patch_path(ctx: ParentContext, kind: str, target_id: UUID) -> str:
    base = f"/households/{ctx.household_id}"
    if kind == "household":
        return base
    collection = {"guardian": "guardians", "adult": "adults"}.get(kind, "children")
    return f"{base}/{collection}/{target_id}"


def _back(kind: str) -> str:
    return "/mes-enfants" if kind == "child" else "/mon-foyer"


async def _edit_page(
    ctx: ParentContext,
    group: str,
    target_id: UUID,
    *,
    values: dict[str, str] | None = None,
    contacts: list[dict[str, Any]] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    kind = group.split(".")[0]
    record = await _record(ctx)
    if record is None:
        return _unavailable(ctx)
    target = _target(record, kind, target_id)
    if target is None or (group not in GROUPS and group != "child.contacts"):
        return render_form(
            ctx.request,
            "error.html",
            ctx.tenant,
            status_code=404,
            title="Page introuvable",
            message="Cette fiche n'existe pas.",
        )
    diets: dict[str, str] = {}
    if group == "child.diet":
        status, rules, _ = await ctx.call("GET", "/settings/records")
        diets = rules.get("diets", {}) if status == 200 else {}
    if group == "child.contacts":
        rows = contacts if contacts is not None else list(target.get("contacts", []))
        rows = rows + [{} for _ in range(CONTACT_ROWS - len(rows))]
        title = "Personnes autorisées et à prévenir"
        fields: tuple[Any, ...] = ()
    else:
        title, fields = GROUPS[group]
        rows = []
    return ctx.page(
        "portal_edit.html",
        status_code=status_code,
        group=group,
        title=title,
        fields=fields,
        target=target,
        target_id=target_id,
        values=values
        if values is not None
        else current_values(group, target)
        if group in GROUPS
        else {},
        contacts=rows[:CONTACT_ROWS],
        diets=diets,
        errors=errors or {},
        back=_back(kind),
    )


@router.get("/mon-dossier/{group}/{target_id}", response_model=None)
async def edit_form(request: Request, group: str, target_id: UUID) -> Response:
    ctx = await parent_context(request)
    if not isinstance(ctx, ParentContext):
        return ctx
    return await _edit_page(ctx, group, target_id)


@router.post("/mon-dossier/{group}/{target_id}", response_model=None)
async def edit(request: Request, group: str, target_id: UUID) -> Response:
    ctx = await parent_context(request)
    if not isinstance(ctx, ParentContext):
        return ctx
    form = {k: str(v)[:1000] for k, v in (await request.form()).items()}
    kind = group.split(".")[0]
    if group not in GROUPS and group != "child.contacts":
        return await _edit_page(ctx, group, target_id)
    if not _csrf_ok(request, form.get(CSRF_FIELD)):
        return await _edit_page(
            ctx,
            group,
            target_id,
            errors={"": "Le formulaire a expiré ; recommencez."},
            status_code=400,
        )
    if group == "child.contacts":
        changes: dict[str, Any] = {"contacts": contacts_from_form(form)}
    else:
        changes = form_to_changes(group, form)
    status, body, _ = await ctx.call("PATCH", _patch_path(ctx, kind, target_id), json=changes)
    if status == 200:
        return RedirectResponse(f"{_back(kind)}?message={_outcome(body)}", status_code=303)
    if status == 503:
        return _unavailable(ctx)
    return await _edit_page(
        ctx,
        group,
        target_id,
        values=form if group in GROUPS else None,
        contacts=changes.get("contacts"),
        errors=field_errors(body),
        status_code=422 if status in (400, 422) else status,
    )


@router.post("/mon-foyer/certification", response_model=None)
async def certify(
    request: Request,
    certify: Annotated[str, Form(max_length=10)] = "",
    csrf_token: Annotated[str | None, Form(alias=CSRF_FIELD)] = None,
) -> Response:
    ctx = await parent_context(request)
    if not isinstance(ctx, ParentContext):
        return ctx
    if not _csrf_ok(request, csrf_token) or certify != "on":
        return RedirectResponse("/mon-foyer", status_code=303)
    status, _, _ = await ctx.call("POST", f"/households/{ctx.household_id}/certification")
    if status != 200:
        return _unavailable(ctx)
    return RedirectResponse("/mon-foyer?message=certified", status_code=303)


@router.get("/mon-foyer/mes-donnees.{extension}", response_model=None)
async def my_data(request: Request, extension: str) -> Response:
    """The RGPD download: everything held on the household, JSON or PDF."""
    ctx = await parent_context(request)
    if not isinstance(ctx, ParentContext):
        return ctx
    if extension not in ("json", "pdf"):
        return RedirectResponse("/mon-foyer", status_code=303)
    status, body, headers = await ctx.call(
        "GET", f"/households/{ctx.household_id}/export.{extension}", raw=True
    )
    if status != 200:
        return _unavailable(ctx)
    return _download(body, headers)


def _download(body: bytes, headers: dict[str, str]) -> Response:
    return Response(
        body,
        media_type=headers.get("Content-Type", "application/octet-stream"),
        headers={
            "Content-Disposition": headers.get("Content-Disposition", "attachment"),
            "Cache-Control": "private, no-store",
        },
    )


@router.post("/mes-documents", response_model=None)
async def upload(
    request: Request,
    file: Annotated[UploadFile, File()],
    name: Annotated[str, Form(max_length=200)] = "",
    description: Annotated[str, Form(max_length=500)] = "",
    person_kind: Annotated[str, Form(max_length=10)] = "household",
    person_id: Annotated[str, Form(max_length=40)] = "",
    csrf_token: Annotated[str | None, Form(alias=CSRF_FIELD)] = None,
) -> Response:
    ctx = await parent_context(request)
    if not isinstance(ctx, ParentContext):
        return ctx
    back = "/mes-enfants" if person_kind == "child" else "/mon-foyer"
    if not _csrf_ok(request, csrf_token):
        return RedirectResponse(back, status_code=303)
    content = await file.read(UPLOAD_LIMIT + 1)
    form = aiohttp.FormData()
    form.add_field("file", content, filename=file.filename or "document")
    form.add_field("name", name or (file.filename or "Document"))
    if description:
        form.add_field("description", description)
    form.add_field("person_kind", person_kind)
    form.add_field("person_id", person_id or str(ctx.household_id))
    status, body, _ = await ctx.call("POST", f"/households/{ctx.household_id}/documents", data=form)
    if status == 201:
        return RedirectResponse(f"{back}?message=document", status_code=303)
    if status == 503:
        return _unavailable(ctx)
    return render_form(
        request,
        "error.html",
        ctx.tenant,
        status_code=422 if status in (400, 413, 415, 422) else status,
        title="Document refusé",
        message=field_errors(body).get("", "Ce document n'a pas pu être ajouté."),
        back=back,
    )


@router.get("/mes-documents/{document_id}", response_model=None)
async def download(request: Request, document_id: UUID) -> Response:
    ctx = await parent_context(request)
    if not isinstance(ctx, ParentContext):
        return ctx
    status, body, headers = await ctx.call(
        "GET", f"/households/{ctx.household_id}/documents/{document_id}/content", raw=True
    )
    if status != 200:
        return render_form(
            request,
            "error.html",
            ctx.tenant,
            status_code=404,
            title="Document introuvable",
            message="Ce document n'existe pas.",
        )
    return _download(body, headers)
