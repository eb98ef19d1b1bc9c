"""The staff back office: households (search, details, legal guardians, children's records,
change requests), the captured mailbox, the auth audit log, account unlocking. Server-rendered,
French, usable without JavaScript; every call to a service carries the staff member's access
token (the services check roles and tenant), every form its CSRF token."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any
from urllib.parse import urlencode
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import aiohttp
from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from marelle_gateway.csrf import CSRF_FIELD, CsrfProtection
from marelle_gateway.pages import page_tenant, render_form
from marelle_gateway.portal_forms import GROUPS as PORTAL_GROUPS
from marelle_gateway.portal_session import current_session, fresh_access_token, render_login
from marelle_gateway.settings import GatewaySettings
from marelle_gateway.tenants import TenantInfo
from marelle_kit import roles
from marelle_kit.tenancy import TENANT_HEADER

router = APIRouter(prefix="/admin", include_in_schema=False)
CsrfField = Annotated[str | None, Form(alias=CSRF_FIELD)]
QueryParams = Mapping[str, str] | Sequence[tuple[str, str]]
# Today's back office serves the office roles (the `web` branch adds the others' pages).
OFFICE_ROLES = roles.OFFICE
JOURNAL_ROLES = roles.SUPERVISORS | roles.OPERATORS
FORM_EXPIRED = "Le formulaire a expiré ; recommencez."

try:
    LOCAL_TIME: ZoneInfo | None = ZoneInfo("Europe/Paris")
except ZoneInfoNotFoundError:  # no time zone database: dates are shown in UTC
    LOCAL_TIME = None


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
        params: QueryParams | None = None,
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

    async def upload(
        self,
        service: str,
        path: str,
        form: aiohttp.FormData,
        params: QueryParams | None = None,
        wait_seconds: float = 60,
    ) -> tuple[int, Any]:
        """A multipart POST (files) to a service, with the staff member's token."""
        settings: GatewaySettings = self.request.app.state.settings
        session: aiohttp.ClientSession = self.request.app.state.proxy.session
        try:
            async with session.post(
                f"{settings.upstream(service)}{path}",
                data=form,
                params=params,
                headers={
                    "Authorization": f"Bearer {self.token}",
                    TENANT_HEADER: str(self.tenant.id),
                },
                timeout=aiohttp.ClientTimeout(total=max(settings.proxy_timeout, wait_seconds)),
            ) as response:
                return response.status, await response.json(content_type=None)
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
            can_read_journal=bool(self.roles & JOURNAL_ROLES),
            labels=FIELD_LABELS,
            day=day,
            moment=moment,
            **context,
        )

    def error(self, status_code: int, title: str, message: str) -> Response:
        return render_form(
            self.request,
            "error.html",
            self.tenant,
            status_code=status_code,
            title=title,
            message=message,
        )

    def unreachable(self, status: int, missing: str) -> Response:
        """The error page for a failed read: ``missing`` ("Foyer introuvable") when the service
        does not know the record, otherwise that the service did not answer."""
        if status in (403, 404):
            return self.error(404, missing, "Cette fiche n'existe pas ou n'est plus accessible.")
        return self.error(
            503,
            "Service indisponible",
            "Le service des dossiers familles ne répond pas ; réessayez dans un instant.",
        )


async def staff_context(request: Request) -> StaffContext | Response:
    tenant = await page_tenant(request)
    session_id, data = await current_session(request)
    if session_id is None or "access_token" not in data:
        return RedirectResponse("/admin", status_code=303)
    user = data["user"]
    if not set(user.get("roles", [])) & (OFFICE_ROLES | roles.OPERATORS):
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


# ---------------------------------------------------------------------------------------------
# Showing records: French labels and values.

FIELD_LABELS: dict[str, str] = {
    "name": "Nom du foyer",
    "address_street": "Numéro et rue",
    "address_complement": "Complément d'adresse",
    "postcode": "Code postal",
    "city": "Commune",
    "phone": "Téléphone",
    "email_authorised": "Accepte les courriels",
    "sms_authorised": "Accepte les SMS",
    "quotient": "Quotient familial (€)",
    "quotient_valid_until": "Quotient valable jusqu'au",
    "benefits_scheme": "Régime (CAF ou MSA)",
    "benefits_number": "N° d'allocataire",
    "insurer": "Assureur",
    "insurance_number": "N° de contrat d'assurance",
    "insurance_valid_until": "Assurance valable jusqu'au",
    "rank": "Rang",
    "first_name": "Prénom",
    "last_name": "Nom",
    "email": "Adresse e-mail",
    "work_phone": "Téléphone professionnel",
    "profession": "Profession",
    "employer": "Employeur",
    "parental_authority": "Autorité parentale",
    "birth_date": "Date de naissance",
    "birth_place": "Lieu de naissance",
    "school": "École",
    "level": "Classe ou niveau",
    "school_year": "Année scolaire",
    "diet": "Régime alimentaire",
    "pai": "PAI (projet d'accueil individualisé)",
    "vaccinations_up_to_date": "Vaccinations à jour",
    "consent_photo": "Photographies et vidéos",
    "consent_outings": "Sorties",
    "consent_leave_alone": "Partir seul",
    "consent_hospitalisation": "Hospitalisation en urgence",
    "contacts": "Personnes autorisées et à prévenir",
    "relationship": "Lien avec l'enfant",
    "pick_up": "Peut venir chercher l'enfant",
    "emergency": "À prévenir en urgence",
    "reason": "Motif du refus",
}
AUTHORITY = {"unknown": "Non renseignée", "yes": "Oui", "no": "Non"}
SCHEMES = {"caf": "CAF", "msa": "MSA"}
STATUS_LABELS = {
    "pending": "En attente",
    "accepted": "Acceptée",
    "refused": "Refusée",
    "replaced": "Remplacée par une demande plus récente",
}
TARGET_LABELS = {
    "household": "Foyer",
    "guardian": "Responsable légal",
    "adult": "Autre adulte",
    "child": "Enfant",
}
DATE_FIELDS = frozenset({"birth_date", "quotient_valid_until", "insurance_valid_until"})
NOTICES = {
    "enregistre": "Les modifications sont enregistrées.",
    "inchange": "Aucune modification : rien n'a été enregistré.",
    "responsable-ajoute": "Le responsable légal est ajouté.",
    "responsable-retire": "Le responsable légal est retiré du foyer.",
    "enfant-ajoute": "L'enfant est ajouté au foyer.",
    "fiche-validee": "La fiche de l'enfant est validée.",
    "acceptee": "La demande est acceptée : la modification est appliquée au dossier.",
    "refusee": "La demande est refusée ; la famille lit le motif dans « Mes demandes ».",
}


def day(value: str | None) -> str:
    """An ISO date the French way: 2027-08-31 -> 31/08/2027."""
    if not value:
        return ""
    try:
        return date.fromisoformat(value[:10]).strftime("%d/%m/%Y")
    except ValueError:
        return value


def moment(value: str | None) -> str:
    """An ISO timestamp in French local time: "04/05/2026 à 14:32"."""
    if not value:
        return ""
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return value
    if LOCAL_TIME is None:
        return when.strftime("%d/%m/%Y à %H:%M (UTC)")
    return when.astimezone(LOCAL_TIME).strftime("%d/%m/%Y à %H:%M")


def notice(code: str) -> str | None:
    return NOTICES.get(code)


def _contact_text(contact: Mapping[str, Any]) -> str:
    roles = [
        label
        for flag, label in (("pick_up", "vient chercher l'enfant"), ("emergency", "urgence"))
        if contact.get(flag)
    ]
    who = f"{contact.get('first_name', '')} {contact.get('last_name', '')}".strip()
    return f"{who} ({contact.get('relationship', '')}, {contact.get('phone', '')})" + (
        f" — {', '.join(roles)}" if roles else ""
    )


def shown(name: str, value: Any, diets: Mapping[str, str]) -> str:
    """A record's or a request's value, as staff read it."""
    if name == "diet":
        return diets.get(value, value) if value else "Aucun régime particulier"
    if value is None:
        return "Non renseigné"
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if name == "contacts" and isinstance(value, list):
        return "; ".join(_contact_text(c) for c in value if isinstance(c, Mapping)) or "Aucune"
    if name == "parental_authority":
        return AUTHORITY.get(str(value), str(value))
    if name == "benefits_scheme":
        return SCHEMES.get(str(value), str(value))
    if name in DATE_FIELDS:
        return day(str(value))
    if name == "quotient":
        return f"{value} €"
    return str(value)


@dataclass
class RequestView:
    """A change request as the back office lists it."""

    id: str
    household_id: str
    label: str
    target: str
    target_link: str
    changes: list[tuple[str, str]]
    status: str
    status_label: str
    reason: str | None
    created: str
    decided: str


def request_view(
    row: Mapping[str, Any], diets: Mapping[str, str], names: Mapping[str, str]
) -> RequestView:
    """``names`` maps a guardian's or child's id to their name when the page knows it."""
    household_id = str(row["household_id"])
    target, target_id = str(row["target"]), str(row["target_id"])
    if target == "child":
        link = f"/admin/foyers/{household_id}/enfants/{target_id}"
    elif target == "guardian":
        link = f"/admin/foyers/{household_id}#responsables"
    elif target == "adult":
        link = f"/admin/foyers/{household_id}#adultes"
    else:
        link = f"/admin/foyers/{household_id}#foyer"
    who = TARGET_LABELS.get(target, target)
    if target_id in names:
        who = f"{who} : {names[target_id]}"
    changes = row.get("changes") or {}
    return RequestView(
        id=str(row["id"]),
        household_id=household_id,
        label=str(row.get("label", row.get("field_group", ""))),
        target=who,
        target_link=link,
        changes=[(FIELD_LABELS.get(k, k), shown(k, v, diets)) for k, v in changes.items()],
        status=str(row["status"]),
        status_label=STATUS_LABELS.get(str(row["status"]), str(row["status"])),
        reason=row.get("reason"),
        created=moment(row.get("created_at")),
        decided=moment(row.get("decided_at")),
    )


# ---------------------------------------------------------------------------------------------
# Reading forms: what was typed, turned into the JSON the family-service expects.

TEXT_LIMIT = 1000  # longer than any field: the service still says what is too long
HOUSEHOLD_TEXT = (
    "address_street",
    "address_complement",
    "postcode",
    "city",
    "phone",
    "quotient_valid_until",
    "benefits_scheme",
    "benefits_number",
    "insurer",
    "insurance_number",
    "insurance_valid_until",
)
HOUSEHOLD_FLAGS = ("email_authorised", "sms_authorised")
GUARDIAN_TEXT = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "work_phone",
    "profession",
    "employer",
)
CHILD_TEXT = (
    "first_name",
    "last_name",
    "birth_date",
    "birth_place",
    "school",
    "level",
    "school_year",
    "diet",
)
CHILD_FLAGS = ("pai", "vaccinations_up_to_date")
CONSENTS = ("consent_photo", "consent_outings", "consent_leave_alone", "consent_hospitalisation")
CONTACT_TEXT = ("first_name", "last_name", "relationship", "phone")
CONTACT_FLAGS = ("pick_up", "emergency")
MAX_CONTACTS = 10
BLANK_CONTACT_ROWS = 2
_PHONE_SEPARATORS = re.compile(r"[ .\-/()]")


class Posted:
    """A posted form, read field by field (absent and blank fields read as empty)."""

    def __init__(self, data: FormData) -> None:
        self.data = data

    @property
    def csrf(self) -> str | None:
        value = self.data.get(CSRF_FIELD)
        return value if isinstance(value, str) else None

    def has(self, name: str) -> bool:
        return name in self.data

    def text(self, name: str) -> str:
        value = self.data.get(name)
        return value.strip()[:TEXT_LIMIT] if isinstance(value, str) else ""

    def optional(self, name: str) -> str | None:
        return self.text(name) or None

    def flag(self, name: str) -> bool:
        return self.text(name) in ("on", "oui", "true", "1")

    def consent(self, name: str) -> bool | None:
        return {"oui": True, "non": False}.get(self.text(name))

    def number(self, name: str) -> int | str | None:
        """An integer when digits were typed; otherwise the text, for the service to refuse."""
        typed = self.text(name).replace(" ", "")
        return int(typed) if typed.isdigit() else (typed or None)


def household_values(form: Posted) -> dict[str, Any]:
    values: dict[str, Any] = {name: form.optional(name) for name in HOUSEHOLD_TEXT}
    values["quotient"] = form.number("quotient")
    values.update({name: form.flag(name) for name in HOUSEHOLD_FLAGS})
    return values


def guardian_values(form: Posted) -> dict[str, Any]:
    """The guardian fields present in the form (a form may carry only some of them)."""
    values: dict[str, Any] = {name: form.optional(name) for name in GUARDIAN_TEXT if form.has(name)}
    if form.has("parental_authority"):
        values["parental_authority"] = form.text("parental_authority") or "unknown"
    return values


def contact_rows(form: Posted) -> list[dict[str, Any]]:
    """The filled contact rows, in order; an empty row is ignored."""
    rows = []
    for index in range(MAX_CONTACTS):
        prefix = f"contacts-{index}-"
        row: dict[str, Any] = {name: form.text(prefix + name) for name in CONTACT_TEXT}
        if not any(row.values()):
            continue
        row.update({name: form.flag(prefix + name) for name in CONTACT_FLAGS})
        rows.append(row)
    return rows


def child_values(form: Posted) -> dict[str, Any]:
    values: dict[str, Any] = {name: form.optional(name) for name in CHILD_TEXT}
    values.update({name: form.flag(name) for name in CHILD_FLAGS})
    values.update({name: form.consent(name) for name in CONSENTS})
    values["contacts"] = contact_rows(form)
    return values


def child_record(child: Mapping[str, Any]) -> dict[str, Any]:
    """A child as the form shows it (the same keys as ``child_values``)."""
    values = {name: child.get(name) for name in (*CHILD_TEXT, *CHILD_FLAGS, *CONSENTS)}
    values["contacts"] = [
        {name: contact.get(name) for name in (*CONTACT_TEXT, *CONTACT_FLAGS)}
        for contact in child.get("contacts", [])
    ]
    return values


def _comparable(name: str, value: Any) -> Any:
    if name == "contacts" and isinstance(value, list):
        return [
            {
                **contact,
                "phone": _PHONE_SEPARATORS.sub("", str(contact.get("phone") or "")),
            }
            for contact in value
        ]
    return value


def changed(values: Mapping[str, Any], current: Mapping[str, Any]) -> dict[str, Any]:
    """What the form changes in the record: only these fields go to the service, so an
    unchanged field publishes nothing."""
    return {
        name: value
        for name, value in values.items()
        if _comparable(name, value) != _comparable(name, current.get(name))
    }


def sendable(values: Mapping[str, Any]) -> dict[str, Any]:
    """The values as sent: a contact's empty field is left out, so that the service answers
    "Ce champ est obligatoire." for it."""
    if not isinstance(values.get("contacts"), list):
        return dict(values)
    contacts = [
        {name: value for name, value in contact.items() if value != ""}
        for contact in values["contacts"]
    ]
    return {**values, "contacts": contacts}


def with_blank_rows(contacts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    blanks = max(0, min(BLANK_CONTACT_ROWS, MAX_CONTACTS - len(contacts)))
    return [*contacts, *({} for _ in range(blanks))]


def _redirect(path: str, done: str | None = None, anchor: str = "") -> RedirectResponse:
    """Back to a page after a change, with the confirmation to show there."""
    query = f"?{urlencode({'fait': done})}" if done else ""
    return RedirectResponse(f"{path}{query}{'#' + anchor if anchor else ''}", status_code=303)


@router.get("", response_model=None)
async def staff_home(request: Request) -> Response:
    _session_id, data = await current_session(request)
    if set(data.get("user", {}).get("roles", [])) & OFFICE_ROLES:
        return RedirectResponse("/admin/foyers", status_code=303)
    return await render_login(request, await page_tenant(request), staff=True)


# ---------------------------------------------------------------------------------------------
# Households: search and creation.

PAGE_SIZE = 50
# (parameter of the page, parameter of the family-service, label)
FILTERS = (
    ("a_valider", "not_validated", "Une fiche enfant est à valider"),
    ("qf_expire", "quotient_expired", "Quotient familial absent ou expiré"),
    ("sans_email", "missing_email", "Aucun responsable légal n'a d'adresse e-mail"),
)


@dataclass(frozen=True)
class Search:
    q: str = ""
    school: str = ""
    flags: frozenset[str] = frozenset()  # the page parameters of the ticked filters
    page: int = 1

    @classmethod
    def of(cls, request: Request) -> Search:
        params = request.query_params
        page = params.get("page", "1")
        return cls(
            q=params.get("q", "").strip(),
            school=params.get("ecole", "").strip(),
            flags=frozenset(name for name, _api, _label in FILTERS if params.get(name)),
            page=int(page) if page.isdigit() and 0 < int(page) < 10_000 else 1,
        )

    @property
    def active(self) -> bool:
        return bool(self.q or self.school or self.flags)

    def service_params(self) -> dict[str, str]:
        # One row more than a page tells whether there is a next page.
        params = {"limit": str(PAGE_SIZE + 1), "offset": str((self.page - 1) * PAGE_SIZE)}
        if self.q:
            params["q"] = self.q
        if self.school:
            params["school"] = self.school
        params.update({api: "true" for name, api, _label in FILTERS if name in self.flags})
        return params

    def link(self, page: int) -> str:
        params = [("q", self.q), ("ecole", self.school)]
        params += [(name, "1") for name, _api, _label in FILTERS if name in self.flags]
        params.append(("page", str(page)))
        return "/admin/foyers?" + urlencode([(k, v) for k, v in params if v])


async def _households_page(
    ctx: StaffContext, search: Search, status_code: int = 200, **context: Any
) -> Response:
    status, listed = await ctx.call("GET", "family", "/households", params=search.service_params())
    rows: list[dict[str, Any]] = listed if status == 200 else []
    search_errors = {} if status == 200 else _errors(listed)
    if search_errors and status_code == 200:
        status_code = _failure_status(status)
    context.setdefault("form", {})
    context.setdefault("create_errors", {})
    return ctx.page(
        "admin_households.html",
        status_code,
        households=rows[:PAGE_SIZE],
        search=search,
        filters=FILTERS,
        search_errors={k.removeprefix("query."): v for k, v in search_errors.items()},
        previous_page=search.link(search.page - 1) if search.page > 1 else None,
        next_page=search.link(search.page + 1) if len(rows) > PAGE_SIZE else None,
        **context,
    )


@router.get("/foyers", response_model=None)
async def households(request: Request) -> Response:
    ctx = await staff_context(request)
    if not isinstance(ctx, StaffContext):
        return ctx
    return await _households_page(ctx, Search.of(request))


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
        return await _households_page(ctx, Search(), 400, form=form, errors={"": FORM_EXPIRED})
    payload: dict[str, Any] = {"name": name, "guardians": []}
    if first_name or last_name or email:
        payload["guardians"].append(
            {"rank": 1, "first_name": first_name, "last_name": last_name, "email": email or None}
        )
    status, body = await ctx.call("POST", "family", "/households", json=payload)
    if status == 201:
        return RedirectResponse(f"/admin/foyers/{body['id']}", status_code=303)
    return await _households_page(
        ctx, Search(), _failure_status(status), form=form, create_errors=_errors(body)
    )


def _failure_status(status: int) -> int:
    return status if 400 <= status < 500 else 503


async def _diets(ctx: StaffContext) -> dict[str, str]:
    """The tenant's diets {code: label}."""
    status, rules = await ctx.call("GET", "family", "/settings/records")
    if status == 200 and isinstance(rules, dict):
        return {str(k): str(v) for k, v in (rules.get("diets") or {}).items()}
    return {}


# ---------------------------------------------------------------------------------------------
# A household's record: details, legal guardians, children, requests.


async def _household_page(
    ctx: StaffContext,
    household_id: UUID,
    status_code: int = 200,
    *,
    failed: str = "",
    form_errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    done: str = "",
) -> Response:
    """The record's page; ``failed`` names the form whose ``form_errors`` and typed ``values``
    are shown again."""
    status, household = await ctx.call("GET", "family", f"/households/{household_id}")
    if status != 200:
        return ctx.unreachable(status, "Foyer introuvable")
    listed, requests = await ctx.call(
        "GET", "family", f"/households/{household_id}/change-requests"
    )
    diets = await _diets(ctx)
    rules_status, rules = await ctx.call("GET", "family", "/settings/records")
    criteria = rules.get("criteria", []) if rules_status == 200 else []
    names = {
        str(person["id"]): f"{person['first_name']} {person['last_name']}"
        for person in [
            *household.get("guardians", []),
            *household.get("adults", []),
            *household.get("children", []),
        ]
    }
    views = [request_view(r, diets, names) for r in requests] if listed == 200 else []
    documents_status, documents = await ctx.call(
        "GET", "family", f"/households/{household_id}/documents"
    )
    return ctx.page(
        "admin_household.html",
        status_code,
        household=household,
        documents=documents if documents_status == 200 else [],
        criteria=criteria,
        people=names,
        requests=views,
        requests_unavailable=listed != 200,
        pending=sum(1 for r in views if r.status == "pending"),
        diets=diets,
        shown=shown,
        authority=AUTHORITY,
        schemes=SCHEMES,
        today=date.today().isoformat(),
        failed=failed,
        form_errors=form_errors or {},
        values=values or {},
        errors=errors or {},
        message=notice(done),
    )


@router.get("/foyers/{household_id}", response_model=None)
async def household(request: Request, household_id: UUID, fait: str = "") -> Response:
    ctx = await staff_context(request)
    if not isinstance(ctx, StaffContext):
        return ctx
    return await _household_page(ctx, household_id, done=fait)


@router.post("/foyers/{household_id}/foyer", response_model=None)
async def edit_household(request: Request, household_id: UUID) -> Response:
    """The household's details: only what changed goes to the family-service."""
    ctx = await staff_context(request)
    if not isinstance(ctx, StaffContext):
        return ctx
    form = Posted(await request.form())
    if not _csrf_ok(request, form.csrf):
        return await _household_page(ctx, household_id, 400, errors={"": FORM_EXPIRED})
    status, current = await ctx.call("GET", "family", f"/households/{household_id}")
    if status != 200:
        return ctx.unreachable(status, "Foyer introuvable")
    values = household_values(form)
    changes = changed(values, current)
    if not changes:
        return _redirect(f"/admin/foyers/{household_id}", "inchange", "foyer")
    status, body = await ctx.call("PATCH", "family", f"/households/{household_id}", json=changes)
    if status == 200:
        return _redirect(f"/admin/foyers/{household_id}", "enregistre", "foyer")
    return await _household_page(
        ctx,
        household_id,
        _failure_status(status),
        failed="foyer",
        form_errors=_errors(body),
        values=values,
    )


@router.post("/foyers/{household_id}/responsables", response_model=None)
async def add_guardian(request: Request, household_id: UUID) -> Response:
    ctx = await staff_context(request)
    if not isinstance(ctx, StaffContext):
        return ctx
    form = Posted(await request.form())
    if not _csrf_ok(request, form.csrf):
        return await _household_page(ctx, household_id, 400, errors={"": FORM_EXPIRED})
    rank = form.text("rank")
    values = guardian_values(form)
    payload: dict[str, Any] = {
        "rank": int(rank) if rank.isdigit() else rank,
        **{name: value for name, value in values.items() if value is not None},
    }
    status, body = await ctx.call(
        "POST", "family", f"/households/{household_id}/guardians", json=payload
    )
    if status == 201:
        return _redirect(f"/admin/foyers/{household_id}", "responsable-ajoute", "responsables")
    return await _household_page(
        ctx,
        household_id,
        _failure_status(status),
        failed="ajout-responsable",
        form_errors=_errors(body),
        values={**values, "rank": rank},
    )


@router.post("/foyers/{household_id}/responsables/{guardian_id}", response_model=None)
async def update_guardian(request: Request, household_id: UUID, guardian_id: UUID) -> Response:
    """Change a guardian (only what changed is sent) or, with action=retirer, remove them."""
    ctx = await staff_context(request)
    if not isinstance(ctx, StaffContext):
        return ctx
    form = Posted(await request.form())
    if not _csrf_ok(request, form.csrf):
        return await _household_page(ctx, household_id, 400, errors={"": FORM_EXPIRED})
    path = f"/households/{household_id}/guardians/{guardian_id}"
    values = guardian_values(form)
    if form.text("action") == "retirer":
        status, body = await ctx.call("DELETE", "family", path)
        done = "responsable-retire"
    else:
        found, current = await ctx.call("GET", "family", f"/households/{household_id}")
        if found != 200:
            return ctx.unreachable(found, "Foyer introuvable")
        guardian = next((g for g in current["guardians"] if g["id"] == str(guardian_id)), None)
        if guardian is None:
            return ctx.unreachable(404, "Responsable légal introuvable")
        changes = changed(values, guardian)
        if not changes:
            return _redirect(f"/admin/foyers/{household_id}", "inchange", "responsables")
        status, body = await ctx.call("PATCH", "family", path, json=changes)
        done = "enregistre"
    if status in (200, 204):
        return _redirect(f"/admin/foyers/{household_id}", done, "responsables")
    return await _household_page(
        ctx,
        household_id,
        _failure_status(status),
        failed=f"responsable-{guardian_id}",
        form_errors=_errors(body),
        values=values,
    )


# ---------------------------------------------------------------------------------------------
# Children's records.


def _child_form_context(
    values: dict[str, Any], diets: dict[str, str], form_errors: dict[str, str] | None
) -> dict[str, Any]:
    return {
        "values": {**values, "contacts": with_blank_rows(list(values.get("contacts", [])))},
        "diets": diets,
        "consents": CONSENTS,
        "contact_text": CONTACT_TEXT,
        "form_errors": form_errors or {},
    }


async def _new_child_page(
    ctx: StaffContext,
    household_id: UUID,
    status_code: int = 200,
    *,
    values: dict[str, Any] | None = None,
    form_errors: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    return ctx.page(
        "admin_child_new.html",
        status_code,
        household_id=household_id,
        errors=errors or {},
        **_child_form_context(values or {}, await _diets(ctx), form_errors),
    )


@router.get("/foyers/{household_id}/enfants/nouveau", response_model=None)
async def new_child(request: Request, household_id: UUID) -> Response:
    ctx = await staff_context(request)
    if not isinstance(ctx, StaffContext):
        return ctx
    return await _new_child_page(ctx, household_id)


@router.post("/foyers/{household_id}/enfants/nouveau", response_model=None)
async def add_child(request: Request, household_id: UUID) -> Response:
    ctx = await staff_context(request)
    if not isinstance(ctx, StaffContext):
        return ctx
    form = Posted(await request.form())
    values = child_values(form)
    if not _csrf_ok(request, form.csrf):
        return await _new_child_page(
            ctx, household_id, 400, values=values, errors={"": FORM_EXPIRED}
        )
    # Left out rather than null: a missing name or birth date reads "Ce champ est obligatoire."
    payload = {name: value for name, value in sendable(values).items() if value not in (None, [])}
    status, body = await ctx.call(
        "POST", "family", f"/households/{household_id}/children", json=payload
    )
    if status == 201:
        return _redirect(f"/admin/foyers/{household_id}/enfants/{body['id']}", "enfant-ajoute")
    if status == 404:
        return ctx.unreachable(404, "Foyer introuvable")
    return await _new_child_page(
        ctx, household_id, _failure_status(status), values=values, form_errors=_errors(body)
    )


async def _child_page(
    ctx: StaffContext,
    household_id: UUID,
    child_id: UUID,
    status_code: int = 200,
    *,
    values: dict[str, Any] | None = None,
    form_errors: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    done: str = "",
) -> Response:
    status, child = await ctx.call(
        "GET", "family", f"/households/{household_id}/children/{child_id}"
    )
    if status != 200:
        return ctx.unreachable(status, "Enfant introuvable")
    diets = await _diets(ctx)
    return ctx.page(
        "admin_child.html",
        status_code,
        household_id=household_id,
        child=child,
        shown=shown,
        errors=errors or {},
        message=notice(done),
        **_child_form_context(
            values if values is not None else child_record(child), diets, form_errors
        ),
    )


@router.get("/foyers/{household_id}/enfants/{child_id}", response_model=None)
async def child(request: Request, household_id: UUID, child_id: UUID, fait: str = "") -> Response:
    ctx = await staff_context(request)
    if not isinstance(ctx, StaffContext):
        return ctx
    return await _child_page(ctx, household_id, child_id, done=fait)


@router.post("/foyers/{household_id}/enfants/{child_id}", response_model=None)
async def edit_child(request: Request, household_id: UUID, child_id: UUID) -> Response:
    """The child's record: only what changed goes to the family-service."""
    ctx = await staff_context(request)
    if not isinstance(ctx, StaffContext):
        return ctx
    form = Posted(await request.form())
    if not _csrf_ok(request, form.csrf):
        return await _child_page(ctx, household_id, child_id, 400, errors={"": FORM_EXPIRED})
    path = f"/households/{household_id}/children/{child_id}"
    status, current = await ctx.call("GET", "family", path)
    if status != 200:
        return ctx.unreachable(status, "Enfant introuvable")
    values = child_values(form)
    changes = changed(values, child_record(current))
    if not changes:
        return _redirect(f"/admin/foyers/{household_id}/enfants/{child_id}", "inchange", "contenu")
    status, body = await ctx.call("PATCH", "family", path, json=sendable(changes))
    if status == 200:
        return _redirect(
            f"/admin/foyers/{household_id}/enfants/{child_id}", "enregistre", "contenu"
        )
    return await _child_page(
        ctx,
        household_id,
        child_id,
        _failure_status(status),
        values=values,
        form_errors=_errors(body),
    )


@router.post("/foyers/{household_id}/enfants/{child_id}/validation", response_model=None)
async def validate_child(request: Request, household_id: UUID, child_id: UUID) -> Response:
    """« Valider la fiche »: staff checked the record."""
    ctx = await staff_context(request)
    if not isinstance(ctx, StaffContext):
        return ctx
    form = Posted(await request.form())
    if not _csrf_ok(request, form.csrf):
        return await _child_page(ctx, household_id, child_id, 400, errors={"": FORM_EXPIRED})
    status, body = await ctx.call(
        "POST", "family", f"/households/{household_id}/children/{child_id}/validation"
    )
    if status == 200:
        return _redirect(f"/admin/foyers/{household_id}/enfants/{child_id}", "fiche-validee")
    return await _child_page(
        ctx, household_id, child_id, _failure_status(status), errors=_errors(body)
    )


# ---------------------------------------------------------------------------------------------
# The change requests inbox.

INBOX_SIZE = 100


async def _requests_page(
    ctx: StaffContext,
    status_code: int = 200,
    *,
    failed: str = "",
    form_errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    done: str = "",
) -> Response:
    status, rows = await ctx.call(
        "GET", "family", "/change-requests", params={"status": "pending", "limit": str(INBOX_SIZE)}
    )
    if status != 200:
        return ctx.unreachable(status, "Demandes introuvables")
    diets = await _diets(ctx)
    views = [request_view(row, diets, {}) for row in rows]
    households: dict[str, dict[str, Any]] = {}
    ids = sorted({view.household_id for view in views})
    if ids:
        found, listed = await ctx.call(
            "GET",
            "family",
            "/households",
            params=[("limit", str(INBOX_SIZE)), *(("id", i) for i in ids)],
        )
        if found == 200:
            households = {str(h["id"]): h for h in listed}
    errors: dict[str, str] = {}
    if failed and failed not in {view.id for view in views}:
        # The request left the inbox (decided meanwhile): its error goes on top of the page.
        errors, form_errors = form_errors or {}, {}
    return ctx.page(
        "admin_requests.html",
        status_code,
        requests=views,
        households=households,
        full=len(views) >= INBOX_SIZE,
        failed=failed,
        form_errors=form_errors or {},
        values=values or {},
        errors=errors,
        message=notice(done),
    )


@router.get("/demandes", response_model=None)
async def requests_inbox(request: Request, fait: str = "") -> Response:
    ctx = await staff_context(request)
    if not isinstance(ctx, StaffContext):
        return ctx
    return await _requests_page(ctx, done=fait)


@router.post("/demandes/{request_id}/accepter", response_model=None)
async def accept_request(request: Request, request_id: UUID) -> Response:
    ctx = await staff_context(request)
    if not isinstance(ctx, StaffContext):
        return ctx
    form = Posted(await request.form())
    if not _csrf_ok(request, form.csrf):
        return await _requests_page(
            ctx, 400, failed=str(request_id), form_errors={"": FORM_EXPIRED}
        )
    status, body = await ctx.call("POST", "family", f"/change-requests/{request_id}/accept")
    if status == 200:
        return _redirect("/admin/demandes", "acceptee", "contenu")
    return await _requests_page(
        ctx, _failure_status(status), failed=str(request_id), form_errors=_errors(body)
    )


@router.post("/demandes/{request_id}/refuser", response_model=None)
async def refuse_request(request: Request, request_id: UUID) -> Response:
    """A refusal needs a reason: the family reads it in « Mes demandes »."""
    ctx = await staff_context(request)
    if not isinstance(ctx, StaffContext):
        return ctx
    form = Posted(await request.form())
    reason = form.text("reason")
    if not _csrf_ok(request, form.csrf):
        return await _requests_page(
            ctx,
            400,
            failed=str(request_id),
            form_errors={"": FORM_EXPIRED},
            values={"reason": reason},
        )
    status, body = await ctx.call(
        "POST",
        "family",
        f"/change-requests/{request_id}/refuse",
        json={"reason": reason} if reason else {},
    )
    if status == 200:
        return _redirect("/admin/demandes", "refusee", "contenu")
    return await _requests_page(
        ctx,
        _failure_status(status),
        failed=str(request_id),
        form_errors=_errors(body),
        values={"reason": reason},
    )


@router.get("/courriels", response_model=None)
async def mailbox(request: Request) -> Response:
    ctx = await staff_context(request)
    if not isinstance(ctx, StaffContext):
        return ctx
    status, mails = await ctx.call("GET", "mailing", "/mails", params={"limit": "200"})
    # The mailing-service answers a page ({items, total, ...}); only supervisors may read it.
    return ctx.page("admin_mails.html", mails=mails["items"] if status == 200 else [])


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


IMPORT_LIMIT = 5 * 1024 * 1024


@router.get("/import", response_model=None)
async def import_page(request: Request) -> Response:
    ctx = await staff_context(request)
    if not isinstance(ctx, StaffContext):
        return ctx
    if not ctx.roles & JOURNAL_ROLES:
        return ctx.error(403, "Accès réservé", "L'import est réservé aux responsables.")
    return ctx.page("admin_import.html")


@router.post("/import", response_model=None)
async def import_file(
    request: Request,
    file: Annotated[UploadFile, File()],
    csrf_token: CsrfField = None,
    real_run: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """Households and children from the former software's CSV: a dry run first (the default),
    then the real import; any rejected row means nothing is imported."""
    ctx = await staff_context(request)
    if not isinstance(ctx, StaffContext):
        return ctx
    if not ctx.roles & JOURNAL_ROLES:
        return ctx.error(403, "Accès réservé", "L'import est réservé aux responsables.")
    if not _csrf_ok(request, csrf_token):
        return ctx.page("admin_import.html", 400, errors={"": FORM_EXPIRED})
    form = aiohttp.FormData()
    form.add_field(
        "file", await file.read(IMPORT_LIMIT + 1), filename=file.filename or "import.csv"
    )
    dry_run = real_run != "on"
    # A real import of a large file takes minutes (about 10 ms a row): wait for it.
    status, body = await ctx.upload(
        "family",
        "/imports/households",
        form,
        params={"dry_run": str(dry_run).lower()},
        wait_seconds=900,
    )
    if status == 200:
        return ctx.page("admin_import.html", report=body)
    if status == 409 and isinstance(body, dict) and "rejected" in body:
        # Rows refused (the service's 409 import-rejected): the form comes back with them.
        return ctx.page("admin_import.html", 422, report=body, dry_run=dry_run)
    return ctx.page("admin_import.html", _failure_status(status), errors=_errors(body))


@router.get("/donnees-personnelles", response_model=None)
async def personal_data(request: Request, fait: str = "") -> Response:
    """RGPD follow-up: households kept past the retention period (with erasure) and the
    latest reads of children's records."""
    ctx = await staff_context(request)
    if not isinstance(ctx, StaffContext):
        return ctx
    if not ctx.roles & JOURNAL_ROLES:
        return ctx.error(403, "Accès réservé", "Cette page est réservée aux responsables.")
    status, expired = await ctx.call("GET", "family", "/retention/households")
    log_status, reads = await ctx.call("GET", "family", "/access-log", params={"limit": "100"})
    return ctx.page(
        "admin_personal_data.html",
        expired=expired if status == 200 else [],
        reads=reads if log_status == 200 else [],
        done=fait,
    )


@router.post("/foyers/{household_id}/effacement", response_model=None)
async def erase_household(
    request: Request, household_id: UUID, csrf_token: CsrfField = None
) -> Response:
    ctx = await staff_context(request)
    if not isinstance(ctx, StaffContext):
        return ctx
    if not _csrf_ok(request, csrf_token):
        return ctx.error(400, "Formulaire expiré", FORM_EXPIRED)
    status, body = await ctx.call("POST", "family", f"/households/{household_id}/erasure")
    if status == 200:
        return RedirectResponse("/admin/donnees-personnelles?fait=efface", status_code=303)
    return ctx.error(
        _failure_status(status),
        "Effacement impossible",
        str((body or {}).get("detail", "L'effacement n'a pas abouti.")),
    )


@router.post("/foyers/{household_id}/documents", response_model=None)
async def add_document(
    request: Request,
    household_id: UUID,
    file: Annotated[UploadFile, File()],
    csrf_token: CsrfField = None,
    person: Annotated[str, Form(max_length=60)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    description: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    ctx = await staff_context(request)
    if not isinstance(ctx, StaffContext):
        return ctx
    if not _csrf_ok(request, csrf_token):
        return await _household_page(ctx, household_id, 400, errors={"": FORM_EXPIRED})
    kind, _, person_id = person.partition(":")
    form = aiohttp.FormData()
    form.add_field("file", await file.read(IMPORT_LIMIT + 1), filename=file.filename or "document")
    form.add_field("name", name)
    if description:
        form.add_field("description", description)
    form.add_field("person_kind", kind)
    form.add_field("person_id", person_id)
    status, body = await ctx.upload("family", f"/households/{household_id}/documents", form)
    if status == 201:
        return RedirectResponse(f"/admin/foyers/{household_id}#documents", status_code=303)
    return await _household_page(
        ctx,
        household_id,
        _failure_status(status),
        errors={"": f"Document refusé : {_one_message(body)}"},
    )


@router.get("/foyers/{household_id}/documents/{document_id}", response_model=None)
async def read_document(request: Request, household_id: UUID, document_id: UUID) -> Response:
    return await _family_download(
        request, f"/households/{household_id}/documents/{document_id}/content"
    )


@router.get("/foyers/{household_id}/export.{extension}", response_model=None)
async def export_household(request: Request, household_id: UUID, extension: str) -> Response:
    """Everything held on the household (RGPD access request received by the town)."""
    if extension not in ("pdf", "json"):
        return RedirectResponse(f"/admin/foyers/{household_id}", status_code=303)
    return await _family_download(request, f"/households/{household_id}/export.{extension}")


async def _family_download(request: Request, path: str) -> Response:
    ctx = await staff_context(request)
    if not isinstance(ctx, StaffContext):
        return ctx
    settings: GatewaySettings = request.app.state.settings
    session: aiohttp.ClientSession = request.app.state.proxy.session
    try:
        async with session.get(
            f"{settings.upstream('family')}{path}",
            headers={"Authorization": f"Bearer {ctx.token}", TENANT_HEADER: str(ctx.tenant.id)},
            timeout=aiohttp.ClientTimeout(total=max(settings.proxy_timeout, 60)),
        ) as response:
            if response.status != 200:
                return ctx.error(404, "Document introuvable", "Ce document n'existe pas.")
            return Response(
                await response.read(),
                media_type=response.headers.get("Content-Type", "application/octet-stream"),
                headers={
                    "Content-Disposition": response.headers.get(
                        "Content-Disposition", "attachment"
                    ),
                    "Cache-Control": "private, no-store",
                },
            )
    except (aiohttp.ClientError, TimeoutError):
        return ctx.error(503, "Service indisponible", "Le service est momentanément injoignable.")


SETTING_ROLES = roles.ADMINS | roles.OPERATORS
CRITERION_KINDS_OUT = {"yes_no": "oui/non", "text": "texte", "choice": "choix"}
CRITERION_KINDS_IN = {label: kind for kind, label in CRITERION_KINDS_OUT.items()}
GROUP_LABELS = {
    group: f"{TARGET_LABELS[group.split('.')[0]]} — {title}"
    for group, title in [
        *((group, title) for group, (title, _fields) in PORTAL_GROUPS.items()),
        ("child.contacts", "Personnes autorisées et à prévenir"),
    ]
}


async def _settings_page(
    ctx: StaffContext,
    status_code: int = 200,
    *,
    errors: dict[str, str] | None = None,
    done: str = "",
) -> Response:
    status, rules = await ctx.call("GET", "family", "/settings/records")
    if status != 200:
        return ctx.unreachable(status, "Réglages introuvables")
    return ctx.page(
        "admin_settings.html",
        status_code,
        rules=rules,
        group_labels=GROUP_LABELS,
        diets_text="\n".join(f"{code} = {label}" for code, label in rules["diets"].items()),
        criteria_text="\n".join(
            " | ".join(
                [c["code"], c["label"], CRITERION_KINDS_OUT[c["kind"]]]
                + ([", ".join(c["choices"])] if c["choices"] else [])
            )
            for c in rules.get("criteria", [])
        ),
        errors=errors or {},
        done=done,
    )


@router.get("/reglages", response_model=None)
async def settings_page(request: Request, fait: str = "") -> Response:
    """The town's choices for records: which field groups parents change directly, and the
    diets its kitchens serve (administrators)."""
    ctx = await staff_context(request)
    if not isinstance(ctx, StaffContext):
        return ctx
    if not ctx.roles & SETTING_ROLES:
        return ctx.error(403, "Accès réservé", "Les réglages sont réservés aux administrateurs.")
    return await _settings_page(ctx, done=fait)


@router.post("/reglages", response_model=None)
async def save_settings(request: Request) -> Response:
    ctx = await staff_context(request)
    if not isinstance(ctx, StaffContext):
        return ctx
    if not ctx.roles & SETTING_ROLES:
        return ctx.error(403, "Accès réservé", "Les réglages sont réservés aux administrateurs.")
    form = await request.form()
    if not _csrf_ok(request, str(form.get(CSRF_FIELD) or "")):
        return await _settings_page(ctx, 400, errors={"": FORM_EXPIRED})
    diets: dict[str, str] = {}
    for line in str(form.get("diets", ""))[:5000].splitlines():
        code, _, label = line.partition("=")
        if code.strip():
            diets[code.strip()] = label.strip() or code.strip()
    editing = {
        group: str(form.get(f"mode-{group}"))
        for group in GROUP_LABELS
        if form.get(f"mode-{group}") in ("direct", "request")
    }
    criteria = []
    for line in str(form.get("criteria", ""))[:5000].splitlines():
        parts = [part.strip() for part in line.split("|")]
        if len(parts) < 3 or not parts[0]:
            continue
        criteria.append(
            {
                "code": parts[0],
                "label": parts[1],
                "kind": CRITERION_KINDS_IN.get(parts[2].lower(), parts[2]),
                "choices": [c.strip() for c in parts[3].split(",") if c.strip()]
                if len(parts) > 3
                else [],
            }
        )
    status, body = await ctx.call(
        "PUT",
        "family",
        "/settings/records",
        json={"diets": diets, "editing": editing, "criteria": criteria},
    )
    if status == 200:
        return RedirectResponse("/admin/reglages?fait=1", status_code=303)
    return await _settings_page(ctx, _failure_status(status), errors={"": _one_message(body)})


@router.post("/foyers/{household_id}/adultes", response_model=None)
async def add_adult(request: Request, household_id: UUID) -> Response:
    ctx = await staff_context(request)
    if not isinstance(ctx, StaffContext):
        return ctx
    form = Posted(await request.form())
    if not _csrf_ok(request, form.csrf):
        return await _household_page(ctx, household_id, 400, errors={"": FORM_EXPIRED})
    payload = {
        name: form.optional(name)
        for name in ("first_name", "last_name", "relationship", "phone", "email")
    }
    status, body = await ctx.call(
        "POST",
        "family",
        f"/households/{household_id}/adults",
        json={k: v for k, v in payload.items() if v is not None},
    )
    if status == 201:
        return RedirectResponse(f"/admin/foyers/{household_id}#adultes", status_code=303)
    return await _household_page(
        ctx, household_id, _failure_status(status), errors={"": _one_message(body)}
    )


@router.post("/foyers/{household_id}/adultes/{adult_id}/retrait", response_model=None)
async def remove_adult(request: Request, household_id: UUID, adult_id: UUID) -> Response:
    ctx = await staff_context(request)
    if not isinstance(ctx, StaffContext):
        return ctx
    form = Posted(await request.form())
    if not _csrf_ok(request, form.csrf):
        return await _household_page(ctx, household_id, 400, errors={"": FORM_EXPIRED})
    status, body = await ctx.call(
        "DELETE", "family", f"/households/{household_id}/adults/{adult_id}"
    )
    if status == 204:
        return RedirectResponse(f"/admin/foyers/{household_id}#adultes", status_code=303)
    return await _household_page(
        ctx, household_id, _failure_status(status), errors={"": _one_message(body)}
    )


@router.post("/foyers/{household_id}/criteres", response_model=None)
async def save_criteria(request: Request, household_id: UUID) -> Response:
    ctx = await staff_context(request)
    if not isinstance(ctx, StaffContext):
        return ctx
    form = Posted(await request.form())
    if not _csrf_ok(request, form.csrf):
        return await _household_page(ctx, household_id, 400, errors={"": FORM_EXPIRED})
    status, rules = await ctx.call("GET", "family", "/settings/records")
    if status != 200:
        return ctx.unreachable(status, "Réglages introuvables")
    values: dict[str, Any] = {}
    for criterion in rules.get("criteria", []):
        raw = form.text(criterion["code"])
        if criterion["kind"] == "yes_no":
            values[criterion["code"]] = {"oui": True, "non": False}.get(raw)
        else:
            values[criterion["code"]] = raw or None
    status, body = await ctx.call(
        "PATCH", "family", f"/households/{household_id}", json={"criteria_values": values}
    )
    if status == 200:
        return RedirectResponse(f"/admin/foyers/{household_id}#adultes", status_code=303)
    return await _household_page(
        ctx, household_id, _failure_status(status), errors={"": _one_message(body)}
    )


def _one_message(body: Any) -> str:
    """A problem's messages in one line, for the page's error banner."""
    return " ".join(dict.fromkeys(m for m in _errors(body).values() if m))
