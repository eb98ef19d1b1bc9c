"""Staff work on cells across households: requests to decide, an activity's day, closures."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

from marelle_booking.activities.repository import ActivityRepository
from marelle_booking.calendars.repository import ClosureRepository
from marelle_booking.cells.context import ContextLoader, closure_applies
from marelle_booking.cells.facts import EventBatch, fact
from marelle_booking.cells.repository import CapacityRepository, CellRepository
from marelle_booking.cells.schemas import DayView, WaitingEntry
from marelle_booking.cells.writer import Actor, CellWriter, today
from marelle_booking.families.repository import ChildViewRepository
from marelle_booking.models import BookingCell, Closure, events
from marelle_booking.problems import IllegalChange, UnknownActivity
from marelle_booking.sessions import writable
from marelle_contracts import (
    BookingGranted,
    BookingRefused,
    BookingWaitlisted,
    CellState,
    ChangeOrigin,
    ClosureDeclared,
)
from marelle_kit.database import ReadSession
from marelle_kit.errors import NotFound
from marelle_kit.events import record_event

REFUSED_BY_STAFF = "Demande refusée par le service."
CLOSED_STATES = (CellState.REQUESTED, CellState.WAITLISTED, CellState.BOOKED)


class StaffBookingService:
    def __init__(self, session: ReadSession) -> None:
        self.session = session
        self.cells = CellRepository(session)

    async def decide_requests(
        self,
        tenant_id: UUID,
        cell_ids: Sequence[UUID],
        approve: bool,
        reason: str | None,
        actor: Actor,
    ) -> list[BookingCell]:
        cells = await self.cells.live_for_update(tenant_id, set(cell_ids))
        if len(cells) != len(set(cell_ids)):
            raise NotFound("Une de ces demandes n'existe pas.")
        not_requested = [c for c in cells if c.state != CellState.REQUESTED.value]
        if not_requested:
            raise IllegalChange(
                "Ces jours ne sont plus des demandes en attente.",
                cell_ids=[str(c.id) for c in not_requested],
            )
        batch = EventBatch()
        writer = CellWriter(writable(self.session), tenant_id, batch)
        town = await ContextLoader(self.session).town(tenant_id, {c.activity_id for c in cells})
        for cell in sorted(
            cells, key=lambda c: (str(c.activity_id), c.day, c.group_code, c.requested_at)
        ):
            if not approve:
                writer.move(cell, CellState.REFUSED, actor, reason)
                batch.add(BookingRefused, cell, reason=reason or REFUSED_BY_STAFF)
            elif await writer.take(cell, town.limit(writer.key(cell))):
                writer.move(cell, CellState.BOOKED, actor, reason)
                batch.add(BookingGranted, cell)
            else:
                writer.move(cell, CellState.WAITLISTED, actor, reason)
                batch.add(BookingWaitlisted, cell)
        await writer.flush()
        await batch.record(writable(self.session), tenant_id)
        return cells

    async def requests(self, tenant_id: UUID, limit: int) -> list[BookingCell]:
        return await self.cells.requests(tenant_id, limit=limit)

    async def day_view(self, tenant_id: UUID, activity_id: UUID, day: date) -> DayView:
        town = await ContextLoader(self.session).town(tenant_id, [activity_id])
        if activity_id not in town.activities:
            raise UnknownActivity("Cette activité n'existe pas.")
        counters = await CapacityRepository(self.session).counters(
            tenant_id, [activity_id], day, day
        )
        counter = counters.get((activity_id, day, ""))
        limit = town.limit((activity_id, day, ""))
        if counter is not None and counter.limit_override is not None:
            limit = counter.limit_override
        waiting = await self.cells.waiting_list(tenant_id, activity_id, day)
        children = await ChildViewRepository(self.session).by_ids(
            tenant_id, {c.child_id for c in waiting}
        )
        positions: dict[str, int] = {}
        entries = []
        for cell in waiting:
            positions[cell.group_code] = positions.get(cell.group_code, 0) + 1
            child = children.get(cell.child_id)
            entries.append(
                WaitingEntry(
                    position=positions[cell.group_code],
                    cell_id=cell.id,
                    child_id=cell.child_id,
                    child_name=f"{child.first_name} {child.last_name}" if child else "",
                    household_id=cell.household_id,
                    group_code=cell.group_code,
                    priority_class=cell.priority_class,
                    requested_at=cell.requested_at,
                )
            )
        return DayView(
            activity_id=activity_id,
            day=day,
            limit=limit,
            taken=sum(c.taken for c in counters.values()),
            counts=await self.cells.count_by_state(tenant_id, activity_id, day),
            waiting_list=entries,
        )

    async def closure_cells(self, tenant_id: UUID, closure: Closure) -> list[BookingCell]:
        """The current cells a closure covers (locked), across households."""
        activity_ids: list[UUID] | None = None
        if closure.activity_id is not None:
            activity_ids = [closure.activity_id]
        elif closure.site_id is not None:
            activity_ids = [
                a.id
                for a in await ActivityRepository(self.session).of_site(tenant_id, closure.site_id)
            ]
        cells = await self.cells.in_range(
            tenant_id,
            closure.first_day,
            closure.last_day,
            states=CLOSED_STATES,
            activity_ids=activity_ids,
            for_update=True,
        )
        activities = await ActivityRepository(self.session).by_ids(
            tenant_id, {c.activity_id for c in cells}
        )
        children = await ChildViewRepository(self.session).by_ids(
            tenant_id, {c.child_id for c in cells}
        )
        return [
            c
            for c in cells
            if closure_applies(closure, activities[c.activity_id], children.get(c.child_id), c.day)
        ]

    async def close(self, tenant_id: UUID, closure: Closure, actor: Actor) -> list[BookingCell]:
        """Cancel (or refuse, for requests and waiting entries) every cell the closure covers,
        free of charge, and publish ONE event for the whole closure (keyed by its id)."""
        cells = await self.closure_cells(tenant_id, closure)
        writer = CellWriter(writable(self.session), tenant_id, EventBatch())
        closing = Actor(actor.subject, ChangeOrigin.CLOSURE, staff=True)
        for cell in cells:
            was_booked = cell.state == CellState.BOOKED.value
            cell.free_of_charge = True
            target = CellState.CANCELLED if was_booked else CellState.REFUSED
            writer.move(cell, target, closing, closure.label)
            if was_booked:
                await writer.release(cell)
        await writer.flush()
        closure.cancelled_cells = len(cells)
        await ClosureRepository(self.session).save(closure)
        await record_event(
            writable(self.session),
            events,
            ClosureDeclared(
                cells=[fact(c) for c in cells],
                closure_id=closure.id,
                reason=closure.reason,
                label=closure.label,
                first_day=closure.first_day,
                last_day=closure.last_day,
                site_id=closure.site_id,
                activity_id=closure.activity_id,
                school=closure.school,
                level=closure.level,
            ),
            tenant_id=tenant_id,
            key=closure.id,
        )
        return cells


__all__ = ["StaffBookingService", "today"]
