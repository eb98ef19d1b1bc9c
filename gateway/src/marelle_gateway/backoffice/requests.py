"""The families' change requests: the inbox (oldest first) with accept and refuse (a reason the
family reads). A refusal by the family-service when accepting (an e-mail already used by
another account...) shows its reason on the request."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from marelle_gateway.backoffice.desk import StaffDesk, desk_of
from marelle_gateway.backoffice.navigation import EDIT_RECORDS
from marelle_gateway.clients.base import UpstreamProblem
from marelle_gateway.clients.family import ChangeRequest
from marelle_gateway.web import catalog, forms
from marelle_gateway.web.deps import CsrfChecked, require_roles
from marelle_gateway.web.formatting import shown
from marelle_gateway.web.rendering import redirect_to, route_path

router = APIRouter(prefix="/demandes", dependencies=[require_roles(EDIT_RECORDS)])
INBOX_SIZE = 100


@dataclass(frozen=True)
class RequestView:
    """A change request as staff read it: who it is about, each change in words."""

    id: UUID
    household_id: UUID
    label: str
    target: str
    target_link: str
    changes: list[tuple[str, str]]
    status: str
    reason: str | None
    created_at: object
    decided_at: object

    @property
    def status_label(self) -> str:
        return catalog.REQUEST_STATUSES.get(self.status, self.status)

    @property
    def tone(self) -> str:
        return catalog.REQUEST_TONES.get(self.status, "neutral")


def request_views(
    request: Request,
    rows: list[ChangeRequest],
    diets: Mapping[str, str],
    names: Mapping[UUID, str],
) -> list[RequestView]:
    """``names`` maps the household's people to their names when the page knows them."""
    views = []
    for row in rows:
        household = {"household_id": row.household_id}
        if row.target == "child":
            link = route_path(request, "admin.child", child_id=row.target_id, **household)
        else:
            anchor = {"guardian": "responsables", "adult": "adultes"}.get(row.target, "foyer")
            link = route_path(request, "admin.household", **household) + f"#{anchor}"
        who = catalog.TARGET_LABELS.get(row.target, row.target)
        if row.target_id in names:
            who = f"{who} : {names[row.target_id]}"
        views.append(
            RequestView(
                id=row.id,
                household_id=row.household_id,
                label=row.label,
                target=who,
                target_link=link,
                changes=[
                    (catalog.FIELD_LABELS.get(name, name), shown(name, value, dict(diets)))
                    for name, value in row.changes.items()
                ],
                status=row.status,
                reason=row.reason,
                created_at=row.created_at,
                decided_at=row.decided_at,
            )
        )
    return views


@dataclass(frozen=True)
class InboxDesk(StaffDesk):
    """The inbox again (with a decision's error on its request) or back to it with a notice."""

    async def show(
        self,
        *,
        failed: UUID | None = None,
        errors: dict[str, str] | None = None,
        reason: str = "",
        status_code: int = 200,
    ) -> HTMLResponse:
        staff, family = self.staff, self.family
        rows, rules = await asyncio.gather(
            family.pending_requests(staff, INBOX_SIZE), family.record_rules(staff)
        )
        households = await family.households_by_id(staff, sorted({r.household_id for r in rows}))
        views = request_views(self.request, rows, rules.diets, {})
        banner: dict[str, str] = {}
        if failed is not None and failed not in {view.id for view in views}:
            # The request left the inbox (decided meanwhile): its error goes on top of the page.
            banner, errors = errors or {}, {}
        return self.page.render(
            "backoffice/requests/inbox.html",
            status_code,
            requests=views,
            households=households,
            full=len(views) >= INBOX_SIZE,
            failed=failed,
            form_errors=errors or {},
            reason=reason,
            errors=banner,
        )

    async def refused(
        self, request_id: UUID, problem: UpstreamProblem, *, reason: str = "", whole: bool
    ) -> HTMLResponse:
        errors = forms.refusal(problem)
        if whole:  # an acceptance: its reason in one line on the request
            errors = {"": forms.one_message_of(errors)}
        status = 422 if problem.status in (400, 422) else problem.status
        return await self.show(failed=request_id, errors=errors, reason=reason, status_code=status)

    def done(self, notice: str) -> RedirectResponse:
        return redirect_to(self.request, "admin.requests", notice=notice, anchor="contenu")


Desk = Annotated[InboxDesk, Depends(desk_of(InboxDesk))]


@router.get("", name="admin.requests")
async def inbox(desk: Desk) -> HTMLResponse:
    return await desk.show()


@router.post("/{request_id}/accepter", name="admin.requests.accept", dependencies=[CsrfChecked])
async def accept(request_id: UUID, desk: Desk) -> Response:
    try:
        await desk.family.accept(desk.staff, request_id)
    except UpstreamProblem as problem:
        return await desk.refused(request_id, problem, whole=True)
    return desk.done("acceptee")


@router.post("/{request_id}/refuser", name="admin.requests.refuse", dependencies=[CsrfChecked])
async def refuse(
    request_id: UUID, desk: Desk, reason: Annotated[str, Form(max_length=1000)] = ""
) -> Response:
    """A refusal needs a reason: the family reads it in « Mes demandes »."""
    try:
        await desk.family.refuse(desk.staff, request_id, reason.strip())
    except UpstreamProblem as problem:
        return await desk.refused(request_id, problem, reason=reason, whole=False)
    return desk.done("refusee")
