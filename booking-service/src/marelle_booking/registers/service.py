"""The roll call: an activity's register of a day, marked on a tablet or a phone, closed when
done (what billing « au réel » waits for), reopened to correct it."""

from __future__ import annotations

from collections import Counter
from datetime import date
from uuid import UUID

from sqlalchemy.exc import IntegrityError

from marelle_booking import timing
from marelle_booking.cells.context import ContextLoader, TownContext
from marelle_booking.cells.facts import EventBatch, fact
from marelle_booking.cells.repository import CellRepository
from marelle_booking.cells.states import HOLDS_A_PLACE, OUTCOMES
from marelle_booking.cells.writer import Actor, CellWriter, today
from marelle_booking.enrolments.repository import EnrolmentRepository
from marelle_booking.families.repository import ChildViewRepository
from marelle_booking.models import BookingCell, ChildView, Register, events
from marelle_booking.problems import (
    ConcurrentChange,
    IllegalChange,
    RegisterClosed,
    UnknownActivity,
    UnknownChild,
)
from marelle_booking.registers.repository import RegisterRepository
from marelle_booking.registers.schemas import (
    CloseIn,
    MarksIn,
    RegisterLine,
    RegisterOut,
    UnexpectedIn,
)
from marelle_booking.sessions import writable
from marelle_contracts import BillingUnit, CellState, ChangeOrigin, RegisterReopened
from marelle_contracts import RegisterClosed as RegisterClosedEvent
from marelle_kit.database import ReadSession
from marelle_kit.errors import Conflict
from marelle_kit.events import record_event

LINE_STATES = HOLDS_A_PLACE  # booked, present, absent (excused or not)


class RegisterService:
    def __init__(self, session: ReadSession) -> None:
        self.session = session
        self.registers = RegisterRepository(session)
        self.cells = CellRepository(session)

    async def _town(self, tenant_id: UUID, activity_id: UUID) -> TownContext:
        town = await ContextLoader(self.session).town(tenant_id, [activity_id])
        if activity_id not in town.activities:
            raise UnknownActivity("Cette activité n'existe pas.")
        return town

    async def view(self, tenant_id: UUID, activity_id: UUID, day: date) -> RegisterOut:
        town = await self._town(tenant_id, activity_id)
        register = await self.registers.find(tenant_id, activity_id, day)
        return await self._view(town, activity_id, day, register)

    async def _view(
        self, town: TownContext, activity_id: UUID, day: date, register: Register | None
    ) -> RegisterOut:
        info = town.activities[activity_id]
        rows = await self.cells.of_activity_day(
            info.activity.tenant_id, activity_id, day, LINE_STATES
        )
        lines = [_line(cell, child) for cell, child in rows]
        return RegisterOut(
            register_id=register.id if register else None,
            activity_id=activity_id,
            activity_name=info.activity.name,
            site_name=info.site.name,
            day=day,
            status="closed" if register is not None and register.status == "closed" else "open",
            hourly=info.activity.billing_unit != BillingUnit.DAY.value,
            closed_at=register.closed_at if register else None,
            lines=lines,
            counts=dict(Counter(line.state for line in lines)),
        )

    async def _open_register(self, tenant_id: UUID, activity_id: UUID, day: date) -> Register:
        if day > today():
            raise IllegalChange("L'appel se fait le jour même ou après, pas à l'avance.")
        register = await self.registers.ensure(tenant_id, activity_id, day)
        if register.status == "closed":
            raise RegisterClosed("Ce registre est clos : rouvrez-le pour le corriger.")
        return register

    async def mark(
        self, actor: Actor, tenant_id: UUID, activity_id: UUID, day: date, data: MarksIn
    ) -> RegisterOut:
        town = await self._town(tenant_id, activity_id)
        register = await self._open_register(tenant_id, activity_id, day)
        ids = {m.cell_id for m in data.marks}
        cells = {c.id: c for c in await self.cells.live_for_update(tenant_id, ids)}
        wrong = [
            m.cell_id
            for m in data.marks
            if m.cell_id not in cells
            or cells[m.cell_id].activity_id != activity_id
            or cells[m.cell_id].day != day
            or CellState(cells[m.cell_id].state) not in LINE_STATES
        ]
        if wrong:
            raise IllegalChange(
                "Ces lignes ne sont pas dans le registre de ce jour.",
                cell_ids=[str(i) for i in wrong],
            )
        writer = CellWriter(writable(self.session), tenant_id, EventBatch())
        roll_call = Actor(actor.subject, ChangeOrigin.ROLL_CALL, staff=True)
        for mark in data.marks:
            cell = cells[mark.cell_id]
            current = CellState(cell.state)
            if mark.mark == "present":
                target = CellState.PRESENT
            elif current in (CellState.ABSENT_EXCUSED, CellState.ABSENT_UNEXCUSED):
                target = current  # the absence declared stays as it was
            else:
                target = CellState.ABSENT_UNEXCUSED
            cell.arrival = mark.arrival if target is CellState.PRESENT else None
            cell.departure = mark.departure if target is CellState.PRESENT else None
            if target is current:
                writer.update(cell, roll_call, "Appel")
            else:
                writer.move(cell, target, roll_call, "Appel", correction=current in OUTCOMES)
        await writer.flush()
        return await self._view(town, activity_id, day, register)

    async def unexpected(
        self, actor: Actor, tenant_id: UUID, activity_id: UUID, day: date, data: UnexpectedIn
    ) -> RegisterOut:
        """A child came without a booking: a cell booked and marked present at once."""
        town = await self._town(tenant_id, activity_id)
        register = await self._open_register(tenant_id, activity_id, day)
        child = await ChildViewRepository(self.session).get(tenant_id, data.child_id)
        if child is None or child.erased:
            raise UnknownChild("Cet enfant n'existe pas.")
        year = town.calendar.school_year_of(day)
        enrolment = None
        if year is not None:
            enrolment = await EnrolmentRepository(self.session).find(
                tenant_id, child.id, activity_id, year.id
            )
        if enrolment is None or enrolment.status != "approved":
            raise Conflict(
                f"{child.first_name} {child.last_name} n'est pas inscrit(e) à cette activité : "
                "inscrivez l'enfant d'abord."
            )
        existing = await self.cells.in_range(
            tenant_id,
            day,
            day,
            states=set(CellState) - {CellState.CANCELLED, CellState.REFUSED},
            activity_ids=[activity_id],
            child_ids=[child.id],
        )
        if existing:
            raise IllegalChange(
                "Cet enfant est déjà dans le registre (ou en attente) : pointez sa ligne."
            )
        writer = CellWriter(writable(self.session), tenant_id, EventBatch())
        roll_call = Actor(actor.subject, ChangeOrigin.ROLL_CALL, staff=True)
        group = enrolment.group_code if town.policy.uses_groups else ""
        now = timing.now()
        cell = writer.new_cell(
            BookingCell(
                tenant_id=tenant_id,
                household_id=child.household_id,
                child_id=child.id,
                activity_id=activity_id,
                enrolment_id=enrolment.id,
                day=day,
                group_code=group,
                state=CellState.REQUESTED.value,
                priority_class=enrolment.priority_class,
                requested_at=now,
                late=True,  # not booked: billed as a late booking where the town prices one
                origin=ChangeOrigin.ROLL_CALL.value,
                modified_by=actor.subject,
            ),
            roll_call,
            "Enfant non inscrit à ce jour, accueilli",
        )
        # The child is there: the place is taken even beyond the capacity.
        await writer.take(cell, town.limit(writer.key(cell)), force=True)
        writer.move(cell, CellState.BOOKED, roll_call, "Accueil sans réservation")
        cell.arrival, cell.departure = data.arrival, data.departure
        writer.move(cell, CellState.PRESENT, roll_call, "Appel")
        try:
            await writer.flush()
        except IntegrityError as exc:
            raise ConcurrentChange("Cet enfant vient d'être ajouté par ailleurs.") from exc
        return await self._view(town, activity_id, day, register)

    async def close(
        self, actor: Actor, tenant_id: UUID, activity_id: UUID, day: date, data: CloseIn
    ) -> RegisterOut:
        town = await self._town(tenant_id, activity_id)
        register = await self._open_register(tenant_id, activity_id, day)
        info = town.activities[activity_id]
        hourly = info.activity.billing_unit != BillingUnit.DAY.value
        cells = await self.cells.in_range(
            tenant_id, day, day, states=LINE_STATES, activity_ids=[activity_id], for_update=True
        )
        unmarked = [c for c in cells if c.state == CellState.BOOKED.value]
        if unmarked and not data.absent_unmarked:
            raise IllegalChange(
                f"{len(unmarked)} enfant(s) non pointé(s) : pointez-les ou notez-les absents.",
                cell_ids=[str(c.id) for c in unmarked],
            )
        missing_times = [
            c
            for c in cells
            if hourly
            and c.state == CellState.PRESENT.value
            and (c.arrival is None or c.departure is None)
        ]
        if missing_times:
            raise IllegalChange(
                f"Heure d'arrivée ou de départ manquante pour {len(missing_times)} enfant(s).",
                cell_ids=[str(c.id) for c in missing_times],
            )
        writer = CellWriter(writable(self.session), tenant_id, EventBatch())
        roll_call = Actor(actor.subject, ChangeOrigin.ROLL_CALL, staff=True)
        for cell in unmarked:
            writer.move(cell, CellState.ABSENT_UNEXCUSED, roll_call, "Non pointé à la clôture")
        await writer.flush()
        register.status = "closed"
        register.closed_at = timing.now()
        register.closed_by = actor.subject
        await self.registers.save(register)
        await record_event(
            writable(self.session),
            events,
            RegisterClosedEvent(
                cells=[fact(c) for c in cells],
                register_id=register.id,
                activity_id=activity_id,
                day=day,
            ),
            tenant_id=tenant_id,
            key=register.id,
        )
        return await self._view(town, activity_id, day, register)

    async def reopen(
        self, actor: Actor, tenant_id: UUID, activity_id: UUID, day: date
    ) -> RegisterOut:
        town = await self._town(tenant_id, activity_id)
        register = await self.registers.find(tenant_id, activity_id, day, lock=True)
        if register is None or register.status != "closed":
            raise IllegalChange("Ce registre n'est pas clos.")
        register.status = "open"
        register.reopened_times += 1
        await self.registers.save(register)
        await record_event(
            writable(self.session),
            events,
            RegisterReopened(register_id=register.id, activity_id=activity_id, day=day),
            tenant_id=tenant_id,
            key=register.id,
        )
        return await self._view(town, activity_id, day, register)


def _line(cell: BookingCell, child: ChildView | None) -> RegisterLine:
    return RegisterLine(
        cell_id=cell.id,
        version=cell.version,
        child_id=cell.child_id,
        household_id=cell.household_id,
        first_name=child.first_name if child else "",
        last_name=child.last_name if child else "",
        school=child.school if child else None,
        level=child.level if child else None,
        diet=child.diet if child else None,
        pai=child.pai if child else False,
        pick_up=list(child.pick_up) if child else [],
        state=cell.state,
        marked=cell.state != CellState.BOOKED.value,
        arrival=cell.arrival,
        departure=cell.departure,
        absence_reason=cell.absence_reason,
        late=cell.late,
    )


__all__ = ["RegisterService"]
