"""Periodic work of the booking-service's worker (until the kit's jobs runner lands):

- absences whose proof did not arrive by its due date become unexcused and billed
  (``booking.absence.validated``);
- waiting-list entries and requests of days gone by are refused (``booking.booking.refused``):
  the family learns no place came up.

Each pass is one transaction per job; a pass that fails is logged and retried at the next one.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from marelle_booking.absences.rules import proof_missing_outcome
from marelle_booking.cells.facts import EventBatch
from marelle_booking.cells.repository import CellRepository
from marelle_booking.cells.writer import Actor, CellWriter, today
from marelle_booking.models import BookingCell
from marelle_contracts import AbsenceValidated, BookingRefused, CellState, ChangeOrigin
from marelle_kit.runtime import ServiceRuntime

log = logging.getLogger(__name__)

JOBS_ACTOR = Actor("tâche automatique", ChangeOrigin.STAFF, staff=True)
DAY_PASSED = "Le jour est passé sans qu'une place se libère."
PROOF_MISSING = "Justificatif non reçu dans le délai"
INTERVAL_SECONDS = 600.0


def _by_tenant(cells: list[BookingCell]) -> dict[object, list[BookingCell]]:
    grouped: dict[object, list[BookingCell]] = {}
    for cell in cells:
        grouped.setdefault(cell.tenant_id, []).append(cell)
    return grouped


async def expire_overdue_proofs(session: AsyncSession, day: date) -> int:
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


async def refuse_past_waiting(session: AsyncSession, day: date) -> int:
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


async def run_once(runtime: ServiceRuntime) -> dict[str, int]:
    done = {}
    for name, job in (("proofs", expire_overdue_proofs), ("waiting", refuse_past_waiting)):
        async with runtime.database.transaction() as session:
            done[name] = await job(session, today())
    runtime.outbox_committed()
    return done


async def run_jobs(runtime: ServiceRuntime) -> None:
    while True:
        try:
            done = await run_once(runtime)
            if any(done.values()):
                log.info("booking jobs: %s", done)
        except Exception:
            log.exception("booking jobs failed; retrying at the next pass")
        await asyncio.sleep(INTERVAL_SECONDS)
