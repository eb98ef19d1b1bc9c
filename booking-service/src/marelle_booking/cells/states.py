"""The booking cell's life cycle (BOOKING.md), and nothing else.

    (new) → requested
    requested  → booked | waitlisted | refused
    waitlisted → booked (a place freed up) | refused (withdrawn, or the day went by)
    booked     → cancelled | present | absent_excused | absent_unexcused

A waiting-list entry is a request still waiting for a place, so it leaves the list the ways a
request does. cancelled and refused are final: booking the same day again makes a new cell
(the old one stays as history, and billing keeps its last version).

Besides the life cycle, staff may *correct* an outcome among present / absent_excused /
absent_unexcused — at the roll call while the register is open, or when they validate or
reclassify a declared absence (proof received or not). Corrections are explicit (a separate
function, origin recorded) so an ordinary action can never reach them by accident.
"""

from __future__ import annotations

from collections.abc import Mapping

from marelle_contracts import CellState

LIFE_CYCLE: Mapping[CellState, frozenset[CellState]] = {
    CellState.REQUESTED: frozenset({CellState.BOOKED, CellState.WAITLISTED, CellState.REFUSED}),
    CellState.WAITLISTED: frozenset({CellState.BOOKED, CellState.REFUSED}),
    CellState.BOOKED: frozenset(
        {
            CellState.CANCELLED,
            CellState.PRESENT,
            CellState.ABSENT_EXCUSED,
            CellState.ABSENT_UNEXCUSED,
        }
    ),
    CellState.CANCELLED: frozenset(),
    CellState.REFUSED: frozenset(),
    CellState.PRESENT: frozenset(),
    CellState.ABSENT_EXCUSED: frozenset(),
    CellState.ABSENT_UNEXCUSED: frozenset(),
}

OUTCOMES = frozenset({CellState.PRESENT, CellState.ABSENT_EXCUSED, CellState.ABSENT_UNEXCUSED})
# The states in which a cell holds a place of the day's capacity.
HOLDS_A_PLACE = frozenset({CellState.BOOKED} | OUTCOMES)
# A cell in one of these states is the child's current cell for the day (one at most).
LIVE = frozenset(set(CellState) - {CellState.CANCELLED, CellState.REFUSED})
FINAL = frozenset({CellState.CANCELLED, CellState.REFUSED})


class IllegalTransition(Exception):
    def __init__(self, current: CellState | None, target: CellState) -> None:
        super().__init__(f"{current.value if current else 'new'} -> {target.value}")
        self.current = current
        self.target = target


def may_move(current: CellState | None, target: CellState) -> bool:
    if current is None:
        return target is CellState.REQUESTED
    return target in LIFE_CYCLE[current]


def move(current: CellState | None, target: CellState) -> CellState:
    """The next state of the life cycle, or IllegalTransition."""
    if not may_move(current, target):
        raise IllegalTransition(current, target)
    return target


def correct(current: CellState, target: CellState) -> CellState:
    """A staff correction of an outcome (roll call, absence validation)."""
    if current not in OUTCOMES or target not in OUTCOMES or current is target:
        raise IllegalTransition(current, target)
    return target
