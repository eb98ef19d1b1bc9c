"""The mailing-service's tables (its own metadata: no other service reads them).

Four groups: the read models fed by other services' events (households, guardians, children,
activities, booking cells, invoices), the tenant's communication settings (services of the
town, templates), what families and staff write (conversations, published documents,
mailings, SMS) and the delivery records (mails, SMS messages)."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import JSON, Column, Index, LargeBinary, Numeric, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from marelle_kit.clock import utcnow
from marelle_kit.database import new_registry
from marelle_kit.events import event_tables
from marelle_kit.ids import new_id
from marelle_kit.tenant_directory import TenantDirectory, tenant_table
from marelle_kit.types import UTCDateTime


class MailingModel(SQLModel, registry=new_registry()):
    pass


def _created() -> Column[datetime]:
    return Column(UTCDateTime(), nullable=False, default=utcnow)


def _modified() -> Column[datetime]:
    return Column(UTCDateTime(), nullable=False, default=utcnow, onupdate=utcnow)


def _instant() -> Column[datetime]:
    return Column(UTCDateTime(), nullable=True)


# --- Read models (fed by events; never written by this service's endpoints) -----------------


class HouseholdCopy(MailingModel, table=True):
    """What mailing knows of a household: from family.household.* and billing/auth facts."""

    __tablename__ = "household_copy"

    id: UUID = Field(primary_key=True)  # the family-service's household id
    tenant_id: UUID = Field(index=True)
    family_number: str = Field(max_length=20)
    name: str = Field(max_length=200)
    postcode: str | None = Field(default=None, max_length=10)
    city: str | None = Field(default=None, max_length=100)
    # The family's consent to receive grouped mails and SMS (family.household.details_changed).
    email_authorised: bool = Field(default=True)
    sms_authorised: bool = Field(default=False)
    balance_cents: int = Field(default=0)  # billing.balance.changed; positive = owed
    quotient_valid_until: date | None = Field(default=None)
    first_signed_in_at: datetime | None = Field(default=None, sa_column=_instant())
    erased_at: datetime | None = Field(default=None, sa_column=_instant())
    modified_at: datetime = Field(default_factory=utcnow, sa_column=_modified())


class GuardianCopy(MailingModel, table=True):
    __tablename__ = "guardian_copy"

    id: UUID = Field(primary_key=True)
    tenant_id: UUID = Field(index=True)
    household_id: UUID = Field(index=True)
    rank: int = Field(default=1)
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    email: str | None = Field(default=None, max_length=254, index=True)
    phone: str | None = Field(default=None, max_length=30)


class ChildCopy(MailingModel, table=True):
    __tablename__ = "child_copy"

    id: UUID = Field(primary_key=True)
    tenant_id: UUID = Field(index=True)
    household_id: UUID = Field(index=True)
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    school: str | None = Field(default=None, max_length=200)
    level: str | None = Field(default=None, max_length=50)
    school_year: str | None = Field(default=None, max_length=20)


class ActivityCopy(MailingModel, table=True):
    __tablename__ = "activity_copy"

    id: UUID = Field(primary_key=True)
    tenant_id: UUID = Field(index=True)
    code: str = Field(max_length=50)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=30)
    site_id: UUID = Field(index=True)
    site_name: str = Field(max_length=200)
    active: bool = Field(default=True)


class BookingCellCopy(MailingModel, table=True):
    """A booking cell as booking last described it (the highest version wins)."""

    __tablename__ = "booking_cell_copy"
    __table_args__ = (Index("ix_booking_cell_copy_activity_day", "activity_id", "day"),)

    id: UUID = Field(primary_key=True)  # the cell id
    tenant_id: UUID = Field(index=True)
    version: int
    household_id: UUID = Field(index=True)
    child_id: UUID = Field(index=True)
    activity_id: UUID
    day: date
    state: str = Field(max_length=20)


class InvoiceCopy(MailingModel, table=True):
    """An issued invoice (billing.invoice.issued): the merge fields of mails about it."""

    __tablename__ = "invoice_copy"

    id: UUID = Field(primary_key=True)
    tenant_id: UUID = Field(index=True)
    household_id: UUID = Field(index=True)
    number: str = Field(max_length=40)
    kind: str = Field(max_length=20)  # invoice | credit_note
    amount_cents: int
    amount_due_cents: int
    due_on: date
    period_label: str = Field(max_length=100)
    issued_on: date


# --- The tenant's communication settings ------------------------------------------------------


class CommunicationSettings(MailingModel, table=True):
    """A tenant's choices for messaging, notifications, reminders and SMS (one row)."""

    __tablename__ = "communication_settings"

    tenant_id: UUID = Field(primary_key=True)
    # Shown on the portal's « Messagerie » (seed 001 §7).
    postal_address: str | None = Field(default=None, max_length=500)
    phone: str | None = Field(default=None, max_length=30)
    opening_hours: str | None = Field(default=None, max_length=500)
    # The mail telling of a new message quotes it, unless the tenant says not to.
    notify_with_message_body: bool = Field(default=True)
    # When set, staff see only the conversations of the services they belong to.
    restrict_staff_to_their_services: bool = Field(default=False)
    # The reminder the day before a weekly booking deadline (opt-in).
    deadline_reminder_enabled: bool = Field(default=False)
    deadline_weekday: int | None = Field(default=None)  # 0 = Monday ... 6 = Sunday
    deadline_time: time | None = Field(default=None)
    # How many days before a document (e.g. the QF attestation) expires the family is told.
    expiry_notice_days: int = Field(default=30)
    sms_sender: str | None = Field(default=None, max_length=11)
    sms_segment_price: Decimal = Field(
        default=Decimal("0.0500"), sa_column=Column(Numeric(10, 4), nullable=False)
    )
    modified_at: datetime = Field(default_factory=utcnow, sa_column=_modified())


class Desk(MailingModel, table=True):
    """A service of the town families write to («Service enfance», «Restauration», «Régie»)."""

    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id: UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: UUID = Field(index=True)
    name: str = Field(max_length=100)
    description: str | None = Field(default=None, max_length=500)
    # Where staff are told of a new message (a shared mailbox of the service), if anywhere.
    notification_email: str | None = Field(default=None, max_length=254)
    position: int = Field(default=0)
    active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())


class DeskMember(MailingModel, table=True):
    """A staff account (its subject) belonging to a service, for the tenant's restriction."""

    __tablename__ = "desk_member"
    __table_args__ = (UniqueConstraint("desk_id", "staff_subject"),)

    id: UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: UUID = Field(index=True)
    desk_id: UUID = Field(foreign_key="desk.id", index=True)
    staff_subject: str = Field(max_length=200, index=True)
    display_name: str | None = Field(default=None, max_length=200)


class MailTemplate(MailingModel, table=True):
    """A tenant's copy of a template: a notification's (its ``key``) or a mailing model."""

    __tablename__ = "mail_template"
    __table_args__ = (UniqueConstraint("tenant_id", "key"),)

    id: UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: UUID = Field(index=True)
    key: str | None = Field(default=None, max_length=60)  # a shipped template's key, or None
    purpose: str = Field(max_length=20)  # "notification" | "mailing"
    name: str = Field(max_length=200)
    subject: str = Field(max_length=200)
    html: str = Field(sa_column=Column(Text(), nullable=False))
    text: str = Field(sa_column=Column(Text(), nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    modified_at: datetime = Field(default_factory=utcnow, sa_column=_modified())


# --- Stored files ---------------------------------------------------------------------------


class StoredFile(MailingModel, table=True):
    """The metadata of an uploaded file (an attachment, a published document); its bytes are
    in the file store (marelle_kit.files) under this id."""

    __tablename__ = "stored_file"

    id: UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: UUID = Field(index=True)
    name: str = Field(max_length=200)
    content_type: str = Field(max_length=50)
    size: int
    sha256: str = Field(max_length=64)
    uploaded_by: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())


class FileBlob(MailingModel, table=True):
    """The database file store (distributed mode): the bytes of one stored file."""

    __tablename__ = "file_blob"

    id: UUID = Field(primary_key=True)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


# --- Messaging --------------------------------------------------------------------------------


class Conversation(MailingModel, table=True):
    __table_args__ = (
        Index("ix_conversation_tenant_desk_status", "tenant_id", "desk_id", "status"),
    )

    id: UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: UUID = Field(index=True)
    household_id: UUID = Field(index=True)
    desk_id: UUID = Field(foreign_key="desk.id")
    subject: str = Field(max_length=200)
    status: str = Field(default="open", max_length=10)  # open | closed
    assigned_to: str | None = Field(default=None, max_length=200)
    started_by: str = Field(max_length=10)  # household | staff
    closed_at: datetime | None = Field(default=None, sa_column=_instant())
    last_message_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())


class Message(MailingModel, table=True):
    """One message; ``read_at`` is when the other side first opened it."""

    __table_args__ = (Index("ix_message_conversation_unread", "conversation_id", "read_at"),)

    id: UUID = Field(default_factory=new_id, primary_key=True)  # UUIDv7: ordered by time
    tenant_id: UUID = Field(index=True)
    conversation_id: UUID = Field(foreign_key="conversation.id", index=True)
    household_id: UUID = Field(index=True)
    author_side: str = Field(max_length=10)  # household | staff
    author_subject: str = Field(max_length=200)
    author_name: str = Field(max_length=200)
    body: str = Field(sa_column=Column(Text(), nullable=False))
    read_at: datetime | None = Field(default=None, sa_column=_instant())
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())


class MessageAttachment(MailingModel, table=True):
    __tablename__ = "message_attachment"

    id: UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: UUID = Field(index=True)
    message_id: UUID = Field(foreign_key="message.id", index=True)
    conversation_id: UUID = Field(index=True)
    file_id: UUID = Field(foreign_key="stored_file.id")


# --- Published documents ------------------------------------------------------------------------


class PublicationCategory(MailingModel, table=True):
    __tablename__ = "publication_category"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id: UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: UUID = Field(index=True)
    name: str = Field(max_length=100)
    position: int = Field(default=0)


class Publication(MailingModel, table=True):
    """A document the town publishes to an audience, between two dates."""

    id: UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: UUID = Field(index=True)
    category_id: UUID = Field(foreign_key="publication_category.id", index=True)
    title: str = Field(max_length=200)
    description: str | None = Field(default=None, max_length=1000)
    file_id: UUID = Field(foreign_key="stored_file.id")
    audience: str = Field(max_length=10)  # all | site | activity | school
    audience_ref: str | None = Field(default=None, max_length=200)  # site/activity id, school
    published_on: date
    expires_on: date | None = Field(default=None)
    requires_acknowledgement: bool = Field(default=False)
    published_by: str = Field(max_length=200)
    withdrawn_at: datetime | None = Field(default=None, sa_column=_instant())
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())


class PublicationAcknowledgement(MailingModel, table=True):
    """« J'ai lu »: a household acknowledged a document (once)."""

    __tablename__ = "publication_acknowledgement"
    __table_args__ = (UniqueConstraint("publication_id", "household_id"),)

    id: UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: UUID = Field(index=True)
    publication_id: UUID = Field(foreign_key="publication.id", index=True)
    household_id: UUID = Field(index=True)
    acknowledged_by: str = Field(max_length=200)
    acknowledged_at: datetime = Field(default_factory=utcnow, sa_column=_created())


class DocumentsVisit(MailingModel, table=True):
    """When a household last opened « Mes documents » (the « new » counter starts there)."""

    __tablename__ = "documents_visit"

    household_id: UUID = Field(primary_key=True)
    tenant_id: UUID = Field(index=True)
    visited_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


# --- Mailings -----------------------------------------------------------------------------------


class Mailing(MailingModel, table=True):
    """A grouped mail to the households matching criteria, from a template."""

    id: UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: UUID = Field(index=True)
    name: str = Field(max_length=200)
    template_key: str | None = Field(default=None, max_length=60)
    subject: str = Field(max_length=200)
    html: str = Field(sa_column=Column(Text(), nullable=False))
    text: str = Field(sa_column=Column(Text(), nullable=False))
    criteria: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    # A document per recipient (e.g. their invoice), pushed by staff or another service.
    per_recipient_document: bool = Field(default=False)
    status: str = Field(default="draft", max_length=10)  # draft | sending | sent
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    sent_at: datetime | None = Field(default=None, sa_column=_instant())


class MailingAttachment(MailingModel, table=True):
    """A file every recipient gets, or (``household_id`` set) one recipient's own document."""

    __tablename__ = "mailing_attachment"
    __table_args__ = (
        Index("ix_mailing_attachment_mailing_household", "mailing_id", "household_id"),
    )

    id: UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: UUID = Field(index=True)
    mailing_id: UUID = Field(foreign_key="mailing.id")
    household_id: UUID | None = Field(default=None)
    file_id: UUID = Field(foreign_key="stored_file.id")


class Unsubscription(MailingModel, table=True):
    """An address that asked for no more grouped mails of this tenant (RFC 8058 one-click).
    Transactional mails (links, invoices, answers) still reach it."""

    __table_args__ = (UniqueConstraint("tenant_id", "email"),)

    id: UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: UUID = Field(index=True)
    email: str = Field(max_length=254)
    unsubscribed_at: datetime = Field(default_factory=utcnow, sa_column=_created())


# --- Delivery records -----------------------------------------------------------------------------


class Mail(MailingModel, table=True):
    """One mail to one address and its delivery record. The deduplication key makes a fact
    delivered twice produce one mail.

    What is stored is what staff may read: a personal link (password) is never in ``html`` or
    ``text`` (they hold a placeholder); its sealed token waits in ``sealed_secret`` until the
    delivery opens it, and is cleared once the mail left. Only the embedded mode's captured
    mailbox keeps the live copy (``captured_*``), and says so."""

    id: UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: UUID = Field(index=True)
    dedup_key: str = Field(max_length=200, unique=True)
    template: str = Field(max_length=60)
    kind: str = Field(default="transactional", max_length=15)  # transactional | grouped
    mailing_id: UUID | None = Field(default=None, index=True)
    household_id: UUID | None = Field(default=None, index=True)
    to_address: str = Field(max_length=254)
    subject: str = Field(max_length=200)
    html: str = Field(sa_column=Column(Text(), nullable=False))
    text: str = Field(sa_column=Column(Text(), nullable=False))
    sealed_secret: str | None = Field(default=None, sa_column=Column(Text(), nullable=True))
    captured_html: str | None = Field(default=None, sa_column=Column(Text(), nullable=True))
    captured_text: str | None = Field(default=None, sa_column=Column(Text(), nullable=True))
    # Grouped mails: the one-click unsubscribe token (never returned by the API; the stored
    # body holds a placeholder where the link goes).
    unsubscribe_token: str | None = Field(default=None, max_length=64, unique=True)
    # queued | sent | bounced (refused for good by the receiving server) | failed
    status: str = Field(default="queued", max_length=10, index=True)
    attempts: int = Field(default=0)
    last_error: str | None = Field(default=None, sa_column=Column(Text(), nullable=True))
    next_attempt_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    handed_at: datetime | None = Field(default=None, sa_column=_instant())
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class MailFile(MailingModel, table=True):
    """A file attached to one mail (shared attachments are stored once, referenced by many)."""

    __tablename__ = "mail_file"
    __table_args__ = (UniqueConstraint("mail_id", "file_id"),)

    id: UUID = Field(default_factory=new_id, primary_key=True)
    mail_id: UUID = Field(foreign_key="mail.id", index=True)
    file_id: UUID = Field(foreign_key="stored_file.id")


class DeliveryLane(MailingModel, table=True):
    """The throttle of grouped mails: one row per lane, locked by whoever hands mails over, so
    several dispatchers share one rate."""

    __tablename__ = "delivery_lane"

    name: str = Field(primary_key=True, max_length=20)
    window_started_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    handed_in_window: int = Field(default=0)


class LinkKey(MailingModel, table=True):
    """The key pair the auth-service seals password-link tokens to (private half here only)."""

    __tablename__ = "link_key"

    id: UUID = Field(default_factory=new_id, primary_key=True)  # also the JWK "kid"
    private_jwk: str = Field(sa_column=Column(Text(), nullable=False))
    public_jwk: str = Field(sa_column=Column(Text(), nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    retired_at: datetime | None = Field(default=None, sa_column=_instant())


# --- SMS ----------------------------------------------------------------------------------------


class SmsCampaign(MailingModel, table=True):
    __tablename__ = "sms_campaign"

    id: UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: UUID = Field(index=True)
    text: str = Field(sa_column=Column(Text(), nullable=False))
    sender: str = Field(max_length=11)
    criteria: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    encoding: str = Field(max_length=10)  # gsm7 | ucs2
    segments: int
    recipients: int = Field(default=0)
    segment_price: Decimal = Field(sa_column=Column(Numeric(10, 4), nullable=False))
    status: str = Field(default="draft", max_length=10)  # draft | sending | sent
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    sent_at: datetime | None = Field(default=None, sa_column=_instant())


class SmsMessage(MailingModel, table=True):
    __tablename__ = "sms_message"
    __table_args__ = (UniqueConstraint("campaign_id", "phone"),)

    id: UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: UUID = Field(index=True)
    campaign_id: UUID = Field(foreign_key="sms_campaign.id", index=True)
    household_id: UUID | None = Field(default=None, index=True)
    phone: str = Field(max_length=20)  # E.164, e.g. +33612345678
    text: str = Field(sa_column=Column(Text(), nullable=False))
    sender: str = Field(max_length=11)
    status: str = Field(default="queued", max_length=10, index=True)  # queued | sent | failed
    provider_reference: str | None = Field(default=None, max_length=100)
    attempts: int = Field(default=0)
    last_error: str | None = Field(default=None, sa_column=Column(Text(), nullable=True))
    next_attempt_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    sent_at: datetime | None = Field(default=None, sa_column=_instant())
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())


# --- Scheduled notices already sent (once per fact) -------------------------------------------


class NoticeSent(MailingModel, table=True):
    """A scheduled notice (deadline reminder, expiry notice) already queued for its key."""

    __tablename__ = "notice_sent"

    key: str = Field(primary_key=True, max_length=200)
    tenant_id: UUID = Field(index=True)
    sent_at: datetime = Field(default_factory=utcnow, sa_column=_created())


metadata = MailingModel.metadata
events = event_tables(metadata)
tenants = TenantDirectory(tenant_table(metadata))
