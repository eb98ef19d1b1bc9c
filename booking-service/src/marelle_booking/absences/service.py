"""Declaring absences (families and staff), « Enfant malade aujourd'hui », validating them."""

from __future__ import annotations

from uuid import UUID

from marelle_booking import timing
from marelle_booking.absences.repository import AbsenceReasonRepository
from marelle_booking.absences.rules import ReasonRule, absence_outcome, proof_missing_outcome
from marelle_booking.absences.schemas import (
    AbsenceCell,
    AbsenceIn,
    AbsenceResult,
    ReasonIn,
    ValidationIn,
)
from marelle_booking.cells.context import ContextLoader
from marelle_booking.cells.facts import EventBatch
from marelle_booking.cells.repository import CellRepository
from marelle_booking.cells.states import OUTCOMES
from marelle_booking.cells.writer import Actor, CellWriter, today
from marelle_booking.deadlines.rules import RuleCannotBeMet, cutoff
from marelle_booking.models import AbsenceReason, BookingCell
from marelle_booking.problems import AbsenceRefused, ConcurrentChange, IllegalChange, UnknownChild
from marelle_booking.sessions import writable
from marelle_contracts import AbsenceCharge, AbsenceDeclared, AbsenceValidated, CellState
from marelle_kit.database import ReadSession, WriteSession
from marelle_kit.errors import NotFound

SICK_REASON = "raison_medicale"

# The reasons of the seeds (Ecolesoft's list), with the rules most towns apply; each town
# changes them in its settings (Lamagistère's waiting days, Le Crès' certificate...).
DEFAULT_REASONS: tuple[tuple[str, ReasonIn], ...] = (
    (SICK_REASON, ReasonIn(label="Raison médicale", proof_required=True, proof_days=7, position=1)),
    ("voyage_sortie_scolaire", ReasonIn(label="Voyage ou sortie scolaire", position=2)),
    ("absence_enseignant", ReasonIn(label="Absence de l'enseignant", position=3)),
    ("greve", ReasonIn(label="Grève du personnel ou des enseignants", position=4)),
    ("accident_circulation", ReasonIn(label="Accident de la circulation", position=5)),
    ("sequence_soutien", ReasonIn(label="Participation à une séquence de soutien", position=6)),
    ("force_majeure", ReasonIn(label="Cas de force majeure", position=7)),
    ("circonstances_exceptionnelles", ReasonIn(label="Circonstances exceptionnelles", position=8)),
    ("autres", ReasonIn(label="Autres", excused=False, charge=AbsenceCharge.BILLED, position=9)),
)


def rule_of(reason: AbsenceReason) -> ReasonRule:
    return ReasonRule(
        code=reason.code,
        excused=reason.excused,
        charge=AbsenceCharge(reason.charge),
        penalty_percent=reason.penalty_percent,
        proof_required=reason.proof_required,
        proof_days=reason.proof_days,
        waiting_days=reason.waiting_days,
        in_time_free=reason.in_time_free,
    )


class AbsenceService:
    def __init__(self, session: ReadSession) -> None:
        self.session = session
        self.reasons = AbsenceReasonRepository(session)
        self.cells = CellRepository(session)

    async def reasons_of(self, tenant_id: UUID) -> list[AbsenceReason]:
        """The tenant's reasons; the seeds' list the first time they are asked for."""
        found = await self.reasons.of_tenant(tenant_id)
        if found:
            return found
        defaults = [
            AbsenceReason(tenant_id=tenant_id, code=code, **data.model_dump(mode="json"))
            for code, data in DEFAULT_REASONS
        ]
        if isinstance(self.session, WriteSession):  # a read shows them, a change keeps them
            await self.reasons.save_all(defaults)
        return defaults

    async def set_reason(self, tenant_id: UUID, code: str, data: ReasonIn) -> AbsenceReason:
        await self.reasons_of(tenant_id)
        reason = await self.reasons.by_code(tenant_id, code) or AbsenceReason(
            tenant_id=tenant_id, code=code, label=""
        )
        for name, value in data.model_dump(mode="json").items():
            setattr(reason, name, value)
        return await self.reasons.add(reason)

    async def declare(
        self, actor: Actor, tenant_id: UUID, household_id: UUID, data: AbsenceIn
    ) -> AbsenceResult:
        reasons = {r.code: r for r in await self.reasons_of(tenant_id)}
        reason = reasons.get(data.reason)
        if reason is None or not reason.active or (reason.staff_only and not actor.staff):
            raise AbsenceRefused("Ce motif d'absence n'est pas proposé.")
        notice_day = today()
        if data.first_day < notice_day:
            raise AbsenceRefused(
                "Une absence se déclare pour aujourd'hui ou les jours à venir ; les jours passés "
                "sont relevés par l'appel."
            )
        context = await ContextLoader(self.session).household(
            tenant_id, household_id, data.first_day, data.last_day
        )
        if data.child_id not in context.children:
            raise UnknownChild("Cet enfant n'existe pas dans ce foyer.")
        wanted = set(data.activity_ids) if data.activity_ids is not None else None
        seen = [
            cell
            for (child_id, activity_id, _day), cell in sorted(
                context.live.items(), key=lambda i: (i[0][2], str(i[0][1]))
            )
            if child_id == data.child_id
            and cell.state == CellState.BOOKED.value
            and (wanted is None or activity_id in wanted)
        ]
        if not seen:
            raise AbsenceRefused("Aucun jour réservé pour cet enfant sur cette période.")
        locked = {
            c.id: c for c in await self.cells.live_for_update(tenant_id, {c.id for c in seen})
        }
        now = timing.now()
        batch = EventBatch()
        writer = CellWriter(writable(self.session), tenant_id, batch)
        rule = rule_of(reason)
        out = []
        for before in seen:
            cell = locked.get(before.id)
            if cell is None or cell.version != before.version:
                raise ConcurrentChange("Un de ces jours a changé entre-temps ; recommencez.")
            terms = context.activities[cell.activity_id].terms
            try:
                in_time = now < cutoff(terms.cancel_rule, cell.day, terms.days)
            except RuleCannotBeMet:
                in_time = False
            outcome = absence_outcome(rule, day=cell.day, notice_day=notice_day, in_time=in_time)
            cell.absence_reason = reason.code
            cell.absence_charge = outcome.charge.value
            cell.penalty_percent = outcome.penalty_percent
            cell.proof_due = outcome.proof_due
            cell.absence_pending = context.policy.absence_validation
            writer.move(cell, outcome.state, actor, data.note or reason.label)
            batch.add(AbsenceDeclared, cell)
            out.append(
                AbsenceCell(
                    cell_id=cell.id,
                    activity_id=cell.activity_id,
                    day=cell.day,
                    state=cell.state,
                    charge=outcome.charge,
                    penalty_percent=outcome.penalty_percent,
                    in_time=in_time,
                    pending=cell.absence_pending,
                    proof_due=outcome.proof_due,
                )
            )
        await writer.flush()
        await batch.record(writable(self.session), tenant_id)
        billed = sum(1 for c in out if c.charge is not AbsenceCharge.FREE)
        message = f"Absence enregistrée pour {len(out)} jour(s)"
        if billed:
            message += f", dont {billed} encore facturé(s)"
        if any(c.proof_due for c in out):
            due = min(c.proof_due for c in out if c.proof_due)
            message += f" ; justificatif à fournir avant le {due:%d/%m/%Y}"
        if context.policy.absence_validation:
            message += " ; le service validera l'absence"
        return AbsenceResult(cells=out, message=message + ".")

    async def sick_today(
        self, actor: Actor, tenant_id: UUID, household_id: UUID, child_id: UUID
    ) -> AbsenceResult:
        """« Enfant malade aujourd'hui »: every booked cell of the child today, medical reason."""
        reasons = {r.code: r for r in await self.reasons_of(tenant_id)}
        code = (
            SICK_REASON
            if SICK_REASON in reasons
            else next((r.code for r in reasons.values() if r.excused and not r.staff_only), None)
        )
        if code is None:
            raise AbsenceRefused("Aucun motif d'absence pour maladie n'est proposé.")
        day = today()
        return await self.declare(
            actor,
            tenant_id,
            household_id,
            AbsenceIn(
                child_id=child_id,
                first_day=day,
                last_day=day,
                reason=code,
                note="Enfant malade aujourd'hui",
            ),
        )

    async def pending(self, tenant_id: UUID, limit: int) -> list[BookingCell]:
        return await self.cells.pending_absences(tenant_id, limit=limit)

    async def validate(
        self, actor: Actor, tenant_id: UUID, data: ValidationIn
    ) -> list[BookingCell]:
        cells = await self.cells.live_for_update(tenant_id, set(data.cell_ids))
        if len(cells) != len(set(data.cell_ids)):
            raise NotFound("Un de ces jours n'existe pas.")
        wrong = [c for c in cells if CellState(c.state) not in OUTCOMES - {CellState.PRESENT}]
        if wrong:
            raise IllegalChange(
                "Ces jours ne sont pas des absences.", cell_ids=[str(c.id) for c in wrong]
            )
        batch = EventBatch()
        writer = CellWriter(writable(self.session), tenant_id, batch)
        now = timing.now()
        for cell in cells:
            cell.absence_pending = False
            if data.decision == "accept":
                if data.proof_received:
                    cell.proof_received_at = now
                writer.update(cell, actor, data.note or "Absence validée")
            else:
                outcome = proof_missing_outcome()
                cell.absence_charge = outcome.charge.value
                cell.penalty_percent = None
                cell.proof_due = None
                note = data.note or "Absence non retenue"
                if CellState(cell.state) is outcome.state:
                    writer.update(cell, actor, note)
                else:
                    writer.move(cell, outcome.state, actor, note, correction=True)
            batch.add(AbsenceValidated, cell)
        await writer.flush()
        await batch.record(writable(self.session), tenant_id)
        return cells
