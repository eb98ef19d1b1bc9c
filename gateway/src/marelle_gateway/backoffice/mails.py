"""The mails sent to families (in embedded mode, the captured mailbox): supervisors only, and
the stored copy never holds a usable personal link (issue 9, item 1)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from marelle_gateway.backoffice.layout import StaffPage
from marelle_gateway.backoffice.navigation import SUPERVISE
from marelle_gateway.clients.base import UpstreamProblem
from marelle_gateway.state import MailingClientDep
from marelle_gateway.web.deps import StaffUser, require_roles
from marelle_gateway.web.errors import PageError

router = APIRouter(prefix="/courriels", dependencies=[require_roles(SUPERVISE)])
LISTED = 200


@router.get("", name="admin.mails")
async def mails(staff: StaffUser, mailing: MailingClientDep, page: StaffPage) -> HTMLResponse:
    return page.render("backoffice/mails/list.html", mails=await mailing.mails(staff, LISTED))


@router.get("/{mail_id}", name="admin.mail")
async def mail(
    mail_id: UUID, staff: StaffUser, mailing: MailingClientDep, page: StaffPage
) -> HTMLResponse:
    try:
        found = await mailing.mail(staff, mail_id)
    except UpstreamProblem as problem:
        raise PageError.from_problem(problem, missing="mail-not-found") from problem
    return page.render("backoffice/mails/mail.html", mail=found)
