from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict

from marelle_auth import catalogue
from marelle_auth.accounts.repository import AccountRepository
from marelle_auth.accounts.staff import StaffCreate, StaffOut, StaffService
from marelle_auth.audit.service import AuditLog, client_ip
from marelle_auth.throttling.policy import LoginThrottle
from marelle_kit import roles
from marelle_kit.errors import NotFound
from marelle_kit.security import CurrentPrincipal, require_roles
from marelle_kit.tenancy import TenantId
from marelle_kit.unit_of_work import SessionDep, transactional_router
from marelle_kit.validation import EmailAddress

staff = transactional_router(
    prefix="/accounts",
    tags=["accounts"],
    dependencies=[Depends(require_roles(*roles.OFFICE, roles.OPERATOR))],
)


admins = transactional_router(
    prefix="/staff",
    tags=["staff"],
    dependencies=[Depends(require_roles(*roles.ADMINS, roles.OPERATOR))],
)


@admins.post("", response_model=StaffOut, status_code=201)
async def create_staff(
    request: Request,
    data: StaffCreate,
    tenant_id: TenantId,
    principal: CurrentPrincipal,
    session: SessionDep,
) -> StaffOut:
    service = StaffService(
        session, ip=client_ip(request), link_keys=request.app.state.runtime.state.get("link_keys")
    )
    return StaffOut.of(await service.create(tenant_id, data, by=principal.subject))


@admins.get("", response_model=list[StaffOut])
async def list_staff(tenant_id: TenantId, session: SessionDep) -> list[StaffOut]:
    return [StaffOut.of(a) for a in await StaffService(session, ip=None).list(tenant_id)]


class AccountStatus(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    email: str
    kind: str
    active: bool
    has_password: bool
    locked_until: datetime | None


class AccountName(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    first_name: str
    last_name: str
    kind: str


class UnlockRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailAddress


def _throttle(request: Request) -> LoginThrottle:
    throttle: LoginThrottle = request.app.state.runtime.state["login_throttle"]
    return throttle


@staff.get("/lookup", response_model=AccountStatus)
async def lookup(
    request: Request,
    email: Annotated[str, Query(max_length=254)],
    tenant_id: TenantId,
    session: SessionDep,
) -> AccountStatus:
    account = await AccountRepository(session).by_email(tenant_id, email.strip().lower())
    if account is None:
        raise NotFound(catalogue.ACCOUNT_NOT_FOUND)
    until = await _throttle(request).locked_until(
        LoginThrottle.account_key(tenant_id, account.email)
    )
    return AccountStatus(
        id=account.id,
        email=account.email,
        kind=account.kind,
        active=account.active,
        has_password=account.password_hash is not None,
        locked_until=datetime.fromtimestamp(until, UTC) if until else None,
    )


@staff.get("/names", response_model=list[AccountName])
async def names(
    tenant_id: TenantId,
    session: SessionDep,
    ids: Annotated[list[UUID], Query(alias="id", max_length=200)],
) -> list[AccountName]:
    """The names of the tenant's accounts among ``id`` (journals show people, not ids); an id
    of another tenant reads as unknown."""
    accounts = await AccountRepository(session).of_tenant_by_ids(tenant_id, ids)
    return [AccountName.model_validate(a) for a in accounts]


@staff.post("/unlock", status_code=204)
async def unlock(
    request: Request,
    data: UnlockRequest,
    tenant_id: TenantId,
    principal: CurrentPrincipal,
    session: SessionDep,
) -> Response:
    """Staff lift a lock (after checking who is calling): the failure count starts again."""
    account = await AccountRepository(session).by_email(tenant_id, data.email)
    if account is None:
        raise NotFound(catalogue.ACCOUNT_NOT_FOUND)
    await _throttle(request).unlock(LoginThrottle.account_key(tenant_id, account.email))
    await AuditLog(session).record(
        "account.unlocked",
        "success",
        tenant_id=tenant_id,
        ip=client_ip(request),
        account_id=account.id,
        email=account.email,
        detail=f"par {principal.subject}",
    )
    return Response(status_code=204)
