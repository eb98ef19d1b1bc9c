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


class Mail(MailSummary):
    text: str


class MailingClient(ServiceClient):
    service = "mailing"

    async def mails(self, caller: Caller, limit: int) -> list[MailSummary]:
        return await self.get_list("/mails", caller, MailSummary, params={"limit": str(limit)})

    async def mail(self, caller: Caller, mail_id: UUID) -> Mail:
        return await self.get(f"/mails/{mail_id}", caller, Mail)
