"""Accounts: find a login by its e-mail, see whether it is locked, unlock it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from marelle_gateway.backoffice.layout import StaffPage
from marelle_gateway.backoffice.navigation import EDIT_RECORDS
from marelle_gateway.clients.auth import AccountStatus
from marelle_gateway.clients.base import UpstreamProblem
from marelle_gateway.state import AuthClientDep
from marelle_gateway.web.deps import CsrfChecked, StaffUser, require_roles
from marelle_gateway.web.rendering import redirect_to

router = APIRouter(prefix="/comptes", dependencies=[require_roles(EDIT_RECORDS)])
Email = Annotated[str, Query(max_length=254)]


@router.get("", name="admin.accounts")
async def accounts(
    staff: StaffUser, auth: AuthClientDep, page: StaffPage, email: Email = ""
) -> HTMLResponse:
    account: AccountStatus | None = None
    missing = False
    if email:
        try:
            account = await auth.account_status(staff, email.strip())
        except UpstreamProblem as problem:
            if problem.status != 404:
                raise
            missing = True
    return page.render(
        "backoffice/accounts/accounts.html", email=email, account=account, missing=missing
    )


@router.post("/debloquer", name="admin.accounts.unlock", dependencies=[CsrfChecked])
async def unlock(
    request: Request,
    staff: StaffUser,
    auth: AuthClientDep,
    email: Annotated[str, Form(max_length=254)] = "",
) -> Response:
    await auth.unlock(staff, email)
    return redirect_to(request, "admin.accounts", notice="debloque", q_email=email)
