"""« Réglages » (administrators): the town itself (the article of its name, its home-page text,
contact details, DPO, how long records are kept) and its choices for records (what families
change directly, the diets its kitchens serve, its own criteria on households)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from marelle_gateway.backoffice.layout import StaffPage
from marelle_gateway.backoffice.navigation import ADMINISTER
from marelle_gateway.clients.base import UpstreamProblem
from marelle_gateway.clients.family import Criterion, FamilyClient, RecordRules
from marelle_gateway.clients.tenants import Article, Tenant, TenantProfile
from marelle_gateway.state import FamilyClientDep, TenantsClientDep
from marelle_gateway.web import catalog, forms
from marelle_gateway.web.deps import CsrfChecked, PageTenant, Staff, StaffUser, require_roles
from marelle_gateway.web.forms import PostedForm
from marelle_gateway.web.rendering import Page, redirect_to

router = APIRouter(prefix="/reglages", dependencies=[require_roles(ADMINISTER)])
KINDS_IN = {label: kind for kind, label in catalog.CRITERION_KINDS.items()}


def diets_text(diets: dict[str, str]) -> str:
    return "\n".join(f"{code} = {label}" for code, label in diets.items())


def criteria_text(criteria: list[Criterion]) -> str:
    return "\n".join(
        " | ".join(
            [c.code, c.label, catalog.CRITERION_KINDS[c.kind]]
            + ([", ".join(c.choices)] if c.choices else [])
        )
        for c in criteria
    )


def parse_rules(form: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """The records form: one diet per line (``code = libellé``), one criterion per line
    (``code | libellé | type | choix``), a mode per field group."""
    diets: dict[str, str] = {}
    for line in forms.text_of(form, "diets").splitlines():
        code, _, label = line.partition("=")
        if code.strip():
            diets[code.strip()] = label.strip() or code.strip()
    criteria, errors = [], {}
    for number, line in enumerate(forms.text_of(form, "criteria").splitlines(), start=1):
        parts = [part.strip() for part in line.split("|")]
        if not line.strip():
            continue
        if len(parts) < 3 or not parts[0]:
            errors["criteria"] = catalog.FORM_ERRORS["criterion-line"].format(line=number)
            continue
        choices = [c.strip() for c in parts[3].split(",") if c.strip()] if len(parts) > 3 else []
        criteria.append(
            {
                "code": parts[0],
                "label": parts[1],
                "kind": KINDS_IN.get(parts[2].lower(), parts[2]),
                "choices": choices,
            }
        )
    editing = {
        group: forms.text_of(form, f"mode-{group}")
        for group in forms.EDITABLE_GROUPS
        if forms.text_of(form, f"mode-{group}") in ("direct", "request")
    }
    return {"diets": diets, "editing": editing, "criteria": criteria}, errors


class ProfileForm(forms.FormModel):
    article: Article = ""
    home_text: str = ""
    contact_address: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    contact_hours: str = ""
    dpo_contact: str = ""
    retention_years: str = "3"


async def _settings_page(
    page: Page,
    staff: Staff,
    family: FamilyClient,
    tenant: Tenant,
    *,
    rules_typed: dict[str, str] | None = None,
    rules_errors: dict[str, str] | None = None,
    profile_typed: dict[str, Any] | None = None,
    profile_errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    rules = await family.record_rules(staff)
    typed = rules_typed or {
        "diets": diets_text(rules.diets),
        "criteria": criteria_text(rules.criteria),
    }
    return page.render(
        "backoffice/settings/settings.html",
        status_code,
        rules=rules,
        group_labels={
            code: f"{catalog.TARGET_LABELS[code.split('.')[0]]} — {title}"
            for code, title in forms.GROUP_TITLES.items()
        },
        rules_typed=typed,
        rules_errors=rules_errors or {},
        profile=profile_typed or tenant.model_dump(),
        profile_errors=profile_errors or {},
    )


@router.get("", name="admin.settings")
async def settings_page(
    staff: StaffUser, family: FamilyClientDep, tenant: PageTenant, page: StaffPage
) -> HTMLResponse:
    return await _settings_page(page, staff, family, tenant)


@router.post("", name="admin.settings.records", dependencies=[CsrfChecked])
async def save_records(
    request: Request,
    form: PostedForm,
    staff: StaffUser,
    family: FamilyClientDep,
    tenant: PageTenant,
    page: StaffPage,
) -> Response:
    values, errors = parse_rules(form)
    typed = {"diets": forms.text_of(form, "diets"), "criteria": forms.text_of(form, "criteria")}
    if not errors:
        try:
            await family.save_record_rules(staff, RecordRules.model_validate(values))
        except ValidationError:
            errors = {"criteria": catalog.FORM_ERRORS["criterion"]}
        except UpstreamProblem as problem:
            if problem.unavailable:
                raise
            errors = {"": forms.one_message(problem)}
    if errors:
        return await _settings_page(
            page, staff, family, tenant, rules_typed=typed, rules_errors=errors, status_code=422
        )
    return redirect_to(request, "admin.settings", notice="reglages")


@router.post("/structure", name="admin.settings.profile", dependencies=[CsrfChecked])
async def save_profile(
    request: Request,
    data: Annotated[ProfileForm, Form()],
    staff: StaffUser,
    family: FamilyClientDep,
    tenants: TenantsClientDep,
    tenant: PageTenant,
    page: StaffPage,
) -> Response:
    errors: dict[str, str] = {}
    years = data.retention_years.strip()
    if not years.isdigit():
        errors["retention_years"] = catalog.FORM_ERRORS["integer"]
    else:
        profile = {**data.model_dump(), "retention_years": int(years)}
        try:
            await tenants.save_profile(
                staff,
                tenant.slug,
                TenantProfile.model_validate(
                    {
                        k: (v or None) if isinstance(v, str) and k != "article" else v
                        for k, v in profile.items()
                    }
                ),
            )
        except ValidationError:
            errors["retention_years"] = catalog.FORM_ERRORS["retention"]
        except UpstreamProblem as problem:
            if problem.unavailable:
                raise
            errors = forms.field_errors(problem)
    if errors:
        return await _settings_page(
            page,
            staff,
            family,
            tenant,
            profile_typed=data.model_dump(),
            profile_errors=errors,
            status_code=422,
        )
    return redirect_to(request, "admin.settings", notice="reglages", anchor="structure")
