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
from marelle_billing.tariffs.engine import ActivityInfo, HouseholdInfo, Pricer, TariffVersion
from marelle_billing.tariffs.pricing import (
    MISSING_QF,
    CellInput,
    PricedPart,
    PricingFacts,
    price_cell,
    sibling_ranks,
)

# How many examples a review lists per problem (the counts are always complete).
EXAMPLES = 20


class CellGroup(NamedTuple):
    """Cells of one child and activity with the same facts, and their days (the repository
    groups them: a month of identical bookings is one row, not twenty)."""

    household_id: UUID
    child_id: UUID
    activity_id: UUID
    state: str
    late: bool
    absence_reason: str | None
    absence_charge: str | None
    penalty_percent: int | None
    arrival: time | None
    departure: time | None
    free_of_charge: bool
    days: Sequence[date]


def group_cells(rows: Iterable[Sequence[Any]]) -> list[CellGroup]:
    """Rows (household, child, activity, the eight facts, day) grouped as the database does."""
    groups: dict[tuple[Any, ...], list[date]] = {}
    for row in rows:
        groups.setdefault(tuple(row[:11]), []).append(row[11])
    return sorted(
        (CellGroup._make((*key, sorted(days))) for key, days in groups.items()),
        key=lambda group: str(group.household_id),
    )


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
    groups: Iterable[Sequence[Any]],
    pricer: Pricer,
    closed_registers: set[tuple[UUID, date]],
    known_households: set[UUID],
    *,
    same_day_siblings: bool,
) -> Computation:
    """Price every cell and group the billed parts into lines per household: one line per
    child, activity, tariff, unit price and rule, with its days and summed quantity.

    ``groups`` are CellGroup rows (tuples or database records). Cells priced alike (same
    tariff, QF, rank and facts) are priced once: the loop over days does dictionary look-ups
    on plain tuples, so a million cells take seconds."""
    review = Review()
    invoices: dict[UUID, DraftInvoice] = {}
    data = pricer.data
    activities = data.activities
    children = data.children
    by_household: dict[UUID, list[Sequence[Any]]] = defaultdict(list)
    for group in groups:
        by_household[group[0]].append(group)
    priced_cache: dict[tuple[Any, ...], _Priced] = {}
    iso: dict[date, str] = {}

    for household_id, household_groups in by_household.items():
        if household_id not in known_households:
            review.error(
                "unknown-household",
                "Des réservations concernent un foyer inconnu de la facturation",
                str(household_id),
            )
            continue
        household = data.households.get(household_id) or HouseholdInfo(household_id, None)
        category = household.category
        quotients: dict[date, int | None] = {}
        together: dict[tuple[UUID, date], list[UUID]] | None = None
        if same_day_siblings:
            together = defaultdict(list)
            for group in household_groups:
                if group[3] in ("booked", "present") and not group[10]:
                    for day in group[11]:
                        together[(group[2], day)].append(group[1])
        lines: dict[tuple[Any, ...], DraftLine] = {}
        missing_qf = False
        for group in household_groups:
            child_id, activity_id, state = group[1], group[2], group[3]
            facts = tuple(group[3:11])
            days = group[11]
            review.cells_priced += len(days)
            activity = activities.get(activity_id)
            if activity is None:
                review.error(
                    "unknown-activity",
                    "Des réservations concernent une activité inconnue de la facturation",
                    str(activity_id),
                )
                continue
            attendance = activity.billing_mode == "on_attendance"
            not_pointed = attendance and state == "booked" and not group[10]
            without_times = (
                activity.billing_unit != "day"
                and state == "present"
                and (group[8] is None or group[9] is None)
            )
            maybe_billed = state not in ("requested", "waitlisted", "refused", "cancelled")
            maybe_billed = maybe_billed or bool(group[4])
            sibling_of: dict[UUID, tuple[int, int]] = {}
            # What varies from one day to the next is the tariff, the QF, the register: the
            # group's own cache keys on those only; the run's cache on everything.
            group_prices: dict[tuple[Any, ...], _Priced] = {}
            group_lines: dict[tuple[int, int], DraftLine] = {}
            tariffs = pricer.tariffs_by_day(activity, category)
            for day in days:
                closed = not attendance or (activity_id, day) in closed_registers
                tariff = tariffs.get(day)
                if tariff is None:
                    tariff = tariffs[day] = pricer.tariff_for(activity, day, category)
                if tariff is None:
                    if maybe_billed:
                        review.error(
                            "no-tariff",
                            "Réservations sans tarif",
                            f"aucun tarif de « {activity.name} » ne couvre le {day:%d/%m/%Y}",
                        )
                    continue
                quotient = quotients.get(day, -1)
                if quotient == -1:
                    quotient = quotients[day] = pricer.quotient(household, day)
                rank, count = 1, 1
                sibling = tariff.rules.sibling
                if sibling is not None:
                    if sibling.basis == "same_day" and together is not None:
                        present = together.get((activity_id, day), [])
                        ranks = sibling_ranks(
                            (cid, children[cid].birth_date) for cid in present if cid in children
                        )
                        rank, count = ranks.get(child_id, len(ranks) + 1), max(len(ranks), 1)
                    else:
                        known = sibling_of.get(tariff.id)
                        if known is None:
                            known = sibling_of[tariff.id] = pricer.household_rank(
                                household_id, child_id
                            )
                        rank, count = known
                local_key = (tariff.id, quotient, rank, count, closed)
                priced = group_prices.get(local_key)
                if priced is None:
                    key = (*local_key, activity.billing_unit, activity.billing_mode, facts)
                    priced = priced_cache.get(key)
                    if priced is None:
                        priced = priced_cache[key] = _price(
                            tariff, activity, facts, quotient, rank, count, closed
                        )
                    group_prices[local_key] = priced
                if priced.waiting:
                    review.error(
                        "register-open",
                        "Registres de présence non clos (activité facturée au réel)",
                        f"{activity.name}, {day:%d/%m/%Y}",
                    )
                    continue
                if not_pointed and closed:
                    review.warning(
                        "booked-not-pointed",
                        "Réservations restées « réservé » dans un registre clos (non facturées)",
                        f"{activity.name}, {day:%d/%m/%Y}",
                    )
                if without_times:
                    review.warning(
                        "present-without-times",
                        "Présences sans heures d'arrivée et de départ (unités par défaut "
                        "facturées)",
                        f"{activity.name}, {day:%d/%m/%Y}",
                    )
                if not priced.parts:
                    continue
                review.cells_billed += 1
                missing_qf = missing_qf or priced.missing_qf
                day_text = iso.get(day)
                if day_text is None:
                    day_text = iso[day] = day.isoformat()
                for index, (part, quantity_text) in enumerate(priced.parts):
                    line = group_lines.get((id(priced), index))
                    if line is None:
                        line_key = (child_id, activity_id, id(priced), index)
                        line = lines.get(line_key)
                        if line is None:
                            child = children.get(child_id)
                            if child is None:
                                review.warning(
                                    "unknown-child",
                                    "Enfants inconnus de la facturation (nom absent des lignes)",
                                    str(child_id),
                                )
                            line = lines[line_key] = DraftLine(
                                child_id=child_id,
                                child_name=child.name if child is not None else "Enfant",
                                activity_id=activity_id,
                                activity_name=activity.name,
                                tariff_id=tariff.id,
                                rule=part.rule,
                                bracket=part.bracket,
                                fiscal_share=priced.fiscal_share,
                                unit_price=part.unit_price,
                            )
                        group_lines[(id(priced), index)] = line
                    line.quantity += part.quantity
                    line.days.append([day_text, quantity_text])
        if missing_qf:
            review.warning(
                "missing-qf",
                "Foyers sans QF valide : tranche par défaut appliquée",
                str(household_id),
            )
        if lines:
            invoices[household_id] = DraftInvoice(household_id, _merge(lines.values()))

    for invoice in invoices.values():
        for line in invoice.lines:
            count_line(review, line)
    return Computation(invoices, review)


@dataclass(frozen=True, slots=True)
class _Priced:
    parts: tuple[tuple[PricedPart, str], ...]
    waiting: bool
    missing_qf: bool
    fiscal_share: str


def _price(
    tariff: TariffVersion,
    activity: ActivityInfo,
    facts: tuple[Any, ...],
    quotient: int | None,
    rank: int,
    count: int,
    closed: bool,
) -> _Priced:
    price = price_cell(
        tariff.rules,
        CellInput(*facts),
        PricingFacts(
            quotient=quotient,
            billing_unit=activity.billing_unit,
            billing_mode=activity.billing_mode,
            register_closed=closed,
            sibling_rank=rank,
            sibling_count=count,
        ),
    )
    return _Priced(
        parts=tuple((part, str(part.quantity)) for part in price.parts),
        waiting=price.waiting_for_register,
        missing_qf=any(part.rule.startswith(MISSING_QF) for part in price.parts),
        fiscal_share=tariff.rules.fiscal_share or activity.fiscal_share,
    )


def _merge(lines: Iterable[DraftLine]) -> list[DraftLine]:
    """Lines priced alike from different cached entries (e.g. another QF on some days with
    the same bracket) make one line; in child, activity, first day order."""
    merged: dict[tuple[Any, ...], DraftLine] = {}
    for line in lines:
        key = (
            line.child_id,
            line.activity_id,
            line.tariff_id,
            line.unit_price,
            line.rule,
            line.bracket,
            line.fiscal_share,
        )
        existing = merged.get(key)
        if existing is None:
            merged[key] = line
        else:
            existing.quantity += line.quantity
            existing.days.extend(line.days)
    for line in merged.values():
        line.days.sort()
    return sorted(merged.values(), key=lambda ln: (ln.child_name, ln.activity_name, ln.days[0][0]))


def count_line(review: Review, line: DraftLine) -> None:
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
            count_line(computation.review, line)


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


CORRECTION_PREFIXES = ("Régularisation : ", "Annulation : ")


def _original_rule(rule: str) -> str:
    for prefix in CORRECTION_PREFIXES:
        if rule.startswith(prefix):
            return rule.removeprefix(prefix)
    return rule


def _state(lines: Iterable[DraftLine], first: date, last: date) -> dict[tuple[Any, ...], Decimal]:
    """Net quantity per (tariff, unit price, rule, bracket, fiscal share, day) in the period:
    what was billed, reversals and re-billings of earlier corrections netted out."""
    state: dict[tuple[Any, ...], Decimal] = defaultdict(Decimal)
    for line in lines:
        key = (
            line.tariff_id,
            line.unit_price,
            _original_rule(line.rule),
            line.bracket,
            line.fiscal_share,
        )
        for day_text, quantity in line.days:
            day = date.fromisoformat(day_text)
            if first <= day <= last:
                state[(*key, day_text)] += Decimal(quantity)
    return {key: qty for key, qty in state.items() if qty}


def corrections(
    recomputed: dict[UUID, DraftInvoice],
    billed: dict[UUID, list[DraftLine]],
    first: date,
    last: date,
) -> dict[UUID, DraftInvoice]:
    """A corrective run, pure: per household, the (child, activity) whose billed days differ
    from what the facts now say get a reversal of what was billed and the lines as they are
    now. Nothing changed: nothing."""
    result: dict[UUID, DraftInvoice] = {}
    for household_id in sorted(set(recomputed) | set(billed), key=str):
        new_by: dict[tuple[Any, ...], list[DraftLine]] = defaultdict(list)
        old_by: dict[tuple[Any, ...], list[DraftLine]] = defaultdict(list)
        for line in recomputed[household_id].lines if household_id in recomputed else []:
            new_by[(line.child_id, line.activity_id)].append(line)
        for line in billed.get(household_id, []):
            old_by[(line.child_id, line.activity_id)].append(line)
        lines: list[DraftLine] = []
        for group in sorted(set(new_by) | set(old_by), key=str):
            old_state = _state(old_by.get(group, []), first, last)
            new_state = _state(new_by.get(group, []), first, last)
            if old_state == new_state:
                continue
            sample = (new_by.get(group) or old_by[group])[0]
            totals: dict[tuple[Any, ...], list[Any]] = {}
            for key, quantity in old_state.items():
                entry = totals.setdefault(key[:5], [Decimal(0), []])
                entry[0] += quantity
                entry[1].append([key[5], str(-quantity)])
            for (tariff_id, unit_price, rule, bracket, fiscal), (quantity, days) in totals.items():
                if not quantity:
                    continue
                lines.append(
                    DraftLine(
                        child_id=sample.child_id,
                        child_name=sample.child_name,
                        activity_id=sample.activity_id,
                        activity_name=sample.activity_name,
                        tariff_id=tariff_id,
                        rule=f"Annulation : {rule}",
                        bracket=bracket,
                        fiscal_share=fiscal,
                        unit_price=unit_price,
                        quantity=-quantity,
                        days=sorted(days),
                        kind="correction",
                    )
                )
            for line in new_by.get(group, []):
                lines.append(
                    DraftLine(
                        child_id=line.child_id,
                        child_name=line.child_name,
                        activity_id=line.activity_id,
                        activity_name=line.activity_name,
                        tariff_id=line.tariff_id,
                        rule=f"Régularisation : {line.rule}",
                        bracket=line.bracket,
                        fiscal_share=line.fiscal_share,
                        unit_price=line.unit_price,
                        quantity=line.quantity,
                        days=list(line.days),
                        kind="correction",
                    )
                )
        if lines:
            result[household_id] = DraftInvoice(household_id, lines)
    return result
