"""The mailing-service's client: the mails sent to families (captured in embedded mode)."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, ConfigDict

from marelle_gateway.clients.base import Caller, Instant, ServiceClient


class MailSummary(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    id: UUID
    template: str
    to_address: str
    subject: str
    status: str
    attempts: int
    last_error: str | None = None
    created_at: Instant
    sent_at: Instant | None = None


class MailPage(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    items: list[MailSummary]
    total: int


class Mail(MailSummary):
    text: str
    # The embedded demo's captured mailbox shows the mail as received (links included) and
    # says so; everywhere else the stored copy has its personal link removed.
    live_copy: bool = False
    notice: str | None = None


class MailingClient(ServiceClient):
    service = "mailing"

    async def mails(self, caller: Caller, limit: int) -> list[MailSummary]:
        page = await self.get("/mails", caller, MailPage, params={"limit": str(limit)})
        return page.items

    async def mail(self, caller: Caller, mail_id: UUID) -> Mail:
        return await self.get(f"/mails/{mail_id}", caller, Mail)
