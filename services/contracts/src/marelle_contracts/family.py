"""Facts published by the family-service."""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel

from marelle_contracts.base import Event


class TenantCreated(Event):
    event_type: ClassVar[str] = "family.tenant.created"

    tenant_id: UUID
    slug: str
    name: str


class HouseholdCreated(Event):
    event_type: ClassVar[str] = "family.household.created"

    household_id: UUID
    family_number: str
    name: str


class GuardianAdded(Event):
    """A legal guardian ("responsable légal" 1 or 2) joined a household."""

    event_type: ClassVar[str] = "family.guardian.added"

    household_id: UUID
    guardian_id: UUID
    rank: int
    first_name: str
    last_name: str
    email: str | None


class GuardianEmailChanged(Event):
    event_type: ClassVar[str] = "family.guardian.email_changed"

    household_id: UUID
    guardian_id: UUID
    email: str | None


class GuardianRemoved(Event):
    event_type: ClassVar[str] = "family.guardian.removed"

    household_id: UUID
    guardian_id: UUID


class HouseholdDetailsChanged(Event):
    """Address, phone, mail/SMS authorisations or insurance changed (the field groups named)."""

    event_type: ClassVar[str] = "family.household.details_changed"

    household_id: UUID
    groups: list[str]
    postcode: str | None
    city: str | None
    email_authorised: bool
    sms_authorised: bool


class QuotientChanged(Event):
    """The family quotient that tariffs use, with the date it stops being valid."""

    event_type: ClassVar[str] = "family.quotient.changed"

    household_id: UUID
    quotient: int | None
    valid_until: date | None
    benefits_scheme: str | None


class GuardianDetailsChanged(Event):
    event_type: ClassVar[str] = "family.guardian.details_changed"

    household_id: UUID
    guardian_id: UUID
    first_name: str
    last_name: str
    phone: str | None


class ChildRecord(Event):
    """What booking and billing need of a child: who, born when, at which school, which diet."""

    household_id: UUID
    child_id: UUID
    first_name: str
    last_name: str
    birth_date: date
    school: str | None
    level: str | None
    school_year: str | None
    diet: str | None
    pai: bool


class ChildAdded(ChildRecord):
    event_type: ClassVar[str] = "family.child.added"


class ChildChanged(ChildRecord):
    event_type: ClassVar[str] = "family.child.changed"


class ConsentsChanged(Event):
    """The child's consents; None is "not answered yet"."""

    event_type: ClassVar[str] = "family.consent.changed"

    household_id: UUID
    child_id: UUID
    photo: bool | None
    outings: bool | None
    leave_alone: bool | None
    hospitalisation: bool | None


class ContactEntry(BaseModel):
    first_name: str
    last_name: str
    relationship: str
    phone: str
    pick_up: bool
    emergency: bool


class ContactsChanged(Event):
    """The people who may pick the child up or be called in an emergency, as a whole list."""

    event_type: ClassVar[str] = "family.contact.changed"

    household_id: UUID
    child_id: UUID
    contacts: list[ContactEntry]


class HouseholdErased(Event):
    """RGPD erasure: the household was anonymised; every service erases or anonymises its copy
    (the guardians' removals are published before it)."""

    event_type: ClassVar[str] = "family.household.erased"

    household_id: UUID
    family_number: str


class ChangeRequestDecided(Event):
    """Staff accepted or refused a parent's change request (with the reason shown to the
    family); ``label`` is the field group's French label."""

    event_type: ClassVar[str] = "family.change_request.decided"

    household_id: UUID
    request_id: UUID
    field_group: str
    label: str
    outcome: Literal["accepted", "refused"]
    reason: str | None
