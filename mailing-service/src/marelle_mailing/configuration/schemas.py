from __future__ import annotations

from datetime import time
from decimal import Decimal
from typing import Annotated, Self
from uuid import UUID

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from marelle_kit.validation import EmailAddress, normalize_text
from marelle_mailing import catalogue

Text = Annotated[str, AfterValidator(normalize_text)]


def _sender(value: str) -> str:
    """An SMS sender: 3 to 11 letters or digits, starting with a letter (operators refuse
    others; a number as sender is not offered)."""
    if not (3 <= len(value) <= 11 and value.isascii() and value.isalnum() and value[0].isalpha()):
        raise ValueError(catalogue.SMS_SENDER_RULE)
    return value


SmsSender = Annotated[str, AfterValidator(_sender)]


class CommunicationSettingsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    postal_address: Annotated[Text, StringConstraints(max_length=500)] | None = None
    phone: Annotated[Text, StringConstraints(max_length=30)] | None = None
    opening_hours: Annotated[Text, StringConstraints(max_length=500)] | None = None
    notify_with_message_body: bool = Field(
        default=True,
        description="Le courriel qui signale un nouveau message en reprend le texte.",
    )
    restrict_staff_to_their_services: bool = Field(
        default=False,
        description=(
            "Les agents ne voient que les conversations des services dont ils sont membres."
        ),
    )
    deadline_reminder_enabled: bool = Field(
        default=False,
        description=(
            "Rappel, la veille de la date butoir hebdomadaire, aux familles sans réservation."
        ),
    )
    deadline_weekday: int | None = Field(
        default=None, ge=0, le=6, description="Jour de la date butoir : 0 = lundi … 6 = dimanche."
    )
    deadline_time: time | None = Field(default=None, description="Heure de la date butoir.")
    expiry_notice_days: int = Field(default=30, ge=1, le=120)
    sms_sender: SmsSender | None = None
    sms_segment_price: Decimal = Field(
        default=Decimal("0.0500"),
        ge=Decimal("0"),
        le=Decimal("1"),
        max_digits=10,
        decimal_places=4,
        description="Prix d'un SMS (un segment) en euros, pour l'estimation avant envoi.",
    )

    @model_validator(mode="after")
    def _reminder_needs_its_deadline(self) -> Self:
        if self.deadline_reminder_enabled and (
            self.deadline_weekday is None or self.deadline_time is None
        ):
            raise ValueError(catalogue.REMINDER_NEEDS_DEADLINE)
        return self


class CommunicationSettingsOut(CommunicationSettingsIn):
    model_config = ConfigDict(from_attributes=True, extra="ignore")


class DeskIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[Text, StringConstraints(min_length=1, max_length=100)]
    description: Annotated[Text, StringConstraints(max_length=500)] | None = None
    notification_email: EmailAddress | None = Field(
        default=None, description="Boîte du service prévenue des nouveaux messages."
    )
    position: int = Field(default=0, ge=0, le=1000)
    active: bool = True


class DeskOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    name: str
    description: str | None
    position: int
    active: bool


class DeskStaffView(DeskOut):
    notification_email: str | None


class DeskMemberIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    staff_subject: Annotated[str, StringConstraints(min_length=1, max_length=200)] = Field(
        description="Identifiant du compte agent (le « sub » de son jeton)."
    )
    display_name: Annotated[Text, StringConstraints(max_length=200)] | None = None


class DeskMembersIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    members: list[DeskMemberIn] = Field(max_length=200)


class DeskMemberOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    staff_subject: str
    display_name: str | None


class ContactPage(BaseModel):
    """What the portal's « Messagerie » shows above the conversations (seed 001 §7)."""

    tenant_name: str
    postal_address: str | None
    phone: str | None
    opening_hours: str | None
    desks: list[DeskOut]
