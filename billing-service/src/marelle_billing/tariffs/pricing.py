"""Pricing, as pure functions: a cell's facts and a tariff's rules in, priced parts out.

Nothing here reads a database or a clock. A priced part is a future invoice line's share:
quantity x unit price, rounded half-up to the cent only when the line is made; an invoice's
total is the sum of its rounded lines.

How booking's facts and the tariff combine (docs/adr/0016-billing-tariffs-runs-payments.md):
- booking decides *whether* a cell costs something: its state, ``late``, ``free_of_charge`` and,
  for an absence, ``absence_charge`` (free / billed / penalty with ``penalty_percent``), from the
  tenant's reasons and deadlines;
- the tariff decides *how much*: the unit price (method, QF, sibling rank), the late surcharge,
  the share billed for a late cancellation, a flat price for billed absences.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from uuid import UUID

from marelle_billing.money import HUNDRED, euros, line_cents, percent, price, to_cent
from marelle_billing.tariffs.rules import (
    EffortRateMethod,
    FlatMethod,
    QfBracketsMethod,
    TariffRules,
    TimeSlot,
    TimeSlotsMethod,
)

MISSING_QF = "QF non fourni"

# Cell states (booking's CellState values) by what they mean for billing.
NEVER_BILLED = frozenset({"requested", "waitlisted", "refused"})
ABSENCES = frozenset({"absent_excused", "absent_unexcused"})


@dataclass(frozen=True, slots=True)
class CellInput:
    """What billing knows of a cell (a CellFact's billing fields)."""

    state: str
    late: bool = False
    absence_reason: str | None = None
    absence_charge: str | None = None  # free, billed, penalty (booking's AbsenceCharge)
    penalty_percent: int | None = None
    arrival: time | None = None
    departure: time | None = None
    free_of_charge: bool = False


@dataclass(frozen=True, slots=True)
class PricingFacts:
    """The rest of what a cell's price depends on."""

    quotient: int | None  # the QF valid on the service day; None = none valid
    billing_unit: str  # the activity's unit: day, hour, quarter_hour
    billing_mode: str = "on_booking"  # on_booking, on_attendance
    register_closed: bool = True
    sibling_rank: int = 1  # 1 = the eldest
    sibling_count: int = 1


@dataclass(frozen=True, slots=True)
class PricedPart:
    quantity: Decimal
    unit_price: Decimal
    rule: str
    bracket: str | None = None

    @property
    def amount_cents(self) -> int:
        return line_cents(self.quantity, self.unit_price)


@dataclass(frozen=True, slots=True)
class CellPrice:
    parts: tuple[PricedPart, ...]
    note: str  # why it is billed, or why not
    # True when the cell would be billed but cannot be yet (« au réel », register open).
    waiting_for_register: bool = False

    @property
    def billed(self) -> bool:
        return bool(self.parts)

    @property
    def amount_cents(self) -> int:
        return sum(part.amount_cents for part in self.parts)


@dataclass(frozen=True, slots=True)
class Basis:
    """Whether and how a cell is billed, before any price."""

    kind: str  # not_billed, service, absence, penalty, late_cancellation, waiting
    note: str
    percent: int = 100


def billing_basis(cell: CellInput, mode: str, register_closed: bool) -> Basis:
    """Booking's facts -> what is billed: « à la réservation » bills booked, present and charged
    absences; « au réel » bills present and charged absences once the register is closed."""
    if cell.free_of_charge:
        return Basis("not_billed", "annulé sans frais par la commune")
    if cell.state in NEVER_BILLED:
        return Basis("not_billed", "non réservé")
    if cell.state == "cancelled":
        if cell.late:
            return Basis("late_cancellation", "annulation hors délai")
        return Basis("not_billed", "annulé dans les délais")
    if mode == "on_attendance":
        if cell.state == "booked" and register_closed:
            return Basis("not_billed", "réservé mais absent du registre clos")
        if not register_closed:
            return Basis("waiting", "registre de présence non clos")
    if cell.state in ("booked", "present"):
        return Basis("service", "présent" if cell.state == "present" else "réservé")
    if cell.state in ABSENCES:
        charge = cell.absence_charge
        if charge is None:
            charge = "billed" if cell.state == "absent_unexcused" else "free"
        reason = f" ({cell.absence_reason})" if cell.absence_reason else ""
        if charge == "free":
            return Basis("not_billed", f"absence non facturée{reason}")
        if charge == "penalty":
            share = cell.penalty_percent if cell.penalty_percent is not None else 100
            return Basis("penalty", f"pénalité d'absence {share} %{reason}", share)
        return Basis("absence", f"absence facturée{reason}")
    raise ValueError(f"état de réservation inconnu : {cell.state}")


def started_units(arrival: time, departure: time, minutes_per_unit: int) -> int:
    """Started units between arrival and departure (16:30-17:31 is 2 started hours, 5 started
    quarter hours); nothing when departure is not after arrival."""
    start = datetime.combine(date.min, arrival)
    end = datetime.combine(date.min, departure)
    minutes = (end - start).total_seconds() / 60
    if minutes <= 0:
        return 0
    whole, rest = divmod(int(minutes * 60), minutes_per_unit * 60)
    return whole + (1 if rest else 0)


_MINUTES = {"hour": 60, "quarter_hour": 15}
_UNIT_NAMES = {"hour": "heure", "quarter_hour": "quart d'heure entamé"}


def base_unit_price(
    method: FlatMethod | QfBracketsMethod | EffortRateMethod, quotient: int | None
) -> tuple[Decimal, str, str | None]:
    """The method's unit price, the rule it applied and the bracket's name (QF methods)."""
    if isinstance(method, FlatMethod):
        return method.unit_price, "tarif unique", None
    if isinstance(method, QfBracketsMethod):
        if quotient is None:
            bracket = method.brackets[method.missing_qf_bracket]
            return bracket.unit_price, f"{MISSING_QF} : {bracket.name}", bracket.name
        for bracket in method.brackets:
            if bracket.min <= quotient and (bracket.max is None or quotient <= bracket.max):
                return bracket.unit_price, f"QF {quotient} € : {bracket.name}", bracket.name
        raise ValueError(f"aucune tranche pour le QF {quotient}")  # brackets cover 0..inf
    if quotient is None:
        return (
            method.missing_qf_price,
            f"{MISSING_QF} : {price(method.missing_qf_price)}",
            (MISSING_QF),
        )
    raw = to_cent(Decimal(quotient) * method.rate_percent / HUNDRED)
    unit = min(max(raw, method.floor), method.ceiling)
    bound = ""
    if unit != raw:
        bound = " (plancher)" if unit == method.floor else " (plafond)"
    return (
        unit,
        f"taux d'effort {percent(method.rate_percent)} × QF {quotient} €{bound}",
        "taux d'effort",
    )


def _slot_for(slots: Sequence[TimeSlot], at: time) -> TimeSlot:
    for slot in slots:
        if slot.start <= at < slot.end:
            return slot
    return slots[0] if at < slots[0].start else slots[-1]


def time_slot_counts(
    slots: Sequence[TimeSlot],
    unit: str,
    arrival: time | None,
    departure: time | None,
    default_units: Decimal,
) -> list[tuple[TimeSlot, Decimal]]:
    """Units per time slot: each started unit counted from the arrival is priced by the slot
    it starts in (before the first slot: the first; after the last: the last). Without times,
    ``default_units`` from the first slot's start."""
    minutes = _MINUTES[unit]
    if arrival is None or departure is None:
        count = int(default_units)
        start = slots[0].start
        extra = default_units - count
    else:
        count = started_units(arrival, departure, minutes)
        start = arrival
        extra = Decimal(0)
    counts: dict[TimeSlot, Decimal] = {}
    moment = datetime.combine(date.min, start)
    for _ in range(count):
        slot = _slot_for(slots, moment.time())
        counts[slot] = counts.get(slot, Decimal(0)) + 1
        moment += timedelta(minutes=minutes)
        if moment.date() != date.min:  # past midnight: keep the last slot
            moment = datetime.combine(date.min, time(23, 59))
    if extra:
        slot = _slot_for(slots, moment.time())
        counts[slot] = counts.get(slot, Decimal(0)) + extra
    return [(slot, counts[slot]) for slot in slots if slot in counts]


def units(unit: str, cell: CellInput, default_units: Decimal, basis: Basis) -> Decimal:
    if unit == "day":
        return Decimal(1)
    if basis.kind == "service" and cell.arrival is not None and cell.departure is not None:
        return Decimal(started_units(cell.arrival, cell.departure, _MINUTES[unit]))
    return default_units


def sibling_percent(rules: TariffRules, facts: PricingFacts) -> tuple[Decimal, str]:
    rule = rules.sibling
    if rule is None:
        return Decimal(0), ""
    if rule.mode == "rank":
        index, label = facts.sibling_rank - 1, _rank_label(facts.sibling_rank)
    else:
        index, label = facts.sibling_count - 1, f"{facts.sibling_count} enfants"
    share = rule.percents[min(max(index, 0), len(rule.percents) - 1)]
    if not share:
        return Decimal(0), ""
    return share, f"{label} −{percent(share)}"


def _rank_label(rank: int) -> str:
    return "1er enfant" if rank == 1 else f"{rank}e enfant"


def _adjusted(
    base: Decimal, rules: TariffRules, cell: CellInput, facts: PricingFacts, basis: Basis
) -> tuple[Decimal, list[str]]:
    """The base unit price with the sibling reduction, the late surcharge and the absence or
    late-cancellation share applied, in this order; and the rules that changed it."""
    notes: list[str] = []
    unit_price = base
    reduction, label = sibling_percent(rules, facts)
    if reduction:
        unit_price = to_cent(unit_price * (HUNDRED - reduction) / HUNDRED)
        notes.append(label)
    if basis.kind == "service" and cell.late:
        late = rules.late
        if late is not None and late.surcharge_amount:
            unit_price += late.surcharge_amount
            notes.append(f"réservation hors délai +{price(late.surcharge_amount)}")
        elif late is not None and late.surcharge_percent:
            unit_price = to_cent(unit_price * (HUNDRED + late.surcharge_percent) / HUNDRED)
            notes.append(f"réservation hors délai +{percent(late.surcharge_percent)}")
        else:
            notes.append("réservation hors délai")
    elif basis.kind == "absence":
        absence = rules.absence
        if absence is not None and absence.billed_price is not None:
            unit_price = absence.billed_price
            notes.append(f"{basis.note} : forfait {price(absence.billed_price)}")
        else:
            notes.append(basis.note)
    elif basis.kind == "penalty":
        unit_price = to_cent(unit_price * Decimal(basis.percent) / HUNDRED)
        notes.append(basis.note)
    elif basis.kind == "late_cancellation":
        share = rules.late.cancellation_percent if rules.late is not None else 100
        unit_price = to_cent(unit_price * Decimal(share) / HUNDRED)
        notes.append(f"annulation hors délai facturée {share} %")
    return unit_price, notes


def price_cell(rules: TariffRules, cell: CellInput, facts: PricingFacts) -> CellPrice:
    """A cell's price under a tariff: the parts billed (none when not billed) and why."""
    basis = billing_basis(cell, facts.billing_mode, facts.register_closed)
    if basis.kind == "waiting":
        return CellPrice((), basis.note, waiting_for_register=True)
    if basis.kind == "not_billed":
        return CellPrice((), basis.note)
    unit = rules.unit or facts.billing_unit
    method = rules.pricing
    parts: list[PricedPart] = []
    if isinstance(method, TimeSlotsMethod):
        time_unit = unit if unit != "day" else "hour"
        arrival = cell.arrival if basis.kind == "service" else None
        departure = cell.departure if basis.kind == "service" else None
        for slot, count in time_slot_counts(
            method.slots, time_unit, arrival, departure, rules.default_units
        ):
            unit_price, notes = _adjusted(slot.unit_price, rules, cell, facts, basis)
            rule = " · ".join(
                [
                    f"plage {slot.name}, {price(slot.unit_price)} par {_UNIT_NAMES[time_unit]}",
                    *notes,
                ]
            )
            parts.append(PricedPart(count, unit_price, rule, slot.name))
    else:
        base, base_rule, bracket = base_unit_price(method, facts.quotient)
        unit_price, notes = _adjusted(base, rules, cell, facts, basis)
        quantity = units(unit, cell, rules.default_units, basis)
        per_unit = f" par {_UNIT_NAMES[unit]}" if unit != "day" else ""
        rule = " · ".join([base_rule + per_unit, *notes])
        parts.append(PricedPart(quantity, unit_price, rule, bracket))
    parts = [part for part in parts if part.quantity > 0 and part.unit_price > 0]
    if not parts:
        return CellPrice((), f"{basis.note} : rien à facturer")
    return CellPrice(tuple(parts), basis.note)


def sibling_ranks(children: Iterable[tuple[UUID, date]]) -> dict[UUID, int]:
    """Rank of each child, eldest first (1 = the eldest); twins keep a stable order."""
    ordered = sorted(children, key=lambda child: (child[1], str(child[0])))
    return {child_id: rank for rank, (child_id, _birth) in enumerate(ordered, start=1)}


def invoice_total(amounts: Iterable[int]) -> int:
    """An invoice's total: the sum of its rounded lines (never a re-rounded sum)."""
    return sum(amounts)


def describe_amount(part: PricedPart) -> str:
    return f"{part.quantity} × {price(part.unit_price)} = {euros(part.amount_cents, cents=True)}"
