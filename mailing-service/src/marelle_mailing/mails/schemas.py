from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from marelle_mailing import catalogue
from marelle_mailing.mails.service import redacted
from marelle_mailing.models import Mail


class MailSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    template: str
    kind: str = Field(description="transactional | grouped")
    mailing_id: UUID | None
    household_id: UUID | None
    to_address: str
    subject: str
    status: str = Field(description="queued | sent | bounced | failed")
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None


class MailPage(BaseModel):
    items: list[MailSummary]
    total: int
    limit: int
    offset: int


class MailOut(MailSummary):
    """The stored copy: personal links (password links, unsubscribe links) are replaced by a
    mention that they were removed. Only the embedded demo's captured mailbox shows the mail
    as received, and says so in ``notice``."""

    html: str
    text: str
    live_copy: bool = Field(
        description="Vrai seulement dans la boîte de démonstration du mode embarqué."
    )
    notice: str | None

    @classmethod
    def of(cls, mail: Mail, *, captured_mailbox: bool) -> MailOut:
        live = captured_mailbox and mail.captured_html is not None
        summary = MailSummary.model_validate(mail).model_dump()
        return cls(
            **summary,
            html=mail.captured_html if live and mail.captured_html else redacted(mail.html),
            text=mail.captured_text if live and mail.captured_text else redacted(mail.text),
            live_copy=live,
            notice=catalogue.CAPTURED_NOTICE if live else None,
        )
