"""Personal data (RGPD follow-up, supervisors): households kept past the tenant's retention
period, the latest reads of children's records (who read whose record), and erasure — from
that list or from a household's page (a family's request), always after a page that says
what will be lost."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from marelle_gateway.backoffice.households import HouseholdOf
from marelle_gateway.backoffice.layout import StaffPage
from marelle_gateway.backoffice.navigation import SUPERVISE
from marelle_gateway.clients.base import UpstreamProblem
from marelle_gateway.clients.family import FamilyClient, Household
from marelle_gateway.state import AuthClientDep, FamilyClientDep
from marelle_gateway.web import catalog, forms
from marelle_gateway.web.deps import CsrfChecked, StaffUser, require_roles
from marelle_gateway.web.errors import PageError
from marelle_gateway.web.rendering import redirect_to

router = APIRouter(dependencies=[require_roles(SUPERVISE)])
READS_LISTED = 100
HOUSEHOLDS_NAMED = 25  # the log names the children of this many households at most


@dataclass(frozen=True)
class ReadLine:
    at: datetime
    reader: str
    roles: str
    household_id: UUID
    child_id: UUID
    child: str
    household: str


@router.get("/donnees-personnelles", name="admin.privacy")
async def personal_data(
    staff: StaffUser, family: FamilyClientDep, auth: AuthClientDep, page: StaffPage
) -> HTMLResponse:
    expired, reads = await asyncio.gather(
        family.past_retention(staff), family.access_log(staff, READS_LISTED)
    )
    household_ids = list(dict.fromkeys(r.household_id for r in reads))[:HOUSEHOLDS_NAMED]
    readers = sorted({UUID(r.reader) for r in reads if _is_uuid(r.reader)})
    names, households = await asyncio.gather(
        auth.names(staff, readers),
        asyncio.gather(*(_household_or_none(family, staff, hid) for hid in household_ids)),
    )
    by_id = {h.id: h for h in households if h is not None}
    lines = []
    for read in reads:
        household = by_id.get(read.household_id)
        account = names.get(UUID(read.reader)) if _is_uuid(read.reader) else None
        lines.append(
            ReadLine(
                at=read.read_at,
                reader=account.full_name if account else read.reader,
                roles=", ".join(
                    catalog.ROLE_LABELS.get(role, role) for role in read.roles.split(",") if role
                ),
                household_id=read.household_id,
                child_id=read.child_id,
                child=household.names().get(read.child_id, "") if household else "",
                household=household.name if household else "",
            )
        )
    return page.render("backoffice/privacy/personal_data.html", expired=expired, reads=lines)


def _is_uuid(text: str) -> bool:
    try:
        UUID(text)
    except ValueError:
        return False
    return True


async def _household_or_none(
    family: FamilyClient, staff: StaffUser, household_id: UUID
) -> Household | None:
    try:
        return await family.household(staff, household_id)
    except UpstreamProblem:
        return None  # erased or gone: the line keeps its link, without a name


@router.get("/foyers/{household_id}/effacement", name="admin.erasure.confirm")
async def confirm_erasure(
    household: HouseholdOf, staff: StaffUser, family: FamilyClientDep, page: StaffPage
) -> HTMLResponse:
    """What an erasure loses, before it is done."""
    documents, requests = await asyncio.gather(
        family.documents(staff, household.id), family.requests_of(staff, household.id)
    )
    return page.render(
        "backoffice/privacy/erase.html",
        household=household,
        documents=len(documents),
        requests=len(requests),
    )


@router.post("/foyers/{household_id}/effacement", name="admin.erasure", dependencies=[CsrfChecked])
async def erase(
    request: Request, household_id: UUID, staff: StaffUser, family: FamilyClientDep
) -> Response:
    try:
        await family.erase(staff, household_id)
    except UpstreamProblem as problem:
        if problem.unavailable or problem.status in (403, 404):
            raise
        raise PageError(
            "erasure-refused", problem.status, detail=forms.one_message(problem)
        ) from problem
    return redirect_to(request, "admin.privacy", notice="efface")
