"""Children's records: add a child, read and change the record (identity, schooling, diet,
consents, authorised contacts), « Valider la fiche »."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from marelle_gateway.backoffice.desk import StaffDesk, desk_of
from marelle_gateway.backoffice.households import HouseholdOf
from marelle_gateway.backoffice.navigation import EDIT_RECORDS, READ_RECORDS
from marelle_gateway.clients.base import UpstreamProblem
from marelle_gateway.clients.family import Child, Household
from marelle_gateway.state import FamilyClientDep
from marelle_gateway.web import forms
from marelle_gateway.web.deps import CsrfChecked, StaffUser, require_roles
from marelle_gateway.web.errors import PageError
from marelle_gateway.web.forms import PostedForm
from marelle_gateway.web.rendering import redirect_to

readers = APIRouter(
    prefix="/foyers/{household_id}/enfants", dependencies=[require_roles(READ_RECORDS)]
)
editors = APIRouter(
    prefix="/foyers/{household_id}/enfants", dependencies=[require_roles(EDIT_RECORDS)]
)
CHILD_FIELDS = forms.fields_of(forms.CHILD_GROUPS)
BLANK_CONTACT_ROWS = 2


def contact_rows(child: Child | None) -> list[dict[str, str]]:
    rows = [
        {
            "first_name": c.first_name,
            "last_name": c.last_name,
            "relationship": c.relationship,
            "phone": c.phone,
            "pick_up": "oui" if c.pick_up else "",
            "emergency": "oui" if c.emergency else "",
        }
        for c in (child.contacts if child else [])
    ]
    return rows


def _with_blanks(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    blanks = max(0, min(BLANK_CONTACT_ROWS, forms.MAX_CONTACTS - len(rows)))
    return [*rows, *({} for _ in range(blanks))]


@dataclass(frozen=True)
class ChildDesk(StaffDesk):
    """The child's form page (new or existing record) and the way back to it: the page
    pattern of a record area (see households.HouseholdDesk)."""

    async def show(
        self,
        household: Household,
        child: Child | None,
        *,
        values: dict[str, str] | None = None,
        contacts: list[dict[str, str]] | None = None,
        errors: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> HTMLResponse:
        rules = await self.family.record_rules(self.staff)
        return self.page.render(
            "backoffice/children/child.html" if child else "backoffice/children/new.html",
            status_code,
            household=household,
            child=child,
            diets=rules.diets,
            fields=CHILD_FIELDS,
            values=values if values is not None else forms.current_values(CHILD_FIELDS, child),
            contacts=_with_blanks(contacts if contacts is not None else contact_rows(child)),
            form_errors=errors or {},
            may_edit=self.staff.may(EDIT_RECORDS),
        )

    def done(self, household_id: UUID, child_id: UUID, notice: str) -> RedirectResponse:
        return redirect_to(
            self.request,
            "admin.child",
            household_id=household_id,
            child_id=child_id,
            notice=notice,
            anchor="contenu",
        )


Desk = Annotated[ChildDesk, Depends(desk_of(ChildDesk))]


def _parse_child(form: Any) -> tuple[forms.ParsedForm, list[dict[str, str]]]:
    parsed = forms.parse_fields(CHILD_FIELDS, form)
    contacts, typed = forms.parse_contacts(form)
    parsed.values["contacts"] = contacts
    return parsed, typed


async def child_of(
    household: HouseholdOf, child_id: UUID, staff: StaffUser, family: FamilyClientDep
) -> Child:
    """The household's child (read from the service: it writes the access log); an id of
    another household's child is a 404 page."""
    if household.child(child_id) is None:
        raise PageError("record-not-found", 404)
    try:
        return await family.child(staff, household.id, child_id)
    except UpstreamProblem as problem:
        raise PageError.from_problem(problem) from problem


ChildOf = Annotated[Child, Depends(child_of)]


@editors.get("/nouveau", name="admin.child.new")
async def new_child(household: HouseholdOf, desk: Desk) -> HTMLResponse:
    return await desk.show(household, None, values={})


@editors.post("/nouveau", name="admin.child.add", dependencies=[CsrfChecked])
async def add_child(household: HouseholdOf, form: PostedForm, desk: Desk) -> Response:
    parsed, typed_contacts = _parse_child(form)
    if parsed.valid:
        payload = {k: v for k, v in forms.jsonable(parsed.values).items() if v not in (None, [])}
        try:
            child = await desk.family.add_child(desk.staff, household.id, payload)
        except UpstreamProblem as problem:
            parsed.errors = forms.refusal(problem)
        else:
            return desk.done(household.id, child.id, "enfant-ajoute")
    return await desk.show(
        household,
        None,
        values=parsed.raw,
        contacts=typed_contacts,
        errors=parsed.errors,
        status_code=422,
    )


@readers.get("/{child_id}", name="admin.child")
async def child(household: HouseholdOf, record: ChildOf, desk: Desk) -> HTMLResponse:
    return await desk.show(household, record)


@editors.post("/{child_id}", name="admin.child.save", dependencies=[CsrfChecked])
async def save_child(
    household: HouseholdOf, record: ChildOf, form: PostedForm, desk: Desk
) -> Response:
    """The child's record: only what changed goes to the family-service."""
    parsed, typed_contacts = _parse_child(form)
    if parsed.valid:
        current = forms.jsonable({f.name: getattr(record, f.name) for f in CHILD_FIELDS})
        current["contacts"] = [c.model_dump(mode="json", exclude={"id"}) for c in record.contacts]
        wanted = forms.jsonable(parsed.values)
        changes = {
            k: v for k, v in wanted.items() if _comparable(k, v) != _comparable(k, current.get(k))
        }
        if not changes:
            return desk.done(household.id, record.id, "inchange")
        try:
            await desk.family.edit(desk.staff, household.id, "child", record.id, changes)
        except UpstreamProblem as problem:
            parsed.errors = forms.refusal(problem)
        else:
            return desk.done(household.id, record.id, "enregistre")
    return await desk.show(
        household,
        record,
        values=parsed.raw,
        contacts=typed_contacts,
        errors=parsed.errors,
        status_code=422,
    )


def _comparable(name: str, value: Any) -> Any:
    """Contacts compare without the separators of their phone numbers (the service keeps
    digits only): an unchanged list sends nothing."""
    if name == "contacts" and isinstance(value, list):
        digits = "0123456789+"
        return [
            {**c, "phone": "".join(ch for ch in str(c.get("phone") or "") if ch in digits)}
            for c in value
        ]
    return value


@editors.post("/{child_id}/validation", name="admin.child.validate", dependencies=[CsrfChecked])
async def validate_child(household: HouseholdOf, record: ChildOf, desk: Desk) -> Response:
    """« Valider la fiche »: staff checked the record."""
    await desk.family.validate_child(desk.staff, household.id, record.id)
    return desk.done(household.id, record.id, "fiche-validee")
