from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends, Query

from marelle_kit import roles
from marelle_kit.errors import NotFound
from marelle_kit.security import require_roles
from marelle_kit.tenancy import TenantId
from marelle_kit.unit_of_work import SessionDep, transactional_router
from marelle_mailing.mails.repository import MailRepository
from marelle_mailing.mails.schemas import MailOut, MailSummary

# The mails sent to a tenant's families: the captured mailbox in embedded mode, the delivery
# records in distributed mode.
staff = transactional_router(
    prefix="/mails",
    tags=["mails"],
    dependencies=[Depends(require_roles(*roles.OFFICE, roles.OPERATOR))],
)


@staff.get("", response_model=list[MailSummary])
async def list_mails(
    tenant_id: TenantId,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[MailSummary]:
    mails = await MailRepository(session).of_tenant(tenant_id, limit=limit, offset=offset)
    return [MailSummary.model_validate(m) for m in mails]


@staff.get("/{mail_id}", response_model=MailOut)
async def get_mail(mail_id: UUID, tenant_id: TenantId, session: SessionDep) -> MailOut:
    mail = await MailRepository(session).get(tenant_id, mail_id)
    if mail is None:
        raise NotFound("Ce message n'existe pas.")
    return MailOut.model_validate(mail)
