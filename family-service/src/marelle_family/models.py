"""The family-service's tables (its own metadata: no other service reads them)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import JSON, Column, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from marelle_kit.clock import utcnow
from marelle_kit.database import new_registry
from marelle_kit.events import event_tables
from marelle_kit.ids import new_id
from marelle_kit.types import UTCDateTime


class FamilyModel(SQLModel, registry=new_registry()):
    pass


def _created() -> Column[datetime]:
    return Column(UTCDateTime(), nullable=False, default=utcnow)


def _modified() -> Column[datetime]:
    return Column(UTCDateTime(), nullable=False, default=utcnow, onupdate=utcnow)


class Tenant(FamilyModel, table=True):
    """A structure (commune, RPI, SIVU...) running children's services."""

    id: UUID = Field(default_factory=new_id, primary_key=True)
    slug: str = Field(max_length=63, unique=True)
    name: str = Field(max_length=200)
    next_family_number: int = Field(default=1)
    # The diets the tenant's kitchens serve ({code: label}) and, per field group, whether a
    # parent edits directly or proposes a change ({"child.schooling": "request", ...}).
    diets: dict[str, str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    editing: dict[str, str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    # The tenant's own criteria on households ([{code, label, kind, choices}]), e.g. "commune
    # de résidence", "agent communal": their values live on each household.
    criteria: list[dict[str, Any]] | None = Field(
        default=None, sa_column=Column(JSON, nullable=True)
    )
    # How long a household's record is kept after its last change (RGPD: a stated period).
    retention_years: int = Field(default=3)
    # The tenant's public profile (tenants/profile.py): the article its name takes in a
    # sentence, its own home-page text, its contact details and its DPO.
    article: str = Field(default="", max_length=3, sa_column_kwargs={"server_default": ""})
    home_text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    contact_address: str | None = Field(default=None, max_length=300)
    contact_phone: str | None = Field(default=None, max_length=20)
    contact_email: str | None = Field(default=None, max_length=254)
    contact_hours: str | None = Field(default=None, max_length=300)
    dpo_contact: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    modified_at: datetime = Field(default_factory=utcnow, sa_column=_modified())


class Household(FamilyModel, table=True):
    """A foyer: the billing and login unit, known by its family number."""

    __table_args__ = (UniqueConstraint("tenant_id", "family_number"),)

    id: UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: UUID = Field(foreign_key="tenant.id", index=True)
    family_number: str = Field(max_length=20)
    name: str = Field(max_length=200)
    # The billing address.
    address_street: str | None = Field(default=None, max_length=200)
    address_complement: str | None = Field(default=None, max_length=200)
    postcode: str | None = Field(default=None, max_length=10)
    city: str | None = Field(default=None, max_length=100)
    phone: str | None = Field(default=None, max_length=20)
    email_authorised: bool = Field(default=True)
    sms_authorised: bool = Field(default=False)
    # Family quotient (QF) in euros, with the date it stops being valid; CAF or MSA number.
    quotient: int | None = Field(default=None)
    quotient_valid_until: date | None = Field(default=None)
    benefits_scheme: str | None = Field(default=None, max_length=10)
    benefits_number: str | None = Field(default=None, max_length=20)
    insurer: str | None = Field(default=None, max_length=100)
    insurance_number: str | None = Field(default=None, max_length=50)
    insurance_valid_until: date | None = Field(default=None)
    # The parent's certification that the record is up to date.
    certified_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    certified_by: str | None = Field(default=None, max_length=200)
    criteria_values: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSON, nullable=True)
    )
    # Set when the household was anonymised (RGPD erasure): the row stays for the family number.
    erased_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    modified_at: datetime = Field(default_factory=utcnow, sa_column=_modified())


class Guardian(FamilyModel, table=True):
    """A legal guardian of the household's children: rank 1 or 2, never "father/mother"."""

    __table_args__ = (
        UniqueConstraint("household_id", "rank"),
        # One login per e-mail and tenant: two guardians cannot share an address.
        UniqueConstraint("tenant_id", "email"),
    )

    id: UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: UUID = Field(index=True)
    household_id: UUID = Field(foreign_key="household.id", index=True)
    rank: int
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=20)
    work_phone: str | None = Field(default=None, max_length=20)
    profession: str | None = Field(default=None, max_length=100)
    employer: str | None = Field(default=None, max_length=100)
    parental_authority: str = Field(default="unknown", max_length=10)  # yes, no, unknown
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    modified_at: datetime = Field(default_factory=utcnow, sa_column=_modified())


class Adult(FamilyModel, table=True):
    """Another adult of the household (not a legal guardian: no login, no parental authority),
    e.g. a step-parent living with the children."""

    id: UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: UUID = Field(index=True)
    household_id: UUID = Field(foreign_key="household.id", index=True)
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    relationship: str = Field(max_length=50)
    phone: str | None = Field(default=None, max_length=20)
    email: str | None = Field(default=None, max_length=254)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    modified_at: datetime = Field(default_factory=utcnow, sa_column=_modified())


class Child(FamilyModel, table=True):
    """A child of the household. No health content: only whether a PAI exists and whether
    vaccinations are up to date, as the parent declares."""

    id: UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: UUID = Field(index=True)
    household_id: UUID = Field(foreign_key="household.id", index=True)
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    birth_date: date
    birth_place: str | None = Field(default=None, max_length=100)
    school: str | None = Field(default=None, max_length=200)
    level: str | None = Field(default=None, max_length=20)
    school_year: str | None = Field(default=None, max_length=9)  # "2026-2027"
    diet: str | None = Field(default=None, max_length=30)  # a code of the tenant's list
    pai: bool = Field(default=False)
    vaccinations_up_to_date: bool = Field(default=False)
    consent_photo: bool | None = Field(default=None)
    consent_outings: bool | None = Field(default=None)
    consent_leave_alone: bool | None = Field(default=None)
    consent_hospitalisation: bool | None = Field(default=None)
    validated_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    validated_by: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    modified_at: datetime = Field(default_factory=utcnow, sa_column=_modified())


class AuthorisedContact(FamilyModel, table=True):
    """Someone who may pick the child up and/or be called in an emergency."""

    __tablename__ = "authorised_contact"

    id: UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: UUID = Field(index=True)
    household_id: UUID = Field(foreign_key="household.id", index=True)
    child_id: UUID = Field(foreign_key="child.id", index=True)
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    relationship: str = Field(max_length=50)
    phone: str = Field(max_length=20)
    pick_up: bool = Field(default=False)
    emergency: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())


class ChangeRequest(FamilyModel, table=True):
    """A parent's proposed change to one field group, waiting for staff to accept or refuse."""

    __tablename__ = "change_request"

    id: UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: UUID = Field(index=True)
    household_id: UUID = Field(foreign_key="household.id", index=True)
    target: str = Field(max_length=20)  # household, guardian, child
    target_id: UUID
    field_group: str = Field(max_length=40)  # e.g. "child.schooling"
    changes: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    status: str = Field(default="pending", max_length=10, index=True)
    reason: str | None = Field(default=None, max_length=500)
    requested_by: str = Field(max_length=200)
    decided_by: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    decided_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )


class ChildRecordRead(FamilyModel, table=True):
    """The access log: every read of a child's record by staff."""

    __tablename__ = "child_record_read"

    id: UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: UUID = Field(index=True)
    household_id: UUID = Field(index=True)
    child_id: UUID = Field(index=True)
    reader: str = Field(max_length=200)
    roles: str = Field(max_length=100)
    read_at: datetime = Field(default_factory=utcnow, sa_column=_created())


class Document(FamilyModel, table=True):
    """A document attached to the household or one of its people (a certificate, an
    attestation...). The bytes live in the document store; the type was checked from them."""

    id: UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: UUID = Field(index=True)
    household_id: UUID = Field(foreign_key="household.id", index=True)
    person_kind: str = Field(max_length=10)  # household, guardian, child
    person_id: UUID
    name: str = Field(max_length=200)
    description: str | None = Field(default=None, max_length=500)
    content_type: str = Field(max_length=50)
    size: int
    sha256: str = Field(max_length=64)
    uploaded_by: str = Field(max_length=200)
    uploaded_by_staff: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())


class DocumentBlob(FamilyModel, table=True):
    """The database document store (distributed mode): the bytes of one document."""

    __tablename__ = "document_blob"

    id: UUID = Field(primary_key=True)  # the document's id
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class HouseholdBalance(FamilyModel, table=True):
    """Read model of the billing-service's balances: an unpaid balance blocks an erasure."""

    __tablename__ = "household_balance"

    household_id: UUID = Field(primary_key=True)
    tenant_id: UUID = Field(index=True)
    balance_cents: int = Field(default=0)


metadata = FamilyModel.metadata
events = event_tables(metadata)
