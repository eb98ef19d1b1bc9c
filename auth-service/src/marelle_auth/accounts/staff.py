"""Staff accounts: created by a tenant's admin (or an operator); the new staff member then
chooses a password through the first-login link mailed to them."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from marelle_auth import catalogue
from marelle_auth.accounts.repository import AccountRepository
from marelle_auth.audit.service import AuditLog
from marelle_auth.models import Account
from marelle_auth.passwords.service import PasswordService
from marelle_kit import roles
from marelle_kit.database import WriteSession
from marelle_kit.validation import EmailAddress, PersonName


def _tenant_role(value: str) -> str:
    if value not in roles.TENANT_ROLES:
        known = ", ".join(sorted(roles.TENANT_ROLES))
        raise ValueError(catalogue.UNKNOWN_ROLE.format(roles=known))
    return value


# One of a town's staff roles (marelle_kit.roles): admin, manager, agent, regie, animateur,
# reader. The operator's role is never given to a town's account.
StaffRole = Annotated[
    str,
    AfterValidator(_tenant_role),
    Field(json_schema_extra={"enum": sorted(roles.TENANT_ROLES)}),
]


class StaffCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailAddress
    first_name: PersonName
    last_name: PersonName
    role: StaffRole


class StaffOut(BaseModel):
    id: UUID
    email: str
    first_name: str
    last_name: str
    roles: list[str]
    active: bool
    has_password: bool

    @classmethod
    def of(cls, account: Account) -> StaffOut:
        return cls(
            id=account.id,
            email=account.email,
            first_name=account.first_name,
            last_name=account.last_name,
            roles=[r for r in account.roles.split(",") if r],
            active=account.active,
            has_password=account.password_hash is not None,
        )


class StaffService:
    def __init__(self, session: WriteSession, *, ip: str | None) -> None:
        self.session = session
        self.accounts = AccountRepository(session)
        self.ip = ip

    async def create(
        self, tenant_id: UUID, data: StaffCreate, *, by: str, send_link: bool = True
    ) -> Account:
        if await self.accounts.by_email(tenant_id, data.email) is not None:
            raise catalogue.AccountEmailTaken(catalogue.ACCOUNT_EMAIL_TAKEN, field="email")
        account = Account(
            tenant_id=tenant_id,
            email=data.email,
            kind="staff",
            first_name=data.first_name,
            last_name=data.last_name,
            roles=data.role,
        )
        await self.accounts.save(account)
        await AuditLog(self.session).record(
            "staff.created",
            data.role,
            tenant_id=tenant_id,
            ip=self.ip,
            account_id=account.id,
            email=account.email,
            detail=f"par {by}",
        )
        if send_link:
            await PasswordService(self.session, ip=self.ip).request_link(tenant_id, data.email)
        return account

    async def list(self, tenant_id: UUID) -> list[Account]:
        return await self.accounts.staff_of(tenant_id)
