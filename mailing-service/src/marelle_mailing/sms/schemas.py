from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from marelle_mailing import catalogue
from marelle_mailing.mailings.schemas import Criteria


def _sms_text(value: str) -> str:
    cleaned = value.replace("\r\n", "\n").strip()
    if not cleaned:
        raise ValueError(catalogue.SMS_EMPTY)
    if any(ord(c) < 32 and c != "\n" for c in cleaned):
        raise ValueError(catalogue.SMS_CONTROL_CHARACTER)
    return cleaned


SmsText = Annotated[str, StringConstraints(max_length=1000), AfterValidator(_sms_text)]


class SmsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: SmsText
    criteria: Criteria = Field(default_factory=Criteria)


class SmsEstimate(BaseModel):
    """Shown before sending: how the text is encoded, how many SMS each recipient costs, how
    many numbers it reaches and the price (the tenant's price per SMS)."""

    sender: str | None = Field(description="L'expéditeur (11 caractères au plus).")
    encoding: Literal["gsm7", "ucs2"] = Field(
        description="gsm7 : 160 caractères par SMS ; ucs2 (accents hors alphabet GSM, emoji) : 70."
    )
    characters: int
    segments: int = Field(description="SMS facturés par destinataire.")
    recipients: int = Field(description="Numéros de mobile retenus.")
    refused_sms: int = Field(description="Foyers qui correspondent mais refusent les SMS.")
    without_mobile: int = Field(description="Foyers sans numéro de mobile.")
    segment_price: Decimal
    cost: Decimal = Field(description="Estimation en euros, arrondie au centime.")


class SmsCampaignOut(SmsEstimate):
    id: UUID
    text: str
    criteria: Criteria
    status: Literal["draft", "sending", "sent"]
    created_by: str
    created_at: datetime
    sent_at: datetime | None
    deliveries: dict[str, int]


class SmsCampaignPage(BaseModel):
    items: list[SmsCampaignOut]
    total: int
    limit: int
    offset: int


class SmsMessageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    household_id: UUID | None
    phone: str
    status: str = Field(description="queued | sent | failed")
    attempts: int
    last_error: str | None
    provider_reference: str | None
    sent_at: datetime | None


class SmsMessagePage(BaseModel):
    items: list[SmsMessageOut]
    total: int
    limit: int
    offset: int
