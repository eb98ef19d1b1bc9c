"""Facts published by the booking-service.

Billing prices from these facts alone (it never calls booking) and mailing tells families from
them. Every event that changes booking cells carries each changed cell's whole current state as a
``CellFact`` with a per-cell ``version`` that only grows: a consumer keeps, per cell, the fact of
the highest version it has seen, so duplicates and out-of-order deliveries (a closure keyed by
its own id racing a household's events) cannot leave it with a stale state.
"""

from __future__ import annotations

import enum
from datetime import date, time
from typing import ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from marelle_contracts.base import Event


class ActivityKind(enum.StrEnum):
    MEAL = "meal"  # repas de la cantine
    MORNING_CARE = "morning_care"  # accueil périscolaire du matin
    EVENING_CARE = "evening_care"  # accueil périscolaire du soir
    LEISURE_DAY = "leisure_day"  # accueil de loisirs (mercredi, vacances), journée
    LEISURE_HALF_DAY = "leisure_half_day"  # accueil de loisirs, demi-journée
    OTHER = "other"


class BillingMode(enum.StrEnum):
    ON_BOOKING = "on_booking"  # « à la réservation » : réservé, présent, absence non excusée
    ON_ATTENDANCE = "on_attendance"  # « au réel » : présent, absence non excusée ; registre clos


class BillingUnit(enum.StrEnum):
    DAY = "day"  # one unit per cell (a meal, a morning, a day at the centre)
    HOUR = "hour"  # started hours between arrival and departure
    QUARTER_HOUR = "quarter_hour"  # started quarter hours between arrival and departure


class FiscalShare(enum.StrEnum):
    """What the tax certificate counts: childcare does, meals do not."""

    CHILDCARE = "childcare"
    MEAL = "meal"


class CellState(enum.StrEnum):
    REQUESTED = "requested"  # awaiting staff approval
    BOOKED = "booked"
    WAITLISTED = "waitlisted"
    REFUSED = "refused"
    CANCELLED = "cancelled"
    PRESENT = "present"
    ABSENT_EXCUSED = "absent_excused"
    ABSENT_UNEXCUSED = "absent_unexcused"


class AbsenceCharge(enum.StrEnum):
    """What an absence costs, decided by booking from the tenant's reason and its deadlines."""

    FREE = "free"  # not billed (in time, or a reason that is never billed)
    BILLED = "billed"  # billed like a present day
    PENALTY = "penalty"  # billed at ``penalty_percent`` of the price


class ChangeOrigin(enum.StrEnum):
    PORTAL = "portal"
    STAFF = "staff"
    IMPORT = "import"
    CLOSURE = "closure"
    WAITING_LIST = "waiting_list"
    ROLL_CALL = "roll_call"


class CellFact(BaseModel):
    """A booking cell (child x activity x day) as it stands after the change."""

    model_config = ConfigDict(frozen=True)

    cell_id: UUID
    version: int
    household_id: UUID
    child_id: UUID
    activity_id: UUID
    day: date
    state: CellState
    # Booked (or cancelled) after the activity's deadline, allowed at a late tariff.
    late: bool = False
    absence_reason: str | None = None  # the tenant's reason code
    absence_charge: AbsenceCharge | None = None
    penalty_percent: int | None = None  # with AbsenceCharge.PENALTY, 1..100
    # Local (Paris) times recorded at the roll call, for care billed by the hour.
    arrival: time | None = None
    departure: time | None = None
    # Cancelled free of charge by the town (closure, strike): never billed, whatever the mode.
    free_of_charge: bool = False
    origin: ChangeOrigin
    # Added later (optional, additive): a declared absence still waiting for the town's
    # validation (its charge may change), and the child's group where capacity is per group.
    absence_pending: bool = False
    group_code: str | None = None


class ActivityPublished(Event):
    """An activity was created or changed: what billing needs to price it."""

    event_type: ClassVar[str] = "booking.activity.published"

    activity_id: UUID
    code: str
    name: str
    kind: ActivityKind
    site_id: UUID
    site_name: str
    billing_mode: BillingMode
    billing_unit: BillingUnit
    fiscal_share: FiscalShare
    active: bool


class _CellsEvent(Event):
    cells: list[CellFact]


class BookingMade(_CellsEvent):
    """Cells booked (or requested, where staff approve) by a family or staff."""

    event_type: ClassVar[str] = "booking.booking.made"


class BookingCancelled(_CellsEvent):
    """Cells cancelled by the family or staff (in time, or late where allowed)."""

    event_type: ClassVar[str] = "booking.booking.cancelled"


class BookingWaitlisted(_CellsEvent):
    """The day was full: the cells wait for a place, in order."""

    event_type: ClassVar[str] = "booking.booking.waitlisted"


class BookingRefused(_CellsEvent):
    """Staff refused requested cells, or the waiting list's place was declined."""

    event_type: ClassVar[str] = "booking.booking.refused"

    reason: str | None = None


class BookingGranted(_CellsEvent):
    """A place freed up and went to the first in line (or staff approved a request)."""

    event_type: ClassVar[str] = "booking.booking.granted"


class AbsenceDeclared(_CellsEvent):
    """A parent or staff declared an absence on booked cells, with a reason."""

    event_type: ClassVar[str] = "booking.absence.declared"


class AbsenceValidated(_CellsEvent):
    """Staff validated (or reclassified) declared absences, e.g. once the proof arrived."""

    event_type: ClassVar[str] = "booking.absence.validated"


class ClosureDeclared(_CellsEvent):
    """A closure (strike, bridge day, training...) cancelled every booked cell it covers, free
    of charge: one event for the whole closure, ``cells`` spanning households."""

    event_type: ClassVar[str] = "booking.closure.declared"

    closure_id: UUID
    reason: str
    label: str
    first_day: date
    last_day: date
    site_id: UUID | None
    activity_id: UUID | None
    # Added later (optional, additive): a closure of one class (strike of a teacher, trip).
    school: str | None = None
    level: str | None = None


class RegisterClosed(_CellsEvent):
    """A day's register (activity x site x day) was closed after the roll call: ``cells`` is
    every line of it (present, absent, with times). Billing « au réel » waits for this."""

    event_type: ClassVar[str] = "booking.register.closed"

    register_id: UUID
    activity_id: UUID
    day: date


class RegisterReopened(Event):
    """Staff reopened a closed register to correct it; billing « au réel » waits again."""

    event_type: ClassVar[str] = "booking.register.reopened"

    register_id: UUID
    activity_id: UUID
    day: date
