"""The staff member's own password: the current one, the new one with the checklist, and the
same two generators as the portal (checked by the server, so it works without JavaScript)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse

from marelle_gateway.backoffice.layout import StaffPage
from marelle_gateway.backoffice.navigation import ANY_STAFF
from marelle_gateway.clients.auth import NewPassword, PasswordChange
from marelle_gateway.clients.base import UpstreamProblem
from marelle_gateway.state import AuthClientDep
from marelle_gateway.web import passwords
from marelle_gateway.web.deps import (
    BrowserSessionDep,
    CsrfChecked,
    CsrfHeaderChecked,
    StaffUser,
    require_roles,
)
from marelle_gateway.web.rendering import Page, route_path

router = APIRouter(prefix="/mon-mot-de-passe", dependencies=[require_roles(ANY_STAFF)])
Text = Annotated[str, Form(max_length=1000)]


def _page(request: Request, page: Page, **context: Any) -> HTMLResponse:
    return passwords.change_page(
        page,
        back=route_path(request, "admin.households"),
        form_action=route_path(request, "admin.password.save"),
        suggest_action=route_path(request, "admin.password.suggest"),
        check_url=route_path(request, "admin.password.check"),
        **context,
    )


@router.get("", name="admin.password")
async def password_page(request: Request, staff: StaffUser, page: StaffPage) -> HTMLResponse:
    return _page(request, page)


@router.post("", name="admin.password.save", dependencies=[CsrfChecked])
async def change_password(
    request: Request,
    staff: StaffUser,
    session: BrowserSessionDep,
    auth: AuthClientDep,
    page: StaffPage,
    current_password: Text = "",
    password: Text = "",
    confirmation: Text = "",
) -> HTMLResponse:
    change = PasswordChange(
        current_password=current_password,
        password=password,
        confirmation=confirmation,
        keep_refresh_token=session.data.refresh_token,
    )
    try:
        await auth.change_password(staff, change)
    except UpstreamProblem as problem:
        return _page(request, page, **passwords.refusal(problem))
    return page.render("shared/password_changed.html", back=route_path(request, "admin.households"))


@router.post("/proposition", name="admin.password.suggest", dependencies=[CsrfChecked])
async def suggest(
    request: Request,
    staff: StaffUser,
    auth: AuthClientDep,
    page: StaffPage,
    method: Annotated[Literal["random", "sentence"], Form()] = "random",
    sentence: Annotated[str, Form(max_length=300)] = "",
) -> HTMLResponse:
    context = await passwords.checked_suggestion(
        auth, passwords.PolicyCheck(auth, staff), method, sentence
    )
    return _page(request, page, **context)


@router.post("/verification", name="admin.password.check", dependencies=[CsrfHeaderChecked])
async def check(new: NewPassword, staff: StaffUser, auth: AuthClientDep) -> JSONResponse:
    """The live checklist (password.js)."""
    return JSONResponse((await auth.check_for_change(staff, new)).model_dump())
