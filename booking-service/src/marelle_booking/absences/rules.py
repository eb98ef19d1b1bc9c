"""What a declared absence costs: the tenant's reason, the deadline, the waiting days.

BOOKING.md: each reason says whether it is excused, whether a proof is required (within how
many days), its billing effect (free, billed, penalty %) and its waiting days («jours de
carence»: the day of notice and the next ones are still billed, e.g. Lamagistère's three).
In time (before the cell's cancellation cut-off) an absence is free unless the reason says
otherwise. Booking decides the charge; billing prices it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from marelle_contracts import AbsenceCharge, CellState


@dataclass(frozen=True)
class ReasonRule:
    code: str
    excused: bool
    charge: AbsenceCharge
    penalty_percent: int | None = None
    proof_required: bool = False
    proof_days: int | None = None
    # The day of notice counts as the first: 3 = the day of notice and the next two are billed.
    waiting_days: int = 0
    # An absence declared before the cancellation cut-off is free, unless this is False.
    in_time_free: bool = True


@dataclass(frozen=True)
class AbsenceOutcome:
    state: CellState
    charge: AbsenceCharge
    penalty_percent: int | None
    proof_due: date | None


def absence_outcome(
    reason: ReasonRule, *, day: date, notice_day: date, in_time: bool
) -> AbsenceOutcome:
    """The state and charge of a booked ``day`` declared absent on ``notice_day``."""
    state = CellState.ABSENT_EXCUSED if reason.excused else CellState.ABSENT_UNEXCUSED
    proof_due = (
        notice_day + timedelta(days=reason.proof_days or 0) if reason.proof_required else None
    )
    if in_time and reason.in_time_free:
        charge, percent = AbsenceCharge.FREE, None
    elif reason.waiting_days > 0 and day < notice_day + timedelta(days=reason.waiting_days):
        charge, percent = AbsenceCharge.BILLED, None
    else:
        charge = reason.charge
        percent = reason.penalty_percent if charge is AbsenceCharge.PENALTY else None
    return AbsenceOutcome(state=state, charge=charge, penalty_percent=percent, proof_due=proof_due)


def proof_missing_outcome() -> AbsenceOutcome:
    """The proof did not arrive in time (or staff rejected it): unexcused, billed."""
    return AbsenceOutcome(
        state=CellState.ABSENT_UNEXCUSED,
        charge=AbsenceCharge.BILLED,
        penalty_percent=None,
        proof_due=None,
    )
