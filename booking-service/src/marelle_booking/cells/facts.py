"""Cells as the contracts carry them, and the events of one unit of work.

Every change of a request (or of a consumed job) is gathered here and written to the outbox
once at the end: one event per kind and household (their key), each carrying the whole current
state of its cells with their versions."""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from uuid import UUID

from marelle_booking.models import BookingCell, events
from marelle_contracts import (
    AbsenceCharge,
    AbsenceDeclared,
    AbsenceValidated,
    BookingCancelled,
    BookingGranted,
    BookingMade,
    BookingRefused,
    BookingWaitlisted,
    CellFact,
    CellState,
    ChangeOrigin,
)
from marelle_kit.database import WriteSession
from marelle_kit.events import record_event

HouseholdEvent = (
    type[BookingMade]
    | type[BookingCancelled]
    | type[BookingWaitlisted]
    | type[BookingRefused]
    | type[BookingGranted]
    | type[AbsenceDeclared]
    | type[AbsenceValidated]
)


def fact(cell: BookingCell) -> CellFact:
    return CellFact(
        cell_id=cell.id,
        version=cell.version,
        household_id=cell.household_id,
        child_id=cell.child_id,
        activity_id=cell.activity_id,
        day=cell.day,
        state=CellState(cell.state),
        late=cell.late,
        absence_reason=cell.absence_reason,
        absence_charge=AbsenceCharge(cell.absence_charge) if cell.absence_charge else None,
        penalty_percent=cell.penalty_percent,
        arrival=cell.arrival,
        departure=cell.departure,
        free_of_charge=cell.free_of_charge,
        origin=ChangeOrigin(cell.origin),
        absence_pending=cell.absence_pending,
        group_code=cell.group_code or None,
    )


class EventBatch:
    def __init__(self) -> None:
        # (event class, household, extra fields) -> cells, in the order they changed
        self._cells: dict[
            tuple[HouseholdEvent, UUID, tuple[tuple[str, Any], ...]], dict[UUID, BookingCell]
        ] = defaultdict(dict)

    def add(self, kind: HouseholdEvent, cell: BookingCell, **extra: Any) -> None:
        self._cells[(kind, cell.household_id, tuple(sorted(extra.items())))][cell.id] = cell

    def __bool__(self) -> bool:
        return bool(self._cells)

    async def record(self, session: WriteSession, tenant_id: UUID) -> int:
        """Write one event per kind and household; the number written."""
        written = 0
        for (kind, household_id, extra), cells in self._cells.items():
            event = kind(cells=[fact(cell) for cell in cells.values()], **dict(extra))
            await record_event(session, events, event, tenant_id=tenant_id, key=household_id)
            written += 1
        self._cells.clear()
        return written
