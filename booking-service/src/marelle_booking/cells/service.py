"""Booking and cancelling cells in batches: the week grid's PUT, bulk booking, staff override.

One computation serves the preview and the real thing: every change is answered by the pure
rules (cells/rules.py) over the household's context; a strict batch (the grid) is refused as a
whole when one change is, a lenient one (bulk) applies what it can and reports the rest. A dry
run simulates the places from the counters it read and writes nothing; a real run takes each
place with one conditional upsert, so the preview is what is applied unless another family
took the place in between (then the cell goes to the waiting list, as the preview would have
said a moment later).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from sqlalchemy.exc import IntegrityError

from marelle_booking import timing
from marelle_booking.calendars.days import days_between
from marelle_booking.cells.context import ContextLoader, HouseholdContext
from marelle_booking.cells.facts import EventBatch
from marelle_booking.cells.repository import CapacityKey, CellRepository
from marelle_booking.cells.rules import Answer, Refusal, late_message, may_book, may_cancel
from marelle_booking.cells.schemas import (
    BatchResult,
    BulkIn,
    CellChangeIn,
    CellOutcome,
    Reason,
)
from marelle_booking.cells.writer import Actor, CellWriter, today
from marelle_booking.deadlines.rules import RuleCannotBeMet, cutoff
from marelle_booking.models import BookingCell
from marelle_booking.problems import (
    CellsRefused,
    ConcurrentChange,
    IllegalChange,
    LateNotAccepted,
    UnknownActivity,
    UnknownChild,
)
from marelle_booking.sessions import writable
from marelle_contracts import (
    BookingCancelled,
    BookingMade,
    BookingRefused,
    BookingWaitlisted,
    CellState,
)
from marelle_kit.database import ReadSession
from marelle_kit.errors import NotFound

WITHDRAWN = "Demande retirée par la famille."
REPLACEABLE = (CellState.BOOKED, CellState.REQUESTED, CellState.WAITLISTED)
DECLINED = "Place déclinée par la famille."


@dataclass(frozen=True)
class Options:
    """How a batch is applied."""

    strict: bool  # all or nothing (the grid) or what can be (bulk)
    accept_late: bool
    dry_run: bool = False
    override: bool = False  # staff past deadlines and past days
    waive_late_fee: bool = False
    note: str | None = None


@dataclass
class _Plan:
    change: CellChangeIn
    answer: Answer
    group_code: str


def _key(change: CellChangeIn, group_code: str) -> CapacityKey:
    return (change.activity_id, change.day, group_code)


class BookingService:
    def __init__(self, session: ReadSession) -> None:
        self.session = session
        self.cells = CellRepository(session)

    async def apply(
        self,
        tenant_id: UUID,
        household_id: UUID,
        changes: list[CellChangeIn],
        actor: Actor,
        options: Options,
    ) -> BatchResult:
        first = min(c.day for c in changes)
        last = max(c.day for c in changes)
        context = await ContextLoader(self.session).household(
            tenant_id,
            household_id,
            first,
            last,
            extra_activity_ids={c.activity_id for c in changes},
        )
        for change in changes:
            if change.child_id not in context.children:
                raise UnknownChild(
                    "Cet enfant n'existe pas dans ce foyer.", child_id=str(change.child_id)
                )
            if change.activity_id not in context.activities:
                raise UnknownActivity(
                    "Cette activité n'existe pas.", activity_id=str(change.activity_id)
                )
        now = timing.now()
        plans, outcomes = self._plan(context, changes, now, options)
        refused = [o for o in outcomes.values() if o.outcome == "refused"]
        if options.strict and refused:
            late_only = all(o.reason and o.reason.code == "late-not-accepted" for o in refused)
            problem = LateNotAccepted if late_only else CellsRefused
            raise problem(
                _refusal_detail(refused, late_only),
                cells=[
                    o.model_dump(
                        mode="json", include={"child_id", "activity_id", "day", "action", "reason"}
                    )
                    for o in refused
                ],
            )
        batch = EventBatch()
        writer = CellWriter(writable(self.session), tenant_id, batch)
        if options.dry_run:
            await self._simulate(context, plans, outcomes, actor)
        else:
            await self._execute(context, plans, outcomes, actor, options, writer, now)
            await writer.flush()
            await batch.record(writable(self.session), tenant_id)
        ordered = [outcomes[(c.child_id, c.activity_id, c.day)] for c in changes]
        return BatchResult(outcomes=ordered, counts=dict(Counter(o.outcome for o in ordered)))

    def _plan(
        self,
        context: HouseholdContext,
        changes: list[CellChangeIn],
        now: datetime,
        options: Options,
    ) -> tuple[list[_Plan], dict[tuple[UUID, UUID, date], CellOutcome]]:
        plans: list[_Plan] = []
        outcomes: dict[tuple[UUID, UUID, date], CellOutcome] = {}
        for change in changes:
            slot = context.slot(change.child_id, change.activity_id, change.day)
            if change.action == "book":
                answer = may_book(slot, now, override=options.override)
            else:
                answer = may_cancel(slot, now, override=options.override)
            key = (change.child_id, change.activity_id, change.day)
            base = {
                "child_id": change.child_id,
                "activity_id": change.activity_id,
                "day": change.day,
                "action": change.action,
            }
            if not answer.allowed:
                assert answer.refusal is not None
                outcomes[key] = CellOutcome(
                    **base, outcome="refused", late=answer.late, reason=_reason(answer.refusal)
                )
                continue
            late = answer.late and not (options.override and options.waive_late_fee)
            if late and not options.accept_late and not options.override:
                terms = context.activities[change.activity_id].terms
                outcomes[key] = CellOutcome(
                    **base,
                    outcome="refused",
                    late=True,
                    reason=Reason(
                        code="late-not-accepted", message=late_message(change.action, terms)
                    ),
                )
                continue
            plans.append(
                _Plan(
                    change=change,
                    answer=Answer(True, None, late, answer.cutoff),
                    group_code=context.group_of(change.child_id, change.activity_id, change.day),
                )
            )
        # Places are taken in one order (activity, day, group), cancellations first, so two
        # batches never wait on each other's counters crosswise.
        plans.sort(
            key=lambda p: (
                str(p.change.activity_id),
                p.change.day,
                p.group_code,
                p.change.action != "cancel",
                str(p.change.child_id),
            )
        )
        return plans, outcomes

    async def _simulate(
        self,
        context: HouseholdContext,
        plans: list[_Plan],
        outcomes: dict[tuple[UUID, UUID, date], CellOutcome],
        actor: Actor,
    ) -> None:
        keys = {_key(p.change, p.group_code) for p in plans}
        waiting = await self.cells.waiting_counts(context.tenant_id, keys)
        left: dict[CapacityKey, int | None] = {k: context.available(k) for k in keys}
        for plan in plans:
            change, key = plan.change, _key(plan.change, plan.group_code)
            terms = context.activities[change.activity_id].terms
            base = {
                "child_id": change.child_id,
                "activity_id": change.activity_id,
                "day": change.day,
                "action": change.action,
                "late": plan.answer.late,
            }
            cell = context.live.get((change.child_id, change.activity_id, change.day))
            if change.action == "cancel":
                assert cell is not None
                if CellState(cell.state) is CellState.BOOKED:
                    if waiting.get(key, 0) > 0:
                        waiting[key] -= 1
                    elif left[key] is not None:
                        left[key] = (left[key] or 0) + 1
                    outcomes[(change.child_id, change.activity_id, change.day)] = CellOutcome(
                        **base, outcome="cancelled", cell_id=cell.id
                    )
                else:
                    outcomes[(change.child_id, change.activity_id, change.day)] = CellOutcome(
                        **base, outcome="withdrawn", cell_id=cell.id
                    )
                continue
            if terms.booking_approval and not actor.staff:
                outcome = "requested"
            elif left[key] is None or (left[key] or 0) > 0:
                if left[key] is not None:
                    left[key] = (left[key] or 0) - 1
                outcome = "booked"
            else:
                outcome = "waitlisted"
            outcomes[(change.child_id, change.activity_id, change.day)] = CellOutcome(
                **base, outcome=outcome
            )

    async def _execute(
        self,
        context: HouseholdContext,
        plans: list[_Plan],
        outcomes: dict[tuple[UUID, UUID, date], CellOutcome],
        actor: Actor,
        options: Options,
        writer: CellWriter,
        now: datetime,
    ) -> None:
        cancel_ids = {
            context.live[(p.change.child_id, p.change.activity_id, p.change.day)].id
            for p in plans
            if p.change.action == "cancel"
        }
        locked = {c.id: c for c in await self.cells.live_for_update(context.tenant_id, cancel_ids)}
        note = options.note if options.override else None
        if options.override and note is None:
            note = "Dérogation aux délais"
        the_day = today(now)
        for plan in plans:
            change, key = plan.change, _key(plan.change, plan.group_code)
            base = {
                "child_id": change.child_id,
                "activity_id": change.activity_id,
                "day": change.day,
                "action": change.action,
                "late": plan.answer.late,
            }
            slot_key = (change.child_id, change.activity_id, change.day)
            if change.action == "cancel":
                seen = context.live[slot_key]
                cell = locked.get(seen.id)
                if cell is None or cell.version != seen.version or cell.state != seen.state:
                    raise ConcurrentChange(
                        "Ce jour a été modifié entre-temps ; rechargez la semaine et recommencez.",
                        cell_id=str(seen.id),
                    )
                if CellState(cell.state) is CellState.BOOKED:
                    cell.late = plan.answer.late
                    writer.move(cell, CellState.CANCELLED, actor, note)
                    writer.batch.add(BookingCancelled, cell)
                    await writer.release(cell)
                    await writer.grant_next(key, context.limit(key), the_day)
                    outcomes[slot_key] = CellOutcome(
                        **base, outcome="cancelled", cell_id=cell.id, version=cell.version
                    )
                else:
                    writer.move(cell, CellState.REFUSED, actor, WITHDRAWN)
                    writer.batch.add(BookingRefused, cell, reason=WITHDRAWN)
                    outcomes[slot_key] = CellOutcome(
                        **base, outcome="withdrawn", cell_id=cell.id, version=cell.version
                    )
                context.add_cell(cell)
                continue
            info = context.activities[change.activity_id]
            enrolment = context.enrolment_for(change.child_id, change.activity_id, change.day)
            assert enrolment is not None
            cell = writer.new_cell(
                BookingCell(
                    tenant_id=context.tenant_id,
                    household_id=context.household_id,
                    child_id=change.child_id,
                    activity_id=change.activity_id,
                    enrolment_id=enrolment.id,
                    day=change.day,
                    group_code=plan.group_code,
                    state=CellState.REQUESTED.value,
                    late=plan.answer.late,
                    priority_class=enrolment.priority_class,
                    requested_at=now,
                    book_cutoff=plan.answer.cutoff,
                    cancel_cutoff=_cancel_cutoff(context, change),
                    origin=actor.origin.value,
                    modified_by=actor.subject,
                ),
                actor,
                note,
            )
            if info.terms.booking_approval and not actor.staff:
                outcome = "requested"
                writer.batch.add(BookingMade, cell)
            elif await writer.take(cell, context.limit(key)):
                writer.move(cell, CellState.BOOKED, actor, note)
                writer.batch.add(BookingMade, cell)
                outcome = "booked"
            else:
                writer.move(cell, CellState.WAITLISTED, actor, note)
                writer.batch.add(BookingWaitlisted, cell)
                outcome = "waitlisted"
            try:
                await writer.flush()
            except IntegrityError as exc:
                raise ConcurrentChange(
                    "Ce jour vient d'être réservé par ailleurs ; rechargez la semaine.",
                    child_id=str(change.child_id),
                    day=change.day.isoformat(),
                ) from exc
            context.add_cell(cell)
            outcomes[slot_key] = CellOutcome(
                **base, outcome=outcome, cell_id=cell.id, version=cell.version
            )

    async def bulk(
        self, tenant_id: UUID, household_id: UUID, data: BulkIn, actor: Actor, *, dry_run: bool
    ) -> BatchResult:
        """« Réserver en masse »: the changes the form means, applied leniently."""
        changes = await self.bulk_changes(tenant_id, household_id, data)
        if not changes:
            return BatchResult(outcomes=[], counts={})
        return await self.apply(
            tenant_id,
            household_id,
            changes,
            actor,
            Options(strict=False, accept_late=data.accept_late, dry_run=dry_run),
        )

    async def bulk_changes(
        self, tenant_id: UUID, household_id: UUID, data: BulkIn
    ) -> list[CellChangeIn]:
        context = await ContextLoader(self.session).household(
            tenant_id,
            household_id,
            data.first_day,
            data.last_day,
            extra_activity_ids={data.activity_id},
        )
        if data.activity_id not in context.activities:
            raise UnknownActivity("Cette activité n'existe pas.")
        unknown = [c for c in data.child_ids if c not in context.children]
        if unknown:
            raise UnknownChild("Cet enfant n'existe pas dans ce foyer.", child_id=str(unknown[0]))
        weekdays = set(data.weekdays)
        changes: list[CellChangeIn] = []
        # The period starts today at the earliest: past days are not what the form means.
        first = max(data.first_day, today())
        for child_id in data.child_ids:
            for day in days_between(first, data.last_day):
                live = context.live.get((child_id, data.activity_id, day))
                wanted = day.isoweekday() in weekdays
                if wanted and live is None and _meant(context, data.activity_id, day):
                    changes.append(
                        CellChangeIn(
                            child_id=child_id, activity_id=data.activity_id, day=day, action="book"
                        )
                    )
                elif (
                    not wanted
                    and data.mode == "replace"
                    and live is not None
                    and CellState(live.state) in REPLACEABLE
                ):
                    changes.append(
                        CellChangeIn(
                            child_id=child_id,
                            activity_id=data.activity_id,
                            day=day,
                            action="cancel",
                        )
                    )
        return changes

    async def decline(
        self, tenant_id: UUID, household_id: UUID, cell_id: UUID, actor: Actor
    ) -> BookingCell:
        """A family declines the place the waiting list just gave it: free of charge."""
        cells = await self.cells.live_for_update(tenant_id, [cell_id])
        cell = cells[0] if cells else None
        if cell is None or cell.household_id != household_id:
            raise NotFound("Ce jour n'existe pas.")
        if CellState(cell.state) is not CellState.BOOKED or cell.granted_at is None:
            raise IllegalChange(
                "Seule une place attribuée par la liste d'attente peut être déclinée."
            )
        if cell.day < today():
            raise IllegalChange("Ce jour est passé.")
        batch = EventBatch()
        writer = CellWriter(writable(self.session), tenant_id, batch)
        cell.free_of_charge = True
        writer.move(cell, CellState.CANCELLED, actor, DECLINED)
        batch.add(BookingCancelled, cell)
        await writer.release(cell)
        town = await ContextLoader(self.session).town(tenant_id, [cell.activity_id])
        await writer.grant_next(writer.key(cell), town.limit(writer.key(cell)), today())
        await writer.flush()
        await batch.record(writable(self.session), tenant_id)
        return cell


def _meant(context: HouseholdContext, activity_id: UUID, day: date) -> bool:
    """Bulk booking skips the days the activity does not open (holidays, other weekdays):
    the family did not mean them. Days outside the school year stay, refused with why."""
    if context.calendar.school_year_of(day) is None:
        return True
    return context.activities[activity_id].terms.days.is_opening_day(day)


def _cancel_cutoff(context: HouseholdContext, change: CellChangeIn) -> datetime | None:
    terms = context.activities[change.activity_id].terms
    try:
        return cutoff(terms.cancel_rule, change.day, terms.days)
    except RuleCannotBeMet:
        return None


def _reason(refusal: Refusal) -> Reason:
    return Reason(code=refusal.code, message=refusal.message)


def _refusal_detail(refused: list[CellOutcome], late_only: bool) -> str:
    if late_only:
        return (
            "Ces changements sont hors délai et seront facturés au tarif hors délai : "
            "confirmez-les (accept_late) pour les enregistrer."
        )
    first = refused[0].reason.message if refused[0].reason else ""
    more = f" (et {len(refused) - 1} autre(s))" if len(refused) > 1 else ""
    return f"Rien n'a été enregistré : {first}{more}"


__all__ = ["BookingService", "Options"]
