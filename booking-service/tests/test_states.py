"""The cell life cycle of BOOKING.md, and nothing else: every pair of states is checked."""

from __future__ import annotations

import itertools

import pytest

from marelle_booking.cells.states import IllegalTransition, correct, may_move, move
from marelle_contracts import CellState as S

ALLOWED = {
    (None, S.REQUESTED),
    (S.REQUESTED, S.BOOKED),
    (S.REQUESTED, S.WAITLISTED),
    (S.REQUESTED, S.REFUSED),
    (S.WAITLISTED, S.BOOKED),
    (S.WAITLISTED, S.REFUSED),
    (S.BOOKED, S.CANCELLED),
    (S.BOOKED, S.PRESENT),
    (S.BOOKED, S.ABSENT_EXCUSED),
    (S.BOOKED, S.ABSENT_UNEXCUSED),
}
ALL: list[S | None] = [None, *S]


@pytest.mark.parametrize(("current", "target"), list(itertools.product(ALL, list(S))))
def test_only_the_life_cycle_s_transitions_are_allowed(current: S | None, target: S) -> None:
    allowed = (current, target) in ALLOWED
    assert may_move(current, target) is allowed
    if allowed:
        assert move(current, target) is target
    else:
        with pytest.raises(IllegalTransition):
            move(current, target)


def test_cancelled_and_refused_are_final() -> None:
    for final in (S.CANCELLED, S.REFUSED):
        assert not any(may_move(final, target) for target in S)


OUTCOMES = [S.PRESENT, S.ABSENT_EXCUSED, S.ABSENT_UNEXCUSED]


@pytest.mark.parametrize(("current", "target"), list(itertools.product(list(S), list(S))))
def test_corrections_only_between_different_outcomes(current: S, target: S) -> None:
    if current in OUTCOMES and target in OUTCOMES and current is not target:
        assert correct(current, target) is target
    else:
        with pytest.raises(IllegalTransition):
            correct(current, target)
