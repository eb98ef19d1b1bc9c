"""Periodic jobs of the booking-service (marelle_kit.jobs):

- absences whose proof did not arrive by its due date become unexcused and billed
  (``booking.absence.validated``);
- waiting-list entries and requests of days gone by are refused (``booking.booking.refused``):
  the family learns no place came up.

Each run is one transaction, idempotent (it only picks rows still in the state it changes, locked),
so a run repeated after a crash or overlapping another does no harm; a failed run is logged and
the next tick tries again.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from marelle_booking.absences.rules import proof_missing_outcome
from marelle_booking.cells.facts import EventBatch
from marelle_booking.cells.repository import CellRepository
from marelle_booking.cells.writer import Actor, CellWriter, today
from marelle_booking.models import BookingCell
from marelle_contracts import AbsenceValidated, BookingRefused, CellState, ChangeOrigin
from marelle_kit.database import WriteSession
from marelle_kit.jobs import JobContext, periodic

log = logging.getLogger(__name__)

JOBS_ACTOR = Actor("tâche automatique", ChangeOrigin.STAFF, staff=True)
DAY_PASSED = "Le jour est passé sans qu'une place se libère."
PROOF_MISSING = "Justificatif non reçu dans le délai"
INTERVAL = timedelta(minutes=10)


def _by_tenant(cells: list[BookingCell]) -> dict[object, list[BookingCell]]:
    grouped: dict[object, list[BookingCell]] = {}
    for cell in cells:
        grouped.setdefault(cell.tenant_id, []).append(cell)
    return grouped


async def expire_overdue_proofs(session: WriteSession, day: date) -> int:
    cells = await CellRepository(session).with_proof_overdue(day)
    outcome = proof_missing_outcome()
    for group in _by_tenant(cells).values():
        batch = EventBatch()
        writer = CellWriter(session, group[0].tenant_id, batch)
        for cell in group:
            cell.absence_charge = outcome.charge.value
            cell.penalty_percent = None
            cell.proof_due = None
            cell.absence_pending = False
            if CellState(cell.state) is outcome.state:
                writer.update(cell, JOBS_ACTOR, PROOF_MISSING)
            else:
                writer.move(cell, outcome.state, JOBS_ACTOR, PROOF_MISSING, correction=True)
            batch.add(AbsenceValidated, cell)
        await writer.flush()
        await batch.record(session, group[0].tenant_id)
    return len(cells)


async def refuse_past_waiting(session: WriteSession, day: date) -> int:
    cells = await CellRepository(session).waiting_past(day)
    for group in _by_tenant(cells).values():
        batch = EventBatch()
        writer = CellWriter(session, group[0].tenant_id, batch)
        for cell in group:
            writer.move(cell, CellState.REFUSED, JOBS_ACTOR, DAY_PASSED)
            batch.add(BookingRefused, cell, reason=DAY_PASSED)
        await writer.flush()
        await batch.record(session, group[0].tenant_id)
    return len(cells)


@periodic("booking.expire-proofs", every=INTERVAL)
async def expire_proofs_job(ctx: JobContext) -> None:
    async with ctx.transaction() as session:
        done = await expire_overdue_proofs(session, today())
    if done:
        log.info("booking: %d absence(s) without proof made unexcused", done)


@periodic("booking.refuse-past-waiting", every=INTERVAL)
async def refuse_past_waiting_job(ctx: JobContext) -> None:
    async with ctx.transaction() as session:
        done = await refuse_past_waiting(session, today())
    if done:
        log.info("booking: %d waiting entry(ies) of past days refused", done)


JOBS = (expire_proofs_job, refuse_past_waiting_job)
