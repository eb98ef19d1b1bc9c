from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends, Query, Request

from marelle_kit.errors import NotFound
from marelle_kit.repository import MAX_LIMIT, MAX_OFFSET
from marelle_kit.security import require_roles
from marelle_kit.tenancy import TenantId
from marelle_kit.unit_of_work import SessionDep, transactional_router
from marelle_mailing import catalogue
from marelle_mailing.access import MAIL_READERS
from marelle_mailing.mails.repository import MailRepository
from marelle_mailing.mails.schemas import MailOut, MailPage, MailSummary
from marelle_mailing.settings import MailingSettings

# The mails sent to a tenant's families (delivery records; in embedded mode without SMTP, the
# demo's captured mailbox). Supervisors and operators only (issue 9 item 1): what is stored
# never holds a usable link anyway.
supervisors = transactional_router(
    prefix="/mails", tags=["mails"], dependencies=[Depends(require_roles(*MAIL_READERS))]
)


@supervisors.get("", response_model=MailPage)
async def list_mails(
    tenant_id: TenantId,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> MailPage:
    """The tenant's mails, newest first, with their delivery status."""
    page = await MailRepository(session).of_tenant(tenant_id, limit=limit, offset=offset)
    return MailPage(
        items=[MailSummary.model_validate(m) for m in page.items],
        total=page.total,
        limit=page.limit,
        offset=page.offset,
    )


@supervisors.get("/{mail_id}", response_model=MailOut)
async def get_mail(
    request: Request, mail_id: UUID, tenant_id: TenantId, session: SessionDep
) -> MailOut:
    """One mail as stored (personal links removed), or, in the embedded demo's captured
    mailbox, as received (``live_copy`` true, with a notice saying so)."""
    mail = await MailRepository(session).get(tenant_id, mail_id)
    if mail is None:
        raise NotFound(catalogue.MAIL_NOT_FOUND)
    settings = request.app.state.runtime.settings
    assert isinstance(settings, MailingSettings)
    return MailOut.of(mail, captured_mailbox=settings.captures_mail)
