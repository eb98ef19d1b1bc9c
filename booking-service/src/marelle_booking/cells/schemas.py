from __future__ import annotations

from datetime import date, datetime, time
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from marelle_contracts import AbsenceCharge, CellState

Action = Literal["book", "cancel"]
Outcome = Literal["booked", "requested", "waitlisted", "cancelled", "withdrawn", "refused"]
Status = Literal[
    "booked",
    "requested",
    "waitlisted",
    "present",
    "absent_excused",
    "absent_unexcused",
    "available",
    "full",
    "locked",
    "closed",
    "holiday",
    "unavailable",
]
STATUS_LABELS: dict[str, str] = {
    "booked": "Réservé",
    "requested": "Demande en attente",
    "waitlisted": "Liste d'attente",
    "present": "Présent",
    "absent_excused": "Absent excusé",
    "absent_unexcused": "Absent non excusé",
    "available": "Disponible",
    "full": "Complet : liste d'attente",
    "locked": "Bloqué",
    "closed": "Fermé",
    "holiday": "Vacances ou jour férié",
    "unavailable": "Non disponible",
}
MAX_BATCH = 300


class Reason(BaseModel):
    code: str = Field(description="Code stable : deadline-passed, not-enrolled, closed…")
    message: str = Field(description="Explication pour la famille")


class CellChangeIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    child_id: UUID
    activity_id: UUID
    day: date
    action: Action


class BatchIn(BaseModel):
    """Changes of a week grid, applied together or not at all."""

    model_config = ConfigDict(extra="forbid")

    changes: list[CellChangeIn] = Field(min_length=1, max_length=MAX_BATCH)
    accept_late: bool = Field(
        default=False,
        description="La famille confirme les changements hors délai (tarif hors délai)",
    )

    @field_validator("changes")
    @classmethod
    def _distinct(cls, changes: list[CellChangeIn]) -> list[CellChangeIn]:
        keys = {(c.child_id, c.activity_id, c.day) for c in changes}
        if len(keys) != len(changes):
            raise ValueError("un même jour d'une activité et d'un enfant figure deux fois")
        return changes


class StaffBatchIn(BatchIn):
    override_deadlines: bool = Field(
        default=False, description="Passer outre les dates limites et les jours passés (journalisé)"
    )
    waive_late_fee: bool = Field(
        default=False, description="Avec la dérogation : ne pas appliquer le tarif hors délai"
    )
    note: str | None = Field(default=None, max_length=300, description="Motif de la dérogation")


class CellOutcome(BaseModel):
    child_id: UUID
    activity_id: UUID
    day: date
    action: Action
    outcome: Outcome
    late: bool = False
    cell_id: UUID | None = None
    version: int | None = None
    reason: Reason | None = None


class BatchResult(BaseModel):
    outcomes: list[CellOutcome]
    counts: dict[str, int] = Field(description="Nombre de jours par résultat")


class BulkIn(BaseModel):
    """« Réserver en masse »: an activity, children, weekdays, a period, add or replace."""

    model_config = ConfigDict(extra="forbid")

    activity_id: UUID
    child_ids: list[UUID] = Field(min_length=1, max_length=10)
    weekdays: list[int] = Field(min_length=1, max_length=7, description="1 = lundi … 7 = dimanche")
    first_day: date
    last_day: date
    mode: Literal["add", "replace"] = Field(
        default="add",
        description="add : ajoute ces jours ; replace : annule aussi les autres jours réservés",
    )
    accept_late: bool = False

    @model_validator(mode="after")
    def _check(self) -> BulkIn:
        if self.last_day < self.first_day:
            raise ValueError("la fin de la période précède son début")
        if (self.last_day - self.first_day).days > 366:
            raise ValueError("une période dure au plus un an")
        if any(d < 1 or d > 7 for d in self.weekdays) or len(set(self.weekdays)) != len(
            self.weekdays
        ):
            raise ValueError("jours de la semaine : chacun une fois, de 1 (lundi) à 7 (dimanche)")
        if len(set(self.child_ids)) != len(self.child_ids):
            raise ValueError("un enfant figure deux fois")
        return self


class DayInfo(BaseModel):
    day: date
    label: str = Field(description="« lundi 25 janv. »")
    school_holiday: str | None = None
    public_holiday: str | None = None
    closures: list[str] = Field(default_factory=list)


class GridCell(BaseModel):
    day: date
    status: Status
    label: str = Field(description="Le statut en toutes lettres (pas la couleur seule)")
    state: CellState | None = None
    cell_id: UUID | None = None
    version: int | None = None
    late: bool = Field(default=False, description="Réservé ou annulé hors délai")
    can_book: bool
    book_late: bool = Field(default=False, description="Réserver maintenant serait hors délai")
    book_blocked: Reason | None = None
    can_cancel: bool
    cancel_late: bool = False
    cancel_blocked: Reason | None = None
    book_cutoff: datetime | None = None
    cancel_cutoff: datetime | None = None
    absence_reason: str | None = None
    absence_charge: AbsenceCharge | None = None
    free_of_charge: bool = False


class GridRow(BaseModel):
    activity_id: UUID
    name: str
    kind: str
    site_name: str
    book_rule_text: str
    cancel_rule_text: str
    late_booking_allowed: bool
    can_book_period: bool = Field(
        description="Au moins un jour réservable : « réserver la semaine »"
    )
    cells: list[GridCell]


class GridChild(BaseModel):
    child_id: UUID
    first_name: str
    last_name: str
    rows: list[GridRow]


class Reminder(BaseModel):
    activity_id: UUID
    name: str
    text: str = Field(description="« Cantine : réservation avant 8h30 le jour même ; … »")


class NearestCutoff(BaseModel):
    at: datetime
    child_id: UUID
    activity_id: UUID
    day: date
    action: Action


class Planning(BaseModel):
    """The page-shaped read of a household's bookings over a week (or a month)."""

    household_id: UUID
    period: Literal["week", "month"]
    key: str = Field(description="2027-W04 (semaine ISO) ou 2027-01 (mois)")
    label: str = Field(description="« Semaine 04 / 2027 » ou « janvier 2027 »")
    first_day: date
    last_day: date
    previous: str
    next: str
    now: datetime
    days: list[DayInfo]
    children: list[GridChild]
    reminders: list[Reminder]
    nearest_cutoff: NearestCutoff | None = Field(description="Pour le compte à rebours")


class CellHistoryEntry(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    version: int
    from_state: str | None
    to_state: str
    origin: str
    by: str
    note: str | None
    at: datetime


class CellOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    household_id: UUID
    child_id: UUID
    activity_id: UUID
    day: date
    state: CellState
    version: int
    late: bool
    free_of_charge: bool
    group_code: str
    absence_reason: str | None
    absence_charge: str | None
    penalty_percent: int | None
    absence_pending: bool
    proof_due: date | None
    arrival: time | None
    departure: time | None
    origin: str
    modified_by: str
    modified_at: datetime


class WaitingEntry(BaseModel):
    position: int
    cell_id: UUID
    child_id: UUID
    child_name: str
    household_id: UUID
    group_code: str
    priority_class: int
    requested_at: datetime


class DayView(BaseModel):
    """An activity's day for staff: counts, capacity, the waiting list."""

    activity_id: UUID
    day: date
    limit: int | None
    taken: int
    counts: dict[str, int]
    waiting_list: list[WaitingEntry]


class RequestDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cell_ids: list[UUID] = Field(min_length=1, max_length=MAX_BATCH)
    decision: Literal["approve", "refuse"]
    reason: str | None = Field(default=None, max_length=300)
