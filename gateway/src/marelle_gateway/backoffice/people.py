"""The people of a household: legal guardians (added, changed, removed with their login) and
other adults. A removal first shows a page that says what will be lost."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from marelle_gateway.backoffice.households import FailedForm, HouseholdOf, household_page
from marelle_gateway.backoffice.layout import StaffPage
from marelle_gateway.backoffice.navigation import EDIT_RECORDS
from marelle_gateway.clients.base import UpstreamProblem
from marelle_gateway.clients.family import Adult, Guardian, Household
from marelle_gateway.state import FamilyClientDep
from marelle_gateway.web import forms
from marelle_gateway.web.deps import CsrfChecked, StaffUser, require_roles
from marelle_gateway.web.errors import PageError
from marelle_gateway.web.forms import PostedForm
from marelle_gateway.web.rendering import redirect_to

router = APIRouter(prefix="/foyers/{household_id}", dependencies=[require_roles(EDIT_RECORDS)])
GUARDIAN_FIELDS = forms.fields_of(forms.GUARDIAN_GROUPS)
ADULT_FIELDS = forms.fields_of(forms.ADULT_GROUPS)


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
    request: Request,
    household: HouseholdOf,
    form: PostedForm,
    staff: StaffUser,
    family: FamilyClientDep,
    page: StaffPage,
    rank: Annotated[int, Form(ge=1, le=2)],
) -> Response:
    parsed = forms.parse_fields(GUARDIAN_FIELDS, form)
    if parsed.valid:
        payload = {
            "rank": rank,
            **{k: v for k, v in forms.jsonable(parsed.values).items() if v is not None},
        }
        try:
            await family.add_guardian(staff, household.id, payload)
        except UpstreamProblem as problem:
            if problem.unavailable:
                raise
            parsed.errors = forms.field_errors(problem)
    if parsed.errors:
        return await household_page(
            request,
            page,
            staff,
            family,
            household.id,
            failed=FailedForm(
                "ajout-responsable", {**parsed.raw, "rank": str(rank)}, parsed.errors
            ),
            status_code=422,
        )
    return redirect_to(
        request,
        "admin.household",
        household_id=household.id,
        notice="responsable-ajoute",
        anchor="responsables",
    )


@router.post("/responsables/{guardian_id}", name="admin.guardians.save", dependencies=[CsrfChecked])
async def save_guardian(
    request: Request,
    household: HouseholdOf,
    guardian_id: UUID,
    form: PostedForm,
    staff: StaffUser,
    family: FamilyClientDep,
    page: StaffPage,
) -> Response:
    """A guardian's record: only what changed is sent."""
    guardian = guardian_of(household, guardian_id)
    parsed = forms.parse_fields(GUARDIAN_FIELDS, form)
    changes = forms.changed(parsed.values, guardian) if parsed.valid else {}
    if parsed.valid and not changes:
        return redirect_to(
            request,
            "admin.household",
            household_id=household.id,
            notice="inchange",
            anchor="responsables",
        )
    if parsed.valid:
        try:
            await family.edit(staff, household.id, "guardian", guardian.id, forms.jsonable(changes))
        except UpstreamProblem as problem:
            if problem.unavailable:
                raise
            parsed.errors = forms.field_errors(problem)
    if parsed.errors:
        return await household_page(
            request,
            page,
            staff,
            family,
            household.id,
            failed=FailedForm(f"responsable-{guardian.id}", parsed.raw, parsed.errors),
            status_code=422,
        )
    return redirect_to(
        request,
        "admin.household",
        household_id=household.id,
        notice="enregistre",
        anchor="responsables",
    )


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
    "/responsables/{guardian_id}/retrait", name="admin.guardians.remove", dependencies=[CsrfChecked]
)
async def remove_guardian(
    request: Request,
    household: HouseholdOf,
    guardian_id: UUID,
    staff: StaffUser,
    family: FamilyClientDep,
) -> Response:
    guardian = guardian_of(household, guardian_id)
    await family.remove_guardian(staff, household.id, guardian.id)
    return redirect_to(
        request,
        "admin.household",
        household_id=household.id,
        notice="responsable-retire",
        anchor="responsables",
    )


class AdultForm(forms.FormModel):
    first_name: str = ""
    last_name: str = ""
    relationship: str = ""
    phone: str = ""
    email: str = ""


@router.post("/adultes", name="admin.adults.add", dependencies=[CsrfChecked])
async def add_adult(
    request: Request,
    household: HouseholdOf,
    data: Annotated[AdultForm, Form()],
    staff: StaffUser,
    family: FamilyClientDep,
    page: StaffPage,
) -> Response:
    try:
        await family.add_adult(staff, household.id, data.model_dump(exclude_defaults=True))
    except UpstreamProblem as problem:
        if problem.unavailable:
            raise
        return await household_page(
            request,
            page,
            staff,
            family,
            household.id,
            failed=FailedForm("adulte", data.model_dump(), forms.field_errors(problem)),
            status_code=422,
        )
    return redirect_to(
        request,
        "admin.household",
        household_id=household.id,
        notice="adulte-ajoute",
        anchor="adultes",
    )


@router.get("/adultes/{adult_id}/retrait", name="admin.adults.confirm_removal")
async def confirm_adult_removal(
    household: HouseholdOf, adult_id: UUID, page: StaffPage
) -> HTMLResponse:
    adult = adult_of(household, adult_id)
    return page.render("backoffice/people/remove_adult.html", household=household, adult=adult)


@router.post("/adultes/{adult_id}/retrait", name="admin.adults.remove", dependencies=[CsrfChecked])
async def remove_adult(
    request: Request,
    household: HouseholdOf,
    adult_id: UUID,
    staff: StaffUser,
    family: FamilyClientDep,
) -> Response:
    adult = adult_of(household, adult_id)
    await family.remove_adult(staff, household.id, adult.id)
    return redirect_to(
        request,
        "admin.household",
        household_id=household.id,
        notice="adulte-retire",
        anchor="adultes",
    )
