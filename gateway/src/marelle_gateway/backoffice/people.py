"""The people of a household: legal guardians (added, changed, removed with their login) and
other adults. A removal first shows a page that says what will be lost."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, Response

from marelle_gateway.backoffice.households import Desk, HouseholdOf
from marelle_gateway.backoffice.layout import StaffPage
from marelle_gateway.backoffice.navigation import EDIT_RECORDS
from marelle_gateway.clients.base import UpstreamProblem
from marelle_gateway.clients.family import Adult, Guardian, Household
from marelle_gateway.web import forms
from marelle_gateway.web.deps import CsrfChecked, require_roles
from marelle_gateway.web.errors import PageError
from marelle_gateway.web.forms import PostedForm

router = APIRouter(prefix="/foyers/{household_id}", dependencies=[require_roles(EDIT_RECORDS)])
GUARDIAN_FIELDS = forms.fields_of(forms.GUARDIAN_GROUPS)


def guardian_of(household: Household, guardian_id: UUID) -> Guardian:
    """The household's guardian: an id of another household's person is a 404 page."""
    guardian = household.guardian(guardian_id)
    if guardian is None:
        raise PageError("record-not-found", 404)
    return guardian


def adult_of(household: Household, adult_id: UUID) -> Adult:
    adult = household.adult(adult_id)
    if adult is None:
        raise PageError("record-not-found", 404)
    return adult


@router.post("/responsables", name="admin.guardians.add", dependencies=[CsrfChecked])
async def add_guardian(
    household: HouseholdOf, form: PostedForm, desk: Desk, rank: Annotated[int, Form(ge=1, le=2)]
) -> Response:
    parsed = forms.parse_fields(GUARDIAN_FIELDS, form)
    typed = {**parsed.raw, "rank": str(rank)}
    if not parsed.valid:
        return await desk.refused(household.id, "ajout-responsable", parsed.errors, typed)
    values = {k: v for k, v in forms.jsonable(parsed.values).items() if v is not None}
    try:
        await desk.family.add_guardian(desk.staff, household.id, {"rank": rank, **values})
    except UpstreamProblem as problem:
        return await desk.refused(household.id, "ajout-responsable", forms.refusal(problem), typed)
    return desk.done(household.id, "responsable-ajoute", "responsables")


@router.post("/responsables/{guardian_id}", name="admin.guardians.save", dependencies=[CsrfChecked])
async def save_guardian(
    household: HouseholdOf, guardian_id: UUID, form: PostedForm, desk: Desk
) -> Response:
    """A guardian's record: only what changed is sent."""
    guardian = guardian_of(household, guardian_id)
    name = f"responsable-{guardian.id}"
    parsed = forms.parse_fields(GUARDIAN_FIELDS, form)
    if not parsed.valid:
        return await desk.refused(household.id, name, parsed.errors, parsed.raw)
    changes = forms.changed(parsed.values, guardian)
    if not changes:
        return desk.done(household.id, "inchange", "responsables")
    try:
        await desk.family.edit(
            desk.staff, household.id, "guardian", guardian.id, forms.jsonable(changes)
        )
    except UpstreamProblem as problem:
        return await desk.refused(household.id, name, forms.refusal(problem), parsed.raw)
    return desk.done(household.id, "enregistre", "responsables")


@router.get("/responsables/{guardian_id}/retrait", name="admin.guardians.confirm_removal")
async def confirm_guardian_removal(
    household: HouseholdOf, guardian_id: UUID, page: StaffPage
) -> HTMLResponse:
    """What removing a guardian loses: their record, their login to the portal, their
    documents; the household and the children stay."""
    guardian = guardian_of(household, guardian_id)
    return page.render(
        "backoffice/people/remove_guardian.html", household=household, guardian=guardian
    )


@router.post(
    "/responsables/{guardian_id}/retrait",
    name="admin.guardians.remove",
    dependencies=[CsrfChecked],
)
async def remove_guardian(household: HouseholdOf, guardian_id: UUID, desk: Desk) -> Response:
    guardian = guardian_of(household, guardian_id)
    await desk.family.remove_guardian(desk.staff, household.id, guardian.id)
    return desk.done(household.id, "responsable-retire", "responsables")


class AdultForm(forms.FormModel):
    first_name: str = ""
    last_name: str = ""
    relationship: str = ""
    phone: str = ""
    email: str = ""


@router.post("/adultes", name="admin.adults.add", dependencies=[CsrfChecked])
async def add_adult(
    household: HouseholdOf, data: Annotated[AdultForm, Form()], desk: Desk
) -> Response:
    try:
        await desk.family.add_adult(
            desk.staff, household.id, data.model_dump(exclude_defaults=True)
        )
    except UpstreamProblem as problem:
        return await desk.refused(household.id, "adulte", forms.refusal(problem), data.model_dump())
    return desk.done(household.id, "adulte-ajoute", "adultes")


@router.get("/adultes/{adult_id}/retrait", name="admin.adults.confirm_removal")
async def confirm_adult_removal(
    household: HouseholdOf, adult_id: UUID, page: StaffPage
) -> HTMLResponse:
    adult = adult_of(household, adult_id)
    return page.render("backoffice/people/remove_adult.html", household=household, adult=adult)


@router.post("/adultes/{adult_id}/retrait", name="admin.adults.remove", dependencies=[CsrfChecked])
async def remove_adult(household: HouseholdOf, adult_id: UUID, desk: Desk) -> Response:
    adult = adult_of(household, adult_id)
    await desk.family.remove_adult(desk.staff, household.id, adult.id)
    return desk.done(household.id, "adulte-retire", "adultes")
