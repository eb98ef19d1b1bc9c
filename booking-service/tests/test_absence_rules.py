"""What an absence costs: the reason, the deadline, the waiting days (towns' rules)."""

from __future__ import annotations

from datetime import date

from marelle_booking.absences.rules import ReasonRule, absence_outcome, proof_missing_outcome
from marelle_contracts import AbsenceCharge, CellState

MONDAY = date(2027, 1, 18)
OTHER = ReasonRule(code="autres", excused=False, charge=AbsenceCharge.BILLED)


def days(n: int) -> list[date]:
    return [date.fromordinal(MONDAY.toordinal() + i) for i in range(n)]


def test_in_time_an_absence_is_free_whatever_the_reason() -> None:
    outcome = absence_outcome(OTHER, day=MONDAY, notice_day=date(2027, 1, 15), in_time=True)
    assert outcome.charge is AbsenceCharge.FREE
    assert outcome.state is CellState.ABSENT_UNEXCUSED


def test_late_the_reason_decides() -> None:
    outcome = absence_outcome(OTHER, day=MONDAY, notice_day=MONDAY, in_time=False)
    assert (outcome.state, outcome.charge) == (CellState.ABSENT_UNEXCUSED, AbsenceCharge.BILLED)


def test_a_reason_may_bill_even_in_time() -> None:
    strict = ReasonRule(code="x", excused=True, charge=AbsenceCharge.BILLED, in_time_free=False)
    outcome = absence_outcome(strict, day=MONDAY, notice_day=date(2027, 1, 10), in_time=True)
    assert outcome.charge is AbsenceCharge.BILLED


def test_a_penalty_carries_its_percent() -> None:
    penalty = ReasonRule(code="x", excused=False, charge=AbsenceCharge.PENALTY, penalty_percent=50)
    outcome = absence_outcome(penalty, day=MONDAY, notice_day=MONDAY, in_time=False)
    assert (outcome.charge, outcome.penalty_percent) == (AbsenceCharge.PENALTY, 50)


def test_lamagistere_the_day_of_notice_and_the_next_two_are_still_billed() -> None:
    sick = ReasonRule(
        code="maladie", excused=True, charge=AbsenceCharge.FREE, waiting_days=3, in_time_free=False
    )
    charges = [
        absence_outcome(sick, day=d, notice_day=MONDAY, in_time=False).charge for d in days(5)
    ]
    billed, free = AbsenceCharge.BILLED, AbsenceCharge.FREE
    assert charges == [billed, billed, billed, free, free]


def test_le_cres_certified_illness_and_strike_are_free() -> None:
    illness = ReasonRule(
        code="maladie_certificat",
        excused=True,
        charge=AbsenceCharge.FREE,
        proof_required=True,
        proof_days=3,
    )
    strike = ReasonRule(code="greve", excused=True, charge=AbsenceCharge.FREE)
    sick = absence_outcome(illness, day=MONDAY, notice_day=MONDAY, in_time=False)
    assert (sick.charge, sick.proof_due) == (AbsenceCharge.FREE, date(2027, 1, 21))
    assert absence_outcome(strike, day=MONDAY, notice_day=MONDAY, in_time=False).charge is (
        AbsenceCharge.FREE
    )


def test_no_proof_means_unexcused_and_billed() -> None:
    outcome = proof_missing_outcome()
    assert (outcome.state, outcome.charge) == (CellState.ABSENT_UNEXCUSED, AbsenceCharge.BILLED)
