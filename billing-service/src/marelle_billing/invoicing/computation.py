"""An invoice run's computation, pure: cells and pricing data in, draft invoices and the review
(errors, warnings, totals per activity and per bracket) out.

Cells arrive as plain tuples in household order (one query, no ORM objects): a run of 10,000
households prices about a million of them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal
from typing import Any, NamedTuple
from uuid import UUID

from marelle_billing.money import euros, line_cents
from marelle_billing.tariffs.engine import Pricer
from marelle_billing.tariffs.pricing import CellInput

# How many examples a review lists per problem (the counts are always complete).
EXAMPLES = 20


class CellRow(NamedTuple):
    """A cell as the repository reads it (the order of its columns)."""

    id: UUID
    household_id: UUID
    child_id: UUID
    activity_id: UUID
    day: date
    state: str
    late: bool
    absence_reason: str | None
    absence_charge: str | None
    penalty_percent: int | None
    arrival: time | None
    departure: time | None
    free_of_charge: bool


@dataclass
class DraftLine:
    child_id: UUID | None
    child_name: str
    activity_id: UUID | None
    activity_name: str
    tariff_id: UUID | None
    rule: str
    bracket: str | None
    fiscal_share: str
    unit_price: Decimal
    quantity: Decimal = Decimal(0)
    days: list[list[Any]] = field(default_factory=list)
    kind: str = "service"
    fixed_amount_cents: int | None = None  # a copied line keeps its amount

    @property
    def amount_cents(self) -> int:
        if self.fixed_amount_cents is not None:
            return self.fixed_amount_cents
        return line_cents(self.quantity, self.unit_price)


@dataclass
class DraftInvoice:
    household_id: UUID
    lines: list[DraftLine] = field(default_factory=list)
    carried_invoice_ids: list[UUID] = field(default_factory=list)

    @property
    def total_cents(self) -> int:
        return sum(line.amount_cents for line in self.lines)


@dataclass
class Problem:
    code: str
    message: str
    count: int = 0
    examples: list[str] = field(default_factory=list)

    def add(self, example: str) -> None:
        self.count += 1
        if len(self.examples) < EXAMPLES and example not in self.examples:
            self.examples.append(example)


@dataclass
class Review:
    errors: dict[str, Problem] = field(default_factory=dict)
    warnings: dict[str, Problem] = field(default_factory=dict)
    per_activity: dict[str, dict[str, int]] = field(default_factory=dict)
    per_bracket: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)
    cells_priced: int = 0
    cells_billed: int = 0

    def error(self, code: str, message: str, example: str) -> None:
        self.errors.setdefault(code, Problem(code, message)).add(example)

    def warning(self, code: str, message: str, example: str) -> None:
        self.warnings.setdefault(code, Problem(code, message)).add(example)


@dataclass
class Computation:
    invoices: dict[UUID, DraftInvoice]
    review: Review


def _line_key(
    child_id: UUID,
    activity_id: UUID,
    tariff_id: UUID,
    unit_price: Decimal,
    rule: str,
    bracket: str | None,
    fiscal_share: str,
) -> tuple[Any, ...]:
    return (child_id, activity_id, tariff_id, unit_price, rule, bracket, fiscal_share)


def compute_run(
    cells: Iterable[CellRow],
    pricer: Pricer,
    closed_registers: set[tuple[UUID, date]],
    known_households: set[UUID],
    *,
    same_day_siblings: bool,
) -> Computation:
    """Price every cell and group the billed parts into lines per household: one line per
    child, activity, tariff, unit price and rule, with its days and summed quantity."""
    review = Review()
    invoices: dict[UUID, DraftInvoice] = {}
    activities = pricer.data.activities
    children = pricer.data.children
    by_household: dict[UUID, list[CellRow]] = defaultdict(list)
    for cell in cells:
        by_household[cell.household_id].append(cell)

    for household_id, household_cells in by_household.items():
        if household_id not in known_households:
            review.error(
                "unknown-household",
                "Des réservations concernent un foyer inconnu de la facturation",
                str(household_id),
            )
            continue
        together: dict[tuple[UUID, date], list[UUID]] | None = None
        if same_day_siblings:
            together = defaultdict(list)
            for cell in household_cells:
                if cell.state in ("booked", "present") and not cell.free_of_charge:
                    together[(cell.activity_id, cell.day)].append(cell.child_id)
        lines: dict[tuple[Any, ...], DraftLine] = {}
        for cell in household_cells:
            review.cells_priced += 1
            activity = activities.get(cell.activity_id)
            if activity is None:
                review.error(
                    "unknown-activity",
                    "Des réservations concernent une activité inconnue de la facturation",
                    str(cell.activity_id),
                )
                continue
            closed = (
                activity.billing_mode != "on_attendance"
                or (cell.activity_id, cell.day) in closed_registers
            )
            priced = pricer.price(
                household_id,
                cell.child_id,
                cell.activity_id,
                cell.day,
                CellInput(
                    cell.state,
                    cell.late,
                    cell.absence_reason,
                    cell.absence_charge,
                    cell.penalty_percent,
                    cell.arrival,
                    cell.departure,
                    cell.free_of_charge,
                ),
                register_closed=closed,
                same_day_children=(
                    together.get((cell.activity_id, cell.day)) if together is not None else None
                ),
            )
            if priced.price.waiting_for_register:
                review.error(
                    "register-open",
                    "Registres de présence non clos (activité facturée au réel)",
                    f"{activity.name}, {cell.day:%d/%m/%Y}",
                )
                continue
            if priced.error is not None:
                review.error("no-tariff", "Réservations sans tarif", priced.error)
                continue
            if (
                activity.billing_mode == "on_attendance"
                and cell.state == "booked"
                and not cell.free_of_charge
            ):
                review.warning(
                    "booked-not-pointed",
                    "Réservations restées « réservé » dans un registre clos (non facturées)",
                    f"{activity.name}, {cell.day:%d/%m/%Y}",
                )
            if (
                activity.billing_unit != "day"
                and cell.state == "present"
                and (cell.arrival is None or cell.departure is None)
            ):
                review.warning(
                    "present-without-times",
                    "Présences sans heures d'arrivée et de départ (unités par défaut facturées)",
                    f"{activity.name}, {cell.day:%d/%m/%Y}",
                )
            if not priced.price.billed:
                continue
            review.cells_billed += 1
            tariff = priced.tariff
            assert tariff is not None
            child = children.get(cell.child_id)
            if child is None:
                review.warning(
                    "unknown-child",
                    "Enfants inconnus de la facturation (nom absent des lignes)",
                    str(cell.child_id),
                )
            for part in priced.price.parts:
                if part.rule.startswith("QF non fourni"):
                    review.warning(
                        "missing-qf",
                        "Foyers sans QF valide : tranche par défaut appliquée",
                        str(household_id),
                    )
                key = _line_key(
                    cell.child_id,
                    cell.activity_id,
                    tariff.id,
                    part.unit_price,
                    part.rule,
                    part.bracket,
                    priced.fiscal_share,
                )
                line = lines.get(key)
                if line is None:
                    line = lines[key] = DraftLine(
                        child_id=cell.child_id,
                        child_name=child.name if child is not None else "Enfant",
                        activity_id=cell.activity_id,
                        activity_name=activity.name,
                        tariff_id=tariff.id,
                        rule=part.rule,
                        bracket=part.bracket,
                        fiscal_share=priced.fiscal_share,
                        unit_price=part.unit_price,
                    )
                line.quantity += part.quantity
                line.days.append([cell.day.isoformat(), str(part.quantity)])
        if lines:
            ordered = sorted(
                lines.values(), key=lambda ln: (ln.child_name, ln.activity_name, ln.days[0][0])
            )
            invoices[household_id] = DraftInvoice(household_id, ordered)

    for invoice in invoices.values():
        for line in invoice.lines:
            _count(review, line)
    return Computation(invoices, review)


def _count(review: Review, line: DraftLine) -> None:
    amount = line.amount_cents
    activity = review.per_activity.setdefault(
        line.activity_name, {"amount_cents": 0, "lines": 0, "days": 0}
    )
    activity["amount_cents"] += amount
    activity["lines"] += 1
    activity["days"] += len(line.days)
    bracket = review.per_bracket.setdefault(
        (line.activity_name, line.bracket or "—"), {"amount_cents": 0, "days": 0}
    )
    bracket["amount_cents"] += amount
    bracket["days"] += len(line.days)


def add_carried_lines(
    computation: Computation, carried: Sequence[tuple[UUID, UUID, list[DraftLine]]]
) -> None:
    """Lines of invoices carried over from earlier runs (below their minimum) join the
    household's invoice of this run; (household id, carried invoice id, its lines)."""
    for household_id, invoice_id, lines in carried:
        invoice = computation.invoices.setdefault(household_id, DraftInvoice(household_id))
        invoice.lines = [*lines, *invoice.lines]
        invoice.carried_invoice_ids.append(invoice_id)
        for line in lines:
            _count(computation.review, line)


def review_document(
    computation: Computation,
    minimum_cents: int,
    previous: dict[UUID, int] | None,
    previous_per_activity: dict[str, int] | None,
    names: dict[UUID, str],
) -> dict[str, Any]:
    """The review as stored on the run and shown to staff (JSON)."""
    review = computation.review
    totals = {hid: inv.total_cents for hid, inv in computation.invoices.items()}
    issued = {hid: t for hid, t in totals.items() if t >= max(minimum_cents, 1) or t < 0}
    below = {hid: t for hid, t in totals.items() if hid not in issued and t > 0}
    if below:
        review.warning(
            "below-minimum",
            f"Montants inférieurs au minimum de facturation ({euros(minimum_cents, cents=True)}) :"
            " reportés sur la prochaine facture",
            "",
        )
        review.warnings["below-minimum"].count = len(below)
        review.warnings["below-minimum"].examples = [
            f"{names.get(hid, hid)} : {euros(t, cents=True)}"
            for hid, t in list(below.items())[:EXAMPLES]
        ]
    document: dict[str, Any] = {
        "errors": [_problem(p) for p in review.errors.values()],
        "warnings": [_problem(p) for p in review.warnings.values()],
        "invoices": len(issued),
        "carried_over": len(below),
        "carried_over_cents": sum(below.values()),
        "total_cents": sum(issued.values()),
        "cells_priced": review.cells_priced,
        "cells_billed": review.cells_billed,
        "per_activity": [
            {"activity": name, **values} for name, values in sorted(review.per_activity.items())
        ],
        "per_bracket": [
            {"activity": activity, "bracket": bracket, **values}
            for (activity, bracket), values in sorted(review.per_bracket.items())
        ],
    }
    if previous is not None:
        document["diff"] = _diff(issued, previous, previous_per_activity or {}, review, names)
    return document


def _problem(problem: Problem) -> dict[str, Any]:
    return {
        "code": problem.code,
        "message": problem.message,
        "count": problem.count,
        "examples": problem.examples,
    }


def _diff(
    current: dict[UUID, int],
    previous: dict[UUID, int],
    previous_per_activity: dict[str, int],
    review: Review,
    names: dict[UUID, str],
) -> dict[str, Any]:
    new = [hid for hid in current if hid not in previous]
    gone = [hid for hid in previous if hid not in current]
    changed = sorted(
        (
            (hid, previous[hid], total)
            for hid, total in current.items()
            if hid in previous and previous[hid] != total
        ),
        key=lambda item: -abs(item[2] - item[1]),
    )
    activities = sorted(set(previous_per_activity) | set(review.per_activity))
    return {
        "previous_total_cents": sum(previous.values()),
        "total_cents": sum(current.values()),
        "new_households": len(new),
        "households_not_invoiced_again": len(gone),
        "households_changed": len(changed),
        "largest_changes": [
            {
                "household_id": str(hid),
                "name": names.get(hid, ""),
                "previous_cents": before,
                "cents": after,
            }
            for hid, before, after in changed[:EXAMPLES]
        ],
        "per_activity": [
            {
                "activity": name,
                "previous_cents": previous_per_activity.get(name, 0),
                "cents": review.per_activity.get(name, {}).get("amount_cents", 0),
            }
            for name in activities
        ],
    }
