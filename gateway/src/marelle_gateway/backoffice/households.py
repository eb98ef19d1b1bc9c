"""Households — the back office's example area (docs/adr: the page pattern).

Readers (RECORD_READERS) search households and open a household's record; editors (OFFICE)
create households and change their details and criteria. Each router declares its role set;
each handler names what it needs, calls the typed client, and renders a view or answers 303
with a notice code. The household page's reads (record, requests, rules, documents) run
concurrently; its forms share one view builder, :func:`household_page`, so that a refused form
shows again, on the same page, with what was typed and the errors next to the fields."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Annotated
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from marelle_gateway.backoffice.desk import StaffDesk, desk_of
from marelle_gateway.backoffice.layout import StaffPage
from marelle_gateway.backoffice.navigation import EDIT_RECORDS, READ_RECORDS, SUPERVISE
from marelle_gateway.backoffice.requests import request_views
from marelle_gateway.clients.base import UpstreamProblem
from marelle_gateway.clients.family import FamilyClient, Household, HouseholdSearch, NewHousehold
from marelle_gateway.state import FamilyClientDep
from marelle_gateway.web import catalog, forms
from marelle_gateway.web.deps import CsrfChecked, Staff, StaffUser, require_roles
from marelle_gateway.web.errors import PageError
from marelle_gateway.web.forms import PostedForm
from marelle_gateway.web.rendering import Page, redirect_to, route_path
from marelle_kit.localtime import local_today

readers = APIRouter(prefix="/foyers", dependencies=[require_roles(READ_RECORDS)])
editors = APIRouter(prefix="/foyers", dependencies=[require_roles(EDIT_RECORDS)])
PAGE_SIZE = 50
HOUSEHOLD_FIELDS = forms.fields_of(forms.HOUSEHOLD_GROUPS)


# ---- Search ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Search:
    """The search form of « Foyers », read from the page's query."""

    q: str = ""
    school: str = ""
    flags: frozenset[str] = frozenset()  # the page parameters of the ticked filters
    page: int = 1

    @property
    def active(self) -> bool:
        return bool(self.q or self.school or self.flags)

    def for_service(self) -> HouseholdSearch:
        # One row more than a page tells whether there is a next page.
        ticked = {api: True for name, api, _label in catalog.SEARCH_FILTERS if name in self.flags}
        return HouseholdSearch(
            q=self.q,
            school=self.school,
            limit=PAGE_SIZE + 1,
            offset=(self.page - 1) * PAGE_SIZE,
            **ticked,
        )

    def query(self, page: int) -> str:
        params = [("q", self.q), ("ecole", self.school)]
        params += [
            (name, "1") for name, _api, _label in catalog.SEARCH_FILTERS if name in self.flags
        ]
        params.append(("page", str(page)))
        return urlencode([(k, v) for k, v in params if v])


def search_of(
    q: Annotated[str, Query(max_length=1000)] = "",
    ecole: Annotated[str, Query(max_length=1000)] = "",
    a_valider: str = "",
    qf_expire: str = "",
    sans_email: str = "",
    page: Annotated[int, Query(ge=1, lt=10_000)] = 1,
) -> Search:
    ticked = {"a_valider": a_valider, "qf_expire": qf_expire, "sans_email": sans_email}
    return Search(
        q=q.strip(),
        school=ecole.strip(),
        flags=frozenset(name for name, value in ticked.items() if value),
        page=page,
    )


SearchQuery = Annotated[Search, Depends(search_of)]


async def _households_page(
    request: Request,
    page: Page,
    staff: Staff,
    family: FamilyClient,
    search: Search,
    *,
    status_code: int = 200,
    typed: dict[str, str] | None = None,
    create_errors: dict[str, str] | None = None,
) -> HTMLResponse:
    search_errors: dict[str, str] = {}
    try:
        rows = await family.households(staff, search.for_service())
    except UpstreamProblem as problem:
        if problem.unavailable or problem.status in (401, 403):
            raise
        rows, search_errors = [], forms.field_errors(problem)
        status_code = problem.status if status_code == 200 else status_code
    base = route_path(request, "admin.households")
    return page.render(
        "backoffice/households/list.html",
        status_code,
        households=rows[:PAGE_SIZE],
        search=search,
        search_errors={k.removeprefix("query."): v for k, v in search_errors.items()},
        previous_page=f"{base}?{search.query(search.page - 1)}" if search.page > 1 else None,
        next_page=f"{base}?{search.query(search.page + 1)}" if len(rows) > PAGE_SIZE else None,
        form=typed or {},
        create_errors=create_errors or {},
        may_create=staff.may(EDIT_RECORDS),
    )


@readers.get("", name="admin.households")
async def households(
    request: Request,
    search: SearchQuery,
    staff: StaffUser,
    family: FamilyClientDep,
    page: StaffPage,
) -> HTMLResponse:
    return await _households_page(request, page, staff, family, search)


class NewHouseholdForm(forms.FormModel):
    name: str = ""
    first_name: str = ""
    last_name: str = ""
    email: str = ""

    def for_service(self) -> NewHousehold:
        guardians = []
        if self.first_name or self.last_name or self.email:
            guardians.append(
                {
                    "rank": 1,
                    "first_name": self.first_name,
                    "last_name": self.last_name,
                    "email": self.email or None,
                }
            )
        return NewHousehold(name=self.name, guardians=guardians)


@editors.post("", name="admin.households.create", dependencies=[CsrfChecked])
async def create_household(
    request: Request,
    data: Annotated[NewHouseholdForm, Form()],
    staff: StaffUser,
    family: FamilyClientDep,
    page: StaffPage,
) -> Response:
    try:
        created = await family.create_household(staff, data.for_service())
    except UpstreamProblem as problem:
        if problem.unavailable:
            raise
        return await _households_page(
            request,
            page,
            staff,
            family,
            Search(),
            status_code=problem.status,
            typed=data.model_dump(),
            create_errors=forms.field_errors(problem),
        )
    return redirect_to(request, "admin.household", household_id=created.id)


# ---- A household's record -------------------------------------------------------------------


@dataclass
class FailedForm:
    """A form of the household page the service (or we) refused: shown open again, with what
    was typed and the errors."""

    name: str
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class HouseholdDesk(StaffDesk):
    """What every form of the household page needs: the page again (with a refused form open)
    or back to it with a notice. Its handlers declare ``desk: Desk`` and stay a few lines."""

    async def show(
        self, household_id: UUID, *, failed: FailedForm | None = None, status_code: int = 200
    ) -> HTMLResponse:
        """The record's page; its four reads run concurrently."""
        staff, family = self.staff, self.family
        household, requests, rules, documents = await asyncio.gather(
            family.household(staff, household_id),
            family.requests_of(staff, household_id),
            family.record_rules(staff),
            family.documents(staff, household_id),
        )
        names = household.names()
        views = request_views(self.request, requests, rules.diets, names)
        failed = failed or FailedForm("")
        typed = failed.values if failed.name == "foyer" else None
        return self.page.render(
            "backoffice/households/household.html",
            status_code,
            household=household,
            documents=documents,
            rules=rules,
            names=names,
            requests=views,
            pending=sum(1 for view in views if view.status == "pending"),
            today=local_today(),
            failed=failed,
            household_values=typed or forms.current_values(HOUSEHOLD_FIELDS, household),
            household_fields=HOUSEHOLD_FIELDS,
            guardian_fields=forms.fields_of(forms.GUARDIAN_GROUPS),
            adult_fields=forms.fields_of(forms.ADULT_GROUPS),
            may_edit=staff.may(EDIT_RECORDS),
            may_erase=staff.may(SUPERVISE),
        )

    async def refused(
        self,
        household_id: UUID,
        form: str,
        errors: dict[str, str],
        typed: dict[str, str] | None = None,
        status_code: int = 422,
    ) -> HTMLResponse:
        failed = FailedForm(form, typed or {}, errors)
        return await self.show(household_id, failed=failed, status_code=status_code)

    def done(self, household_id: UUID, notice: str, anchor: str) -> RedirectResponse:
        return redirect_to(
            self.request, "admin.household", household_id=household_id, notice=notice, anchor=anchor
        )


Desk = Annotated[HouseholdDesk, Depends(desk_of(HouseholdDesk))]


async def household_of(household_id: UUID, staff: StaffUser, family: FamilyClientDep) -> Household:
    """The household the address names (a 404 page when the tenant has none such)."""
    try:
        return await family.household(staff, household_id)
    except UpstreamProblem as problem:
        raise PageError.from_problem(problem) from problem


HouseholdOf = Annotated[Household, Depends(household_of)]


@readers.get("/{household_id}", name="admin.household")
async def household(household_id: UUID, desk: Desk) -> HTMLResponse:
    return await desk.show(household_id)


@editors.post("/{household_id}/foyer", name="admin.household.details", dependencies=[CsrfChecked])
async def edit_details(household: HouseholdOf, form: PostedForm, desk: Desk) -> Response:
    """The household's details: only what changed goes to the family-service."""
    parsed = forms.parse_fields(HOUSEHOLD_FIELDS, form)
    if not parsed.valid:
        return await desk.refused(household.id, "foyer", parsed.errors, parsed.raw)
    changes = forms.changed(parsed.values, household)
    if not changes:
        return desk.done(household.id, "inchange", "foyer")
    try:
        await desk.family.edit(
            desk.staff, household.id, "household", household.id, forms.jsonable(changes)
        )
    except UpstreamProblem as problem:
        return await desk.refused(household.id, "foyer", forms.refusal(problem), parsed.raw)
    return desk.done(household.id, "enregistre", "foyer")


@editors.post(
    "/{household_id}/criteres", name="admin.household.criteria", dependencies=[CsrfChecked]
)
async def save_criteria(household_id: UUID, form: PostedForm, desk: Desk) -> Response:
    """The town's own criteria on the household (set in « Réglages »)."""
    rules = await desk.family.record_rules(desk.staff)
    values: dict[str, bool | str | None] = {}
    for criterion in rules.criteria:
        typed = forms.text_of(form, criterion.code)
        if criterion.kind == "yes_no":
            values[criterion.code] = {"oui": True, "non": False}.get(typed)
        else:
            values[criterion.code] = typed or None
    try:
        await desk.family.edit(
            desk.staff, household_id, "household", household_id, {"criteria_values": values}
        )
    except UpstreamProblem as problem:
        errors = {"": forms.one_message_of(forms.refusal(problem))}
        return await desk.refused(household_id, "criteres", errors)
    return desk.done(household_id, "criteres", "adultes")
