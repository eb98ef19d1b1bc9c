"""The booking-service's tables (its own metadata: no other service reads them).

Reference data (school holidays by zone, public holidays) is loaded from the packages the
project ships; the tenants' children and households are read models fed by the family-service's
events; everything else is the booking-service's own record.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from marelle_kit.clock import utcnow
from marelle_kit.database import new_registry
from marelle_kit.events import event_tables
from marelle_kit.ids import new_id
from marelle_kit.tenant_directory import TenantDirectory, tenant_table
from marelle_kit.types import UTCDateTime


class BookingModel(SQLModel, registry=new_registry()):
    pass


metadata = BookingModel.metadata
events = event_tables(metadata)
tenants = TenantDirectory(tenant_table(metadata))


def _created() -> Any:
    return Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


def _modified() -> Any:
    return Field(
        default_factory=utcnow,
        sa_column=Column(UTCDateTime(), nullable=False, default=utcnow, onupdate=utcnow),
    )


def _instant(nullable: bool = True) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable))


def _json(default: list[Any] | dict[str, Any]) -> Any:
    def fresh() -> list[Any] | dict[str, Any]:
        return list(default) if isinstance(default, list) else dict(default)

    return Field(default_factory=fresh, sa_column=Column(JSON, nullable=False))


# --- Read models (from the family-service's events) -------------------------------------


class ChildView(BookingModel, table=True):
    """A child as booking needs it (family.child.added/changed, family.contact.changed)."""

    __tablename__ = "child"
    __table_args__ = (Index("ix_child_tenant_household", "tenant_id", "household_id"),)

    id: UUID = Field(primary_key=True)
    tenant_id: UUID
    household_id: UUID
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    birth_date: date | None = None
    school: str | None = Field(default=None, max_length=200)
    level: str | None = Field(default=None, max_length=20)
    school_year: str | None = Field(default=None, max_length=9)
    diet: str | None = Field(default=None, max_length=30)
    pai: bool = False
    # The authorised contacts who may pick the child up: [{first_name, last_name, ...}].
    pick_up: list[dict[str, Any]] = _json([])
    erased: bool = False
    modified_at: datetime = _modified()


class HouseholdView(BookingModel, table=True):
    __tablename__ = "household"

    id: UUID = Field(primary_key=True)
    tenant_id: UUID = Field(index=True)
    family_number: str = Field(max_length=20)
    name: str = Field(max_length=200)
    erased: bool = False
    modified_at: datetime = _modified()


# --- The town's settings and calendar ------------------------------------------------------


class TownPolicy(BookingModel, table=True):
    """The tenant's booking settings (one row per tenant, defaults until changed)."""

    __tablename__ = "town_policy"

    tenant_id: UUID = Field(primary_key=True)
    zone: str | None = Field(default=None, max_length=1)  # A, B or C
    alsace_moselle: bool = False  # Vendredi saint and 26 December are public holidays
    uses_groups: bool = False  # capacity per group (e.g. maternelle / élémentaire)
    documents_gate: bool = False  # booking needs the enrolment's documents marked complete
    absence_validation: bool = False  # declared absences wait for staff validation
    modified_at: datetime = _modified()


class SchoolHoliday(BookingModel, table=True):
    """National school holidays by zone (reference data from vacances-scolaires-france)."""

    __tablename__ = "school_holiday"
    __table_args__ = (UniqueConstraint("zone", "first_day"),)

    id: int | None = Field(default=None, primary_key=True)
    zone: str = Field(max_length=1)
    name: str = Field(max_length=100)
    first_day: date
    last_day: date


class PublicHoliday(BookingModel, table=True):
    """Public holidays (reference data from holidays); two more in Alsace-Moselle."""

    __tablename__ = "public_holiday"

    day: date = Field(primary_key=True)
    name: str = Field(max_length=100)
    alsace_moselle_only: bool = False


class SchoolYear(BookingModel, table=True):
    __tablename__ = "school_year"
    __table_args__ = (UniqueConstraint("tenant_id", "label"),)

    id: UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: UUID = Field(index=True)
    label: str = Field(max_length=9)  # 2026-2027
    first_day: date
    last_day: date
    classes_end: date
    created_at: datetime = _created()


class Closure(BookingModel, table=True):
    """Days nothing (of a site, an activity, a class) can be booked: strike, bridge day..."""

    __tablename__ = "closure"
    __table_args__ = (Index("ix_closure_tenant_days", "tenant_id", "first_day", "last_day"),)

    id: UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: UUID
    site_id: UUID | None = None
    activity_id: UUID | None = None
    school: str | None = Field(default=None, max_length=200)
    level: str | None = Field(default=None, max_length=20)
    first_day: date
    last_day: date
    reason: str = Field(max_length=30)
    label: str = Field(max_length=200)
    cancelled_cells: int = 0
    created_by: str = Field(max_length=200)
    created_at: datetime = _created()


# --- Sites and activities ------------------------------------------------------------------


class Site(BookingModel, table=True):
    __tablename__ = "site"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id: UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: UUID = Field(index=True)
    name: str = Field(max_length=200)
    kind: str = Field(default="school", max_length=20)  # school, centre, other
    active: bool = True
    created_at: datetime = _created()
    modified_at: datetime = _modified()


class Activity(BookingModel, table=True):
    __tablename__ = "activity"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    id: UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: UUID = Field(index=True)
    site_id: UUID = Field(foreign_key="site.id")
    code: str = Field(max_length=40)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=30)
    billing_mode: str = Field(max_length=20)
    billing_unit: str = Field(max_length=20)
    fiscal_share: str = Field(max_length=20)
    includes_meal: bool = False  # counted in the caterer's orders (canteen, ALSH with meal)
    enrolment_approval: bool = False
    booking_approval: bool = False
    book_rule: dict[str, Any] = _json({})
    cancel_rule: dict[str, Any] = _json({})
    late_booking: str = Field(default="refuse", max_length=10)  # refuse | allow
    late_cancellation: str = Field(default="refuse", max_length=10)
    time_slots: list[dict[str, Any]] = _json([])  # [{start, end}] local times
    position: int = 0
    active: bool = True
    created_at: datetime = _created()
    modified_at: datetime = _modified()


class ActivityGroup(BookingModel, table=True):
    __tablename__ = "activity_group"
    __table_args__ = (UniqueConstraint("activity_id", "code"),)

    id: UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: UUID
    activity_id: UUID = Field(foreign_key="activity.id", index=True)
    code: str = Field(max_length=30)
    label: str = Field(max_length=100)
    capacity: int | None = None


class ActivitySeason(BookingModel, table=True):
    """The opening days of an activity for a school year, and its capacity per day."""

    __tablename__ = "activity_season"
    __table_args__ = (UniqueConstraint("activity_id", "school_year_id"),)

    id: UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: UUID
    activity_id: UUID = Field(foreign_key="activity.id", index=True)
    school_year_id: UUID = Field(foreign_key="school_year.id")
    weekdays: list[int] = _json([])
    period: str = Field(max_length=10)
    capacity: int | None = None
    extra_days: list[str] = _json([])
    removed_days: list[str] = _json([])
    modified_at: datetime = _modified()


# --- Enrolments, cells, capacity -----------------------------------------------------------


class Enrolment(BookingModel, table=True):
    """« Inscription »: a child may book an activity for a school year."""

    __tablename__ = "enrolment"
    __table_args__ = (
        UniqueConstraint("child_id", "activity_id", "school_year_id"),
        Index("ix_enrolment_tenant_household", "tenant_id", "household_id"),
    )

    id: UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: UUID
    household_id: UUID
    child_id: UUID
    activity_id: UUID = Field(foreign_key="activity.id")
    school_year_id: UUID = Field(foreign_key="school_year.id")
    group_code: str = Field(default="", max_length=30)
    status: str = Field(max_length=10)  # pending, approved, refused, ended
    documents_complete: bool = False
    priority_class: int = 3  # waiting list: 1 first
    note: str | None = Field(default=None, max_length=500)
    requested_by: str = Field(max_length=200)
    decided_by: str | None = Field(default=None, max_length=200)
    decided_at: datetime | None = _instant()
    created_at: datetime = _created()
    modified_at: datetime = _modified()


_FINAL_STATES = "state NOT IN ('cancelled', 'refused')"


class BookingCell(BookingModel, table=True):
    """child x activity x day, in one state of the life cycle (cells/states.py)."""

    __tablename__ = "booking_cell"
    __table_args__ = (
        # At most one current cell per child, activity and day: a cancelled or refused cell is
        # history, and booking the day again makes a new one.
        Index(
            "uq_booking_cell_live",
            "tenant_id",
            "child_id",
            "activity_id",
            "day",
            unique=True,
            postgresql_where=sa.text(_FINAL_STATES),
            sqlite_where=sa.text(_FINAL_STATES),
        ),
        # The week grid and the ICS feed: one household's cells over a few days.
        Index("ix_booking_cell_household_day", "tenant_id", "household_id", "day"),
        # Day views, registers, counts and the waiting list: an activity's cells of a day.
        Index("ix_booking_cell_activity_day", "tenant_id", "activity_id", "day", "state"),
    )

    id: UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: UUID
    household_id: UUID
    child_id: UUID
    activity_id: UUID
    enrolment_id: UUID
    day: date
    group_code: str = Field(default="", max_length=30)
    state: str = Field(max_length=20)
    version: int = 1
    late: bool = False
    free_of_charge: bool = False
    priority_class: int = 3
    requested_at: datetime = _created()
    book_cutoff: datetime | None = _instant()
    cancel_cutoff: datetime | None = _instant()
    granted_at: datetime | None = _instant()
    absence_reason: str | None = Field(default=None, max_length=40)
    absence_charge: str | None = Field(default=None, max_length=10)
    penalty_percent: int | None = None
    absence_pending: bool = False
    proof_due: date | None = None
    proof_received_at: datetime | None = _instant()
    arrival: time | None = None
    departure: time | None = None
    origin: str = Field(max_length=20)
    modified_by: str = Field(max_length=200)
    modified_at: datetime = _modified()


class CellChange(BookingModel, table=True):
    """Every change of a cell: who, when, from where, from which state to which."""

    __tablename__ = "cell_change"

    id: UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: UUID
    cell_id: UUID = Field(index=True)
    version: int
    from_state: str | None = Field(default=None, max_length=20)
    to_state: str = Field(max_length=20)
    origin: str = Field(max_length=20)
    by: str = Field(max_length=200)
    note: str | None = Field(default=None, max_length=300)
    at: datetime = _created()


class CapacityCounter(BookingModel, table=True):
    """Places taken per activity x day (x group): the row that booking writers contend on.

    Taking a place is one conditional upsert (``taken < limit``) on this row, so two writers
    for the last place are serialised by its row lock and exactly one gets it."""

    __tablename__ = "capacity_counter"
    __table_args__ = (UniqueConstraint("activity_id", "day", "group_code"),)

    id: UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: UUID
    activity_id: UUID
    day: date
    group_code: str = Field(default="", max_length=30)
    taken: int = 0
    limit_override: int | None = None  # staff set a different capacity for this day


class Register(BookingModel, table=True):
    """The roll call of an activity (at its site) on a day."""

    __tablename__ = "register"
    __table_args__ = (UniqueConstraint("activity_id", "day"),)

    id: UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: UUID = Field(index=True)
    activity_id: UUID = Field(foreign_key="activity.id")
    day: date
    status: str = Field(default="open", max_length=10)  # open, closed
    closed_at: datetime | None = _instant()
    closed_by: str | None = Field(default=None, max_length=200)
    reopened_times: int = 0
    created_at: datetime = _created()


# --- Absences ------------------------------------------------------------------------------


class AbsenceReason(BookingModel, table=True):
    __tablename__ = "absence_reason"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    id: UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: UUID = Field(index=True)
    code: str = Field(max_length=40)
    label: str = Field(max_length=100)
    excused: bool = True
    charge: str = Field(default="free", max_length=10)
    penalty_percent: int | None = None
    proof_required: bool = False
    proof_days: int | None = None
    waiting_days: int = 0
    in_time_free: bool = True
    staff_only: bool = False  # e.g. a strike: staff record it, families do not pick it
    position: int = 0
    active: bool = True


# --- Caterer orders, calendar feeds --------------------------------------------------------


class MealOrder(BookingModel, table=True):
    """A meal count sent to the caterer, kept as a dated version."""

    __tablename__ = "meal_order"
    __table_args__ = (UniqueConstraint("tenant_id", "first_day", "last_day", "version"),)

    id: UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: UUID
    first_day: date
    last_day: date
    version: int
    lines: list[dict[str, Any]] = _json([])
    total: int
    created_by: str = Field(max_length=200)
    created_at: datetime = _created()


class CalendarFeed(BookingModel, table=True):
    """The secret address of a household's ICS feed (only its hash is kept)."""

    __tablename__ = "calendar_feed"

    household_id: UUID = Field(primary_key=True)
    tenant_id: UUID
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = _created()
