from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from marelle_kit.validation import EmailAddress, normalize_text

Line = Annotated[str, AfterValidator(normalize_text)]


class Criteria(BaseModel):
    """Who a mailing (or an SMS) is for. Between kinds of criteria: AND; within a list: OR.
    Households that refused e-mails (SMS: SMS), erased ones, and unsubscribed addresses are
    always left out."""

    model_config = ConfigDict(extra="forbid")

    sites: list[UUID] = Field(
        default_factory=list,
        max_length=50,
        description="Un enfant fréquente un de ces sites (réservations de la période).",
    )
    activities: list[UUID] = Field(
        default_factory=list,
        max_length=50,
        description="Un enfant fréquente une de ces activités (réservations de la période).",
    )
    period_from: date | None = Field(
        default=None,
        description="Début de la période des réservations (défaut : début de l'année scolaire).",
    )
    period_to: date | None = Field(default=None, description="Fin de la période (incluse).")
    schools: list[Annotated[Line, StringConstraints(max_length=200)]] = Field(
        default_factory=list, max_length=50
    )
    levels: list[Annotated[Line, StringConstraints(max_length=50)]] = Field(
        default_factory=list, max_length=50, description="Classes (CP, CE2...)."
    )
    unpaid_balance: bool = Field(default=False, description="Le foyer doit de l'argent.")
    never_signed_in: bool = Field(
        default=False, description="Aucun responsable ne s'est jamais connecté au portail."
    )
    # Facts the family-service does not publish yet: refused with 409 criterion-unavailable.
    missing_document: Annotated[str, StringConstraints(max_length=100)] | None = Field(
        default=None, description="Non disponible : aucun fait sur les pièces des dossiers."
    )
    record_not_validated: bool = Field(
        default=False, description="Non disponible : aucun fait sur la validation des fiches."
    )
    households: list[UUID] = Field(
        default_factory=list, max_length=5000, description="Foyers choisis un par un."
    )


class SegmentRecipient(BaseModel):
    household_id: UUID
    family_number: str
    name: str
    addresses: list[str]


class SegmentOut(BaseModel):
    households: int = Field(description="Foyers retenus (avec au moins une adresse).")
    addresses: int
    refused_email: int = Field(description="Foyers qui correspondent mais refusent les courriels.")
    without_address: int = Field(description="Foyers sans aucune adresse e-mail.")
    unsubscribed: int = Field(description="Adresses désabonnées des courriels d'information.")
    sample: list[SegmentRecipient] = Field(description="Les 50 premiers, par n° de famille.")


class MailingIn(BaseModel):
    """A mailing from a template (``template_key``: a shipped one such as
    ``portal_invitation`` or the tenant's own), or written here (subject and html; text
    derived when left out). Merge fields as in GET /templates/{key}."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[Line, StringConstraints(min_length=1, max_length=200)]
    template_key: Annotated[str, StringConstraints(max_length=60)] | None = None
    subject: Annotated[Line, StringConstraints(min_length=1, max_length=200)] | None = None
    html: Annotated[str, StringConstraints(max_length=100_000)] | None = None
    text: Annotated[str, StringConstraints(max_length=100_000)] | None = None
    criteria: Criteria = Field(default_factory=Criteria)
    per_recipient_document: bool = Field(
        default=False,
        description="Chaque destinataire reçoit en plus son propre document (sa facture...).",
    )


class AttachmentOut(BaseModel):
    id: UUID
    household_id: UUID | None
    name: str
    content_type: str
    size: int


class MailingOut(BaseModel):
    id: UUID
    name: str
    template_key: str | None
    subject: str
    html: str
    text: str
    criteria: Criteria
    per_recipient_document: bool
    status: Literal["draft", "sending", "sent"]
    created_by: str
    created_at: datetime
    sent_at: datetime | None
    attachments: list[AttachmentOut] = Field(description="Pièces jointes communes.")
    recipient_documents: int = Field(description="Documents propres déjà déposés.")
    deliveries: dict[str, int] = Field(
        description="Envois par état : queued, sent, bounced, failed."
    )


class MailingSummary(BaseModel):
    id: UUID
    name: str
    subject: str
    status: str
    created_at: datetime
    sent_at: datetime | None
    deliveries: dict[str, int]


class MailingPage(BaseModel):
    items: list[MailingSummary]
    total: int
    limit: int
    offset: int


class PreviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    household_id: UUID


class TestSendIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to: EmailAddress = Field(description="L'adresse de l'agent qui vérifie.")
    household_id: UUID | None = Field(
        default=None, description="Le foyer dont les champs de fusion remplissent l'essai."
    )


class SendIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    skip_missing_documents: bool = Field(
        default=False,
        description="Envoyer sans les foyers dont le document propre manque (sinon 409).",
    )


class SendOut(BaseModel):
    queued: int
    households: int
    skipped_missing_document: int


class RetryOut(BaseModel):
    requeued: int


class RecipientDocumentsOut(BaseModel):
    matched: list[str] = Field(description="Fichiers rangés, par n° de famille.")
    unmatched: list[str] = Field(description="Fichiers dont le nom ne commence par aucun n°.")


class UnsubscribeOut(BaseModel):
    tenant_name: str
    email: str = Field(description="L'adresse, masquée (an***@exemple.fr).")
    unsubscribed: bool
