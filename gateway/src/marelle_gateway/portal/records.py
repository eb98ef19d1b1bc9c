"""« Mon foyer », « Mes enfants », « Mes demandes »: the household's record by category, an
edit form per field group (the tenant decides whether a change applies at once or becomes a
request for staff), the certification and the RGPD download.

The pattern every page follows: the signature names what the handler needs (the signed-in
parent, a typed client, the page), independent reads run concurrently, a POST takes the CSRF
dependency and the posted form, re-renders with field errors or answers 303 with a notice."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from marelle_gateway.clients.base import UpstreamProblem
from marelle_gateway.clients.family import (
    Adult,
    Child,
    Document,
    FamilyClient,
    Guardian,
    Household,
)
from marelle_gateway.portal.layout import PortalPage
from marelle_gateway.state import FamilyClientDep
from marelle_gateway.web import forms
from marelle_gateway.web.deps import CsrfChecked, CurrentParent, Parent
from marelle_gateway.web.errors import PageError
from marelle_gateway.web.forms import PostedForm
from marelle_gateway.web.rendering import Page, attachment, redirect_to

router = APIRouter(include_in_schema=False)
CONTACT_ROWS = 3


def documents_by_person(documents: list[Document]) -> dict[UUID, list[Document]]:
    found: dict[UUID, list[Document]] = {}
    for document in documents:
        found.setdefault(document.person_id, []).append(document)
    return found


async def _record_page(parent: Parent, family: FamilyClient) -> dict[str, Any]:
    """What « Mon foyer » and « Mes enfants » show: the record, the town's rules (diets,
    criteria), the documents and which field groups wait for staff — read concurrently."""
    household, rules, documents, requests = await asyncio.gather(
        family.household(parent, parent.household_id),
        family.record_rules(parent),
        family.documents(parent, parent.household_id),
        family.requests_of(parent, parent.household_id),
    )
    return {
        "household": household,
        "rules": rules,
        "documents": documents_by_person(documents),
        "pending": {(r.target_id, r.field_group) for r in requests if r.status == "pending"},
        "groups": forms.GROUPS,
    }


@router.get("/mon-foyer", name="portal.household")
async def my_household(
    parent: CurrentParent, family: FamilyClientDep, page: PortalPage
) -> HTMLResponse:
    return page.render("portal/records/household.html", **await _record_page(parent, family))


@router.get("/mes-enfants", name="portal.children")
async def my_children(
    parent: CurrentParent, family: FamilyClientDep, page: PortalPage
) -> HTMLResponse:
    return page.render("portal/records/children.html", **await _record_page(parent, family))


@router.get("/mes-demandes", name="portal.requests")
async def my_requests(
    parent: CurrentParent, family: FamilyClientDep, page: PortalPage
) -> HTMLResponse:
    requests = await family.requests_of(parent, parent.household_id)
    return page.render("portal/records/requests.html", requests=requests)


@dataclass(frozen=True)
class EditTarget:
    """The field group a parent edits and whose record it is (their own household only)."""

    group: str
    kind: Literal["household", "guardian", "adult", "child"]
    household: Household
    record: Household | Guardian | Adult | Child

    @property
    def back(self) -> str:
        return "portal.children" if self.kind == "child" else "portal.household"


async def edit_target(
    group: str, target_id: UUID, parent: CurrentParent, family: FamilyClientDep
) -> EditTarget:
    if group not in forms.EDITABLE_GROUPS:
        raise PageError("not-found", 404)
    household = await family.household(parent, parent.household_id)
    kind = group.split(".", 1)[0]
    record: Household | Guardian | Adult | Child | None
    if kind == "household":
        record = household if household.id == target_id else None
    elif kind == "guardian":
        record = household.guardian(target_id)
    elif kind == "adult":
        record = household.adult(target_id)
    else:
        record = household.child(target_id)
    if record is None:  # not this household's: nothing tells whether it exists elsewhere
        raise PageError("record-not-found", 404)
    return EditTarget(group, kind, household, record)  # type: ignore[arg-type]


Target = Annotated[EditTarget, Depends(edit_target)]


async def _edit_page(
    page: Page,
    target: EditTarget,
    family: FamilyClient,
    parent: Parent,
    *,
    values: dict[str, str] | None = None,
    contacts: list[dict[str, str]] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    group = forms.GROUPS.get(target.group)
    fields = group.fields if group else ()
    diets = (await family.record_rules(parent)).diets if target.group == "child.diet" else {}
    if target.group == forms.CONTACTS and contacts is None:
        assert isinstance(target.record, Child)
        contacts = [
            {
                **c.model_dump(mode="json"),
                "pick_up": "oui" if c.pick_up else "",
                "emergency": "oui" if c.emergency else "",
            }
            for c in target.record.contacts
        ]
    rows = (contacts or []) + [{} for _ in range(CONTACT_ROWS - len(contacts or []))]
    return page.render(
        "portal/records/edit.html",
        status_code,
        target=target,
        title=forms.GROUP_TITLES[target.group],
        fields=fields,
        values=values if values is not None else forms.current_values(fields, target.record),
        contacts=rows if target.group == forms.CONTACTS else [],
        diets=diets,
        errors=errors or {},
    )


@router.get("/mon-dossier/{group}/{target_id}", name="portal.edit")
async def edit_form(
    target: Target, parent: CurrentParent, family: FamilyClientDep, page: PortalPage
) -> HTMLResponse:
    return await _edit_page(page, target, family, parent)


@router.post(
    "/mon-dossier/{group}/{target_id}", name="portal.edit.save", dependencies=[CsrfChecked]
)
async def edit(
    request: Request,
    target: Target,
    form: PostedForm,
    parent: CurrentParent,
    family: FamilyClientDep,
    page: PortalPage,
) -> Response:
    typed_contacts: list[dict[str, str]] | None = None
    if target.group == forms.CONTACTS:
        contacts, typed_contacts = forms.parse_contacts(form, CONTACT_ROWS)
        parsed = forms.ParsedForm(values={"contacts": contacts})
    else:
        parsed = forms.parse_fields(forms.GROUPS[target.group].fields, form)
    if not parsed.valid:
        return await _edit_page(
            page, target, family, parent, values=parsed.raw, errors=parsed.errors, status_code=422
        )
    try:
        outcome = await family.edit(
            parent,
            parent.household_id,
            target.kind,
            target.record.id,
            forms.jsonable(parsed.values),
        )
    except UpstreamProblem as problem:
        if problem.unavailable or problem.status in (403, 404):
            raise
        return await _edit_page(
            page,
            target,
            family,
            parent,
            values=parsed.raw if target.group != forms.CONTACTS else None,
            contacts=typed_contacts,
            errors=forms.field_errors(problem),
            status_code=422 if problem.status in (400, 422) else problem.status,
        )
    return redirect_to(request, target.back, notice=outcome.notice)


@router.post("/mon-foyer/certification", name="portal.certify", dependencies=[CsrfChecked])
async def certify(
    request: Request, form: PostedForm, parent: CurrentParent, family: FamilyClientDep
) -> Response:
    if forms.text_of(form, "certify").lower() not in forms.TRUE_WORDS:
        return redirect_to(request, "portal.household")
    await family.certify(parent, parent.household_id)
    return redirect_to(request, "portal.household", notice="certified")


@router.get("/mon-foyer/mes-donnees.{extension}", name="portal.my_data")
async def my_data(
    extension: Literal["json", "pdf"], parent: CurrentParent, family: FamilyClientDep
) -> Response:
    """The RGPD download: everything held on the household, JSON or PDF."""
    return attachment(await family.export(parent, parent.household_id, extension))
