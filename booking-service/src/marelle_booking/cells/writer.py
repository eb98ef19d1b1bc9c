"""Changing cells: one place for the life cycle, the history, the versions and the places.

Every service that changes a cell (families' batches, staff decisions, closures, the roll
call, absences, jobs) goes through ``CellWriter`` so that each change moves the state only
along the life cycle, bumps the cell's version, and leaves a history row saying who, when and
from where.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from marelle_booking import timing
from marelle_booking.cells import states
from marelle_booking.cells.facts import EventBatch
from marelle_booking.cells.repository import CapacityKey, CapacityRepository, CellRepository
from marelle_booking.models import BookingCell, CellChange
from marelle_booking.problems import IllegalChange
from marelle_contracts import BookingGranted, CellState, ChangeOrigin
from marelle_kit.database import WriteSession
from marelle_kit.localtime import local_day

WAITING_LIST_ACTOR = "liste d'attente"

STATE_NAMES = {
    CellState.REQUESTED: "demandé",
    CellState.BOOKED: "réservé",
    CellState.WAITLISTED: "en liste d'attente",
    CellState.REFUSED: "refusé",
    CellState.CANCELLED: "annulé",
    CellState.PRESENT: "présent",
    CellState.ABSENT_EXCUSED: "absent excusé",
    CellState.ABSENT_UNEXCUSED: "absent non excusé",
}


@dataclass(frozen=True)
class Actor:
    subject: str
    origin: ChangeOrigin
    staff: bool = False


class CellWriter:
    def __init__(self, session: WriteSession, tenant_id: UUID, batch: EventBatch) -> None:
        self.session = session
        self.tenant_id = tenant_id
        self.batch = batch
        self.cells = CellRepository(session)
        self.capacity = CapacityRepository(session)
        self._history: list[CellChange] = []
        self._dirty: dict[UUID, BookingCell] = {}

    def new_cell(self, cell: BookingCell, actor: Actor, note: str | None = None) -> BookingCell:
        """A new cell enters the life cycle as a request."""
        cell.state = states.move(None, CellState.REQUESTED).value
        cell.version = 0
        self._touch(cell, None, actor, note)
        return cell

    def move(
        self,
        cell: BookingCell,
        target: CellState,
        actor: Actor,
        note: str | None = None,
        *,
        correction: bool = False,
    ) -> BookingCell:
        current = CellState(cell.state)
        try:
            if correction:
                states.correct(current, target)
            else:
                states.move(current, target)
        except states.IllegalTransition as exc:
            raise IllegalChange(
                f"Un jour {STATE_NAMES[current]} ne peut pas devenir {STATE_NAMES[target]}.",
                cell_id=str(cell.id),
                state=current.value,
                target=target.value,
            ) from exc
        cell.state = target.value
        self._touch(cell, current, actor, note)
        return cell

    def update(self, cell: BookingCell, actor: Actor, note: str | None = None) -> BookingCell:
        """A change that keeps the state (an absence validated, times of arrival recorded)."""
        self._touch(cell, CellState(cell.state), actor, note)
        return cell

    def _touch(
        self, cell: BookingCell, previous: CellState | None, actor: Actor, note: str | None
    ) -> None:
        cell.version += 1
        cell.origin = actor.origin.value
        cell.modified_by = actor.subject
        cell.modified_at = timing.now()
        self._dirty[cell.id] = cell
        self._history.append(
            CellChange(
                tenant_id=self.tenant_id,
                cell_id=cell.id,
                version=cell.version,
                from_state=previous.value if previous else None,
                to_state=cell.state,
                origin=actor.origin.value,
                by=actor.subject,
                note=note,
                at=cell.modified_at,
            )
        )

    async def flush(self) -> None:
        """Write the changed cells, then their history."""
        if self._dirty:
            await self.cells.save_cells(list(self._dirty.values()))
            self._dirty.clear()
        if self._history:
            await self.cells.record_changes(self._history)
            self._history = []

    @staticmethod
    def key(cell: BookingCell) -> CapacityKey:
        return (cell.activity_id, cell.day, cell.group_code)

    async def take(self, cell: BookingCell, limit: int | None, *, force: bool = False) -> bool:
        return await self.capacity.take(self.tenant_id, self.key(cell), limit, force=force)

    async def release(self, cell: BookingCell) -> None:
        await self.capacity.release(self.tenant_id, self.key(cell))

    async def grant_next(
        self, key: CapacityKey, limit: int | None, today: date
    ) -> BookingCell | None:
        """Give the place just freed to the first in line, at once (the family may decline)."""
        activity_id, day, group_code = key
        if day < today:
            return None
        await self.flush()  # the freed cell must not be found waiting any more
        head = await self.cells.first_in_line(self.tenant_id, activity_id, day, group_code)
        if head is None or not await self.capacity.take(self.tenant_id, key, limit):
            return None
        self.move(head, CellState.BOOKED, Actor(WAITING_LIST_ACTOR, ChangeOrigin.WAITING_LIST))
        head.granted_at = timing.now()
        self.batch.add(BookingGranted, head)
        return head


def today(now: datetime | None = None) -> date:
    return local_day(now or timing.now())
