"""Event contracts shared by Marelle's services.

Events are past-tense facts, immutable, carrying ids and the minimum facts a consumer needs.
Every event class registers itself under its ``event_type`` so a consumer can turn an envelope's
payload back into the typed model.
"""

from marelle_contracts.auth import AccountLocked, PasswordResetRequested
from marelle_contracts.base import Event, event_class, topic_for
from marelle_contracts.billing import BalanceChanged
from marelle_contracts.booking import (
    AbsenceCharge,
    AbsenceDeclared,
    AbsenceValidated,
    ActivityKind,
    ActivityPublished,
    BillingMode,
    BillingUnit,
    BookingCancelled,
    BookingGranted,
    BookingMade,
    BookingRefused,
    BookingWaitlisted,
    CellFact,
    CellState,
    ChangeOrigin,
    ClosureDeclared,
    FiscalShare,
    RegisterClosed,
    RegisterReopened,
)
from marelle_contracts.family import (
    ChildAdded,
    ChildChanged,
    ConsentsChanged,
    ContactEntry,
    ContactsChanged,
    GuardianAdded,
    GuardianDetailsChanged,
    GuardianEmailChanged,
    GuardianRemoved,
    HouseholdCreated,
    HouseholdDetailsChanged,
    HouseholdErased,
    QuotientChanged,
    TenantCreated,
)

__all__ = [
    "AbsenceCharge",
    "AbsenceDeclared",
    "AbsenceValidated",
    "AccountLocked",
    "ActivityKind",
    "ActivityPublished",
    "BalanceChanged",
    "BillingMode",
    "BillingUnit",
    "BookingCancelled",
    "BookingGranted",
    "BookingMade",
    "BookingRefused",
    "BookingWaitlisted",
    "CellFact",
    "CellState",
    "ChangeOrigin",
    "ChildAdded",
    "ChildChanged",
    "ClosureDeclared",
    "ConsentsChanged",
    "ContactEntry",
    "ContactsChanged",
    "Event",
    "FiscalShare",
    "GuardianAdded",
    "GuardianDetailsChanged",
    "GuardianEmailChanged",
    "GuardianRemoved",
    "HouseholdCreated",
    "HouseholdDetailsChanged",
    "HouseholdErased",
    "PasswordResetRequested",
    "QuotientChanged",
    "RegisterClosed",
    "RegisterReopened",
    "TenantCreated",
    "event_class",
    "topic_for",
]
