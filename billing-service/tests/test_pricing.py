"""Pricing as pure functions: every method, bracket edges, missing QF, sibling ranks, late and
absence rules, rounding (property-based where it matters)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from marelle_billing.money import euros, line_cents, to_cent
from marelle_billing.tariffs.engine import (
    ActivityInfo,
    ChildInfo,
    HouseholdInfo,
    Pricer,
    PricingData,
    QuotientEntry,
    TariffVersion,
    day_kind,
    quotient_on,
    select_tariff,
)
from marelle_billing.tariffs.pricing import (
    CellInput,
    PricingFacts,
    billing_basis,
    invoice_total,
    price_cell,
    sibling_ranks,
    started_units,
)
from marelle_billing.tariffs.rules import TariffRules

D = Decimal
MEAL_BRACKETS = {
    "method": "qf_brackets",
    "brackets": [
        {"min": 0, "max": 500, "unit_price": "3.10"},
        {"min": 501, "max": 800, "unit_price": "3.80"},
        {"min": 801, "max": 1200, "unit_price": "4.50"},
        {"min": 1201, "unit_price": "5.20"},
    ],
    "missing_qf_bracket": 3,
}


def rules(**values: object) -> TariffRules:
    return TariffRules.model_validate(values)


def facts(quotient: int | None = 620, unit: str = "day", **values: object) -> PricingFacts:
    return PricingFacts(quotient=quotient, billing_unit=unit, **values)  # type: ignore[arg-type]


BOOKED = CellInput(state="booked")


# --- methods -----------------------------------------------------------------------------------


def test_flat_price() -> None:
    priced = price_cell(rules(pricing={"method": "flat", "unit_price": "1.50"}), BOOKED, facts())
    assert [(p.quantity, p.unit_price, p.rule) for p in priced.parts] == [
        (D(1), D("1.50"), "tarif unique")
    ]
    assert priced.amount_cents == 150


@pytest.mark.parametrize(
    ("quotient", "expected", "bracket"),
    [
        (0, "3.10", "QF 0–500 €"),
        (500, "3.10", "QF 0–500 €"),  # max is inclusive
        (501, "3.80", "QF 501–800 €"),  # min is inclusive
        (800, "3.80", "QF 501–800 €"),
        (801, "4.50", "QF 801–1200 €"),
        (1200, "4.50", "QF 801–1200 €"),
        (1201, "5.20", "QF 1201 € et plus"),
        (99_999, "5.20", "QF 1201 € et plus"),
    ],
)
def test_qf_bracket_edges_are_inclusive(quotient: int, expected: str, bracket: str) -> None:
    priced = price_cell(rules(pricing=MEAL_BRACKETS), BOOKED, facts(quotient))
    assert priced.parts[0].unit_price == D(expected)
    assert priced.parts[0].bracket == bracket
    assert priced.parts[0].rule == f"QF {quotient} € : {bracket}"


def test_a_missing_qf_pays_the_explicit_default_bracket_and_the_line_says_so() -> None:
    priced = price_cell(rules(pricing=MEAL_BRACKETS), BOOKED, facts(None))
    assert priced.parts[0].unit_price == D("5.20")
    assert priced.parts[0].rule.startswith("QF non fourni")


@pytest.mark.parametrize(
    ("brackets", "message"),
    [
        ([{"min": 0, "max": 500, "unit_price": 1}, {"min": 502, "unit_price": 2}], "manque"),
        ([{"min": 0, "max": 500, "unit_price": 1}, {"min": 500, "unit_price": 2}], "chevauchent"),
        ([{"min": 1, "unit_price": 1}], "commencer à 0"),
        ([{"min": 0, "max": 500, "unit_price": 1}], "sans maximum"),
        ([{"min": 0, "unit_price": 1}, {"min": 1, "unit_price": 2}], "seule la dernière"),
    ],
)
def test_brackets_with_a_gap_or_overlap_are_refused_at_save(
    brackets: list[dict[str, object]], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        rules(pricing={"method": "qf_brackets", "brackets": brackets, "missing_qf_bracket": 0})


def test_the_missing_qf_bracket_must_exist() -> None:
    with pytest.raises(ValidationError, match="n'existe pas"):
        rules(pricing={**MEAL_BRACKETS, "missing_qf_bracket": 4})


EFFORT = {
    "method": "effort_rate",
    "rate_percent": "0.5",
    "floor": "2.00",
    "ceiling": "12.00",
    "missing_qf_price": "12.00",
}


@pytest.mark.parametrize(
    ("quotient", "expected", "bound"),
    [
        (1000, "5.00", ""),
        (200, "2.00", "(plancher)"),
        (3000, "12.00", "(plafond)"),
        (1001, "5.01", ""),
        (999, "5.00", ""),
    ],  # 4.995 rounds half-up to 5.00
)
def test_effort_rate_with_floor_and_ceiling(quotient: int, expected: str, bound: str) -> None:
    priced = price_cell(rules(pricing=EFFORT), BOOKED, facts(quotient))
    assert priced.parts[0].unit_price == D(expected)
    assert priced.parts[0].rule.endswith(bound)


def test_effort_rate_without_qf_uses_its_explicit_price() -> None:
    priced = price_cell(rules(pricing=EFFORT), BOOKED, facts(None))
    assert priced.parts[0].unit_price == D("12.00")
    assert "QF non fourni" in priced.parts[0].rule


def test_effort_rate_floor_above_ceiling_is_refused() -> None:
    with pytest.raises(ValidationError, match="plancher"):
        rules(pricing={**EFFORT, "floor": "13"})


@pytest.mark.parametrize(
    ("arrival", "departure", "minutes", "expected"),
    [
        (time(16, 30), time(17, 30), 60, 1),
        (time(16, 30), time(17, 31), 60, 2),
        (time(16, 30), time(16, 45), 15, 1),
        (time(16, 30), time(16, 46), 15, 2),
        (time(16, 30), time(16, 30), 15, 0),
        (time(17, 0), time(16, 0), 15, 0),
    ],
)
def test_started_units(arrival: time, departure: time, minutes: int, expected: int) -> None:
    assert started_units(arrival, departure, minutes) == expected


def test_hourly_care_counts_started_hours_from_the_roll_call_times() -> None:
    tariff = rules(pricing={"method": "flat", "unit_price": "1.20"}, unit="hour")
    present = CellInput(state="present", arrival=time(16, 30), departure=time(18, 5))
    priced = price_cell(tariff, present, facts())
    assert (priced.parts[0].quantity, priced.amount_cents) == (D(2), 240)
    assert priced.parts[0].rule == "tarif unique par heure"


def test_booked_hourly_care_without_times_bills_the_default_units() -> None:
    tariff = rules(pricing={"method": "flat", "unit_price": "1.20"}, unit="hour", default_units="2")
    assert price_cell(tariff, BOOKED, facts()).amount_cents == 240


SLOTS = {
    "method": "time_slots",
    "slots": [
        {"start": "16:30", "end": "18:00", "unit_price": "0.50"},
        {"start": "18:00", "end": "19:00", "unit_price": "0.80"},
    ],
}


def test_quarter_hours_priced_by_the_slot_they_start_in() -> None:
    tariff = rules(pricing=SLOTS, unit="quarter_hour")
    # 17:40 -> 18:20: quarters start 17:40, 17:55 (first slot), 18:10 (second slot).
    present = CellInput(state="present", arrival=time(17, 40), departure=time(18, 20))
    priced = price_cell(tariff, present, facts())
    assert [(p.quantity, p.unit_price, p.bracket) for p in priced.parts] == [
        (D(2), D("0.50"), "16:30–18:00"),
        (D(1), D("0.80"), "18:00–19:00"),
    ]
    assert priced.amount_cents == 180


def test_time_slots_must_follow_each_other() -> None:
    slots = {**SLOTS, "slots": [SLOTS["slots"][0], {**SLOTS["slots"][1], "start": "18:15"}]}  # type: ignore[index]
    with pytest.raises(ValidationError, match="se suivre"):
        rules(pricing=slots, unit="quarter_hour")


# --- siblings ----------------------------------------------------------------------------------


def test_sibling_ranks_eldest_first() -> None:
    eldest, middle, youngest = uuid4(), uuid4(), uuid4()
    ranks = sibling_ranks(
        [(youngest, date(2020, 5, 1)), (eldest, date(2015, 1, 1)), (middle, date(2017, 3, 3))]
    )
    assert ranks == {eldest: 1, middle: 2, youngest: 3}


@pytest.mark.parametrize(("rank", "expected"), [(1, "3.80"), (2, "3.42"), (3, "3.04"), (4, "3.04")])
def test_sibling_rank_reduction_last_percent_repeats(rank: int, expected: str) -> None:
    tariff = rules(
        pricing=MEAL_BRACKETS,
        sibling={"mode": "rank", "basis": "household", "percents": ["0", "10", "20"]},
    )
    priced = price_cell(tariff, BOOKED, facts(620, sibling_rank=rank, sibling_count=4))
    assert priced.parts[0].unit_price == D(expected)
    if rank > 1:
        assert f"{rank}e enfant −" in priced.parts[0].rule


def test_sibling_count_gives_every_child_the_same_reduction() -> None:
    tariff = rules(
        pricing={"method": "flat", "unit_price": "10"},
        sibling={"mode": "count", "basis": "household", "percents": ["0", "15"]},
    )
    for rank in (1, 2):
        priced = price_cell(tariff, BOOKED, facts(sibling_rank=rank, sibling_count=2))
        assert priced.parts[0].unit_price == D("8.50")
        assert "2 enfants −15 %" in priced.parts[0].rule


# --- late and absences -------------------------------------------------------------------------


def test_late_booking_surcharge_amount_or_percent() -> None:
    late = CellInput(state="booked", late=True)
    by_amount = rules(
        pricing={"method": "flat", "unit_price": "3.10"}, late={"surcharge_amount": "1.00"}
    )
    priced = price_cell(by_amount, late, facts())
    assert priced.parts[0].unit_price == D("4.10")
    assert "réservation hors délai +1,00 €" in priced.parts[0].rule
    by_percent = rules(
        pricing={"method": "flat", "unit_price": "3.10"}, late={"surcharge_percent": "50"}
    )
    assert price_cell(by_percent, late, facts()).parts[0].unit_price == D("4.65")
    # In time: no surcharge.
    assert price_cell(by_amount, BOOKED, facts()).parts[0].unit_price == D("3.10")


def test_a_surcharge_is_an_amount_or_a_percentage_not_both() -> None:
    with pytest.raises(ValidationError, match="soit un montant"):
        rules(
            pricing={"method": "flat", "unit_price": "1"},
            late={"surcharge_amount": "1", "surcharge_percent": "10"},
        )


def test_late_cancellation_is_billed_the_tariff_share() -> None:
    cancelled_late = CellInput(state="cancelled", late=True)
    half = rules(
        pricing={"method": "flat", "unit_price": "4.00"}, late={"cancellation_percent": 50}
    )
    priced = price_cell(half, cancelled_late, facts())
    assert priced.amount_cents == 200
    assert "annulation hors délai facturée 50 %" in priced.parts[0].rule
    free = rules(pricing={"method": "flat", "unit_price": "4.00"}, late={"cancellation_percent": 0})
    assert not price_cell(free, cancelled_late, facts()).billed
    in_time = CellInput(state="cancelled")
    assert not price_cell(half, in_time, facts()).billed


@pytest.mark.parametrize(
    ("cell", "cents", "note"),
    [
        (CellInput("absent_unexcused"), 380, "absence facturée"),
        (CellInput("absent_excused"), 0, "absence non facturée"),
        (
            CellInput("absent_excused", absence_charge="free", absence_reason="médical"),
            0,
            "absence non facturée (médical)",
        ),
        (CellInput("absent_excused", absence_charge="billed"), 380, "absence facturée"),
        (
            CellInput("absent_unexcused", absence_charge="penalty", penalty_percent=50),
            190,
            "pénalité d'absence 50 %",
        ),
        (CellInput("booked", free_of_charge=True), 0, "annulé sans frais"),
        (CellInput("requested"), 0, "non réservé"),
        (CellInput("waitlisted"), 0, "non réservé"),
    ],
)
def test_absences_follow_booking_charge_and_the_tariff_price(
    cell: CellInput, cents: int, note: str
) -> None:
    priced = price_cell(rules(pricing=MEAL_BRACKETS), cell, facts(620))
    assert priced.amount_cents == cents
    assert note in (priced.parts[0].rule if priced.parts else priced.note)


def test_a_billed_absence_may_have_a_flat_price() -> None:
    tariff = rules(pricing=MEAL_BRACKETS, absence={"billed_price": "2.00"})
    priced = price_cell(tariff, CellInput("absent_unexcused"), facts(620))
    assert priced.amount_cents == 200
    assert "forfait 2,00 €" in priced.parts[0].rule


def test_on_attendance_waits_for_the_closed_register() -> None:
    present = CellInput("present")
    assert billing_basis(present, "on_attendance", register_closed=False).kind == "waiting"
    assert billing_basis(present, "on_attendance", register_closed=True).kind == "service"
    # Booked but not in the closed register's presents: nothing billed au réel.
    assert billing_basis(BOOKED, "on_attendance", register_closed=True).kind == "not_billed"
    assert billing_basis(BOOKED, "on_booking", register_closed=False).kind == "service"
    priced = price_cell(
        rules(pricing=MEAL_BRACKETS),
        present,
        facts(620, billing_mode="on_attendance", register_closed=False),
    )
    assert priced.waiting_for_register and not priced.billed


# --- QF history, tariff selection --------------------------------------------------------------

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def test_the_qf_valid_on_the_service_day_applies() -> None:
    entries = [
        QuotientEntry(640, date(2027, 8, 31), T0),
        QuotientEntry(700, date(2028, 8, 31), T0.replace(month=9)),
    ]
    assert quotient_on(entries, date(2027, 8, 31)) == 640
    assert quotient_on(entries, date(2027, 9, 1)) == 700
    assert quotient_on(entries, date(2028, 9, 1)) is None
    corrected = [*entries, QuotientEntry(650, date(2027, 8, 31), T0.replace(month=10))]
    assert quotient_on(corrected, date(2027, 1, 1)) == 650
    assert quotient_on([QuotientEntry(300, None, T0)], date(2040, 1, 1)) == 300


def version(activity_id: object, **values: object) -> TariffVersion:
    base: dict[str, object] = {
        "id": uuid4(),
        "activity_id": activity_id,
        "label": "t",
        "valid_from": date(2026, 9, 1),
        "valid_to": None,
        "day_kind": "any",
        "family_category": None,
        "site_id": None,
        "rules": rules(pricing={"method": "flat", "unit_price": "1"}),
    }
    base.update(values)
    return TariffVersion(**base)  # type: ignore[arg-type]


def test_the_most_specific_valid_tariff_is_chosen() -> None:
    activity, site = uuid4(), uuid4()
    general = version(activity)
    holidays = version(activity, day_kind="holiday")
    outside = version(activity, family_category="hors-commune")
    old = version(activity, valid_from=date(2025, 9, 1), valid_to=date(2026, 8, 31))
    versions = [general, holidays, outside, old]
    assert select_tariff(versions, date(2026, 10, 1), "school", None, site) is general
    assert select_tariff(versions, date(2026, 10, 1), "holiday", None, site) is holidays
    assert select_tariff(versions, date(2026, 10, 1), "holiday", "hors-commune", site) is outside
    assert select_tariff(versions, date(2026, 3, 1), "school", None, site) is old
    assert select_tariff(versions, date(2025, 3, 1), "school", None, site) is None


def test_versions_overlap_on_shared_days_only() -> None:
    activity = uuid4()
    a = version(activity, valid_from=date(2026, 9, 1), valid_to=date(2026, 12, 31))
    b = version(activity, valid_from=date(2027, 1, 1))
    c = version(activity, valid_from=date(2026, 12, 31))
    assert not a.overlaps(b) and not b.overlaps(a)
    assert a.overlaps(c) and c.overlaps(a)


def test_school_holidays_of_the_zone() -> None:
    assert day_kind(date(2026, 10, 21), "A") == "holiday"  # vacances de la Toussaint
    assert day_kind(date(2026, 11, 12), "A") == "school"


def test_the_pricer_ranks_the_household_children_and_caches() -> None:
    activity = ActivityInfo(uuid4(), "Repas", uuid4(), "on_booking", "day", "meal")
    household = uuid4()
    eldest, youngest = uuid4(), uuid4()
    tariff = version(
        activity.id,
        rules=rules(
            pricing=MEAL_BRACKETS,
            sibling={"mode": "rank", "basis": "household", "percents": ["0", "50"]},
        ),
    )
    data = PricingData(
        zone="A",
        activities={activity.id: activity},
        tariffs={activity.id: [tariff]},
        households={household: HouseholdInfo(household, None, (QuotientEntry(900, None, T0),))},
        children={
            eldest: ChildInfo(eldest, household, "Léa", date(2016, 1, 1)),
            youngest: ChildInfo(youngest, household, "Tom", date(2019, 1, 1)),
        },
    )
    pricer = Pricer(data)
    day = date(2026, 11, 12)
    first = pricer.price(household, eldest, activity.id, day, BOOKED)
    second = pricer.price(household, youngest, activity.id, day, BOOKED)
    assert (first.price.amount_cents, second.price.amount_cents) == (450, 225)
    assert first.fiscal_share == "meal"
    missing = pricer.price(household, eldest, activity.id, date(2026, 1, 1), BOOKED)
    assert missing.error is not None and "aucun tarif" in missing.error


# --- rounding: properties ----------------------------------------------------------------------

prices = st.decimals(min_value=D("0"), max_value=D("500"), places=4)
quantities = st.decimals(min_value=D("0"), max_value=D("200"), places=2)


@given(quantity=quantities, unit_price=prices)
def test_a_line_is_quantity_times_unit_price_rounded_half_up(
    quantity: Decimal, unit_price: Decimal
) -> None:
    cents = line_cents(quantity, unit_price)
    exact = quantity * unit_price * 100
    assert abs(D(cents) - exact) <= D("0.5")
    if abs(D(cents) - exact) == D("0.5"):
        assert D(cents) > exact  # a half cent goes up


@given(lines=st.lists(st.tuples(quantities, prices), max_size=40))
def test_an_invoice_total_is_the_sum_of_its_rounded_lines(
    lines: list[tuple[Decimal, Decimal]],
) -> None:
    amounts = [line_cents(q, p) for q, p in lines]
    total = invoice_total(amounts)
    assert total == sum(amounts)
    assert euros(total, cents=True).endswith(" €")
    # Each line is whole cents: re-rounding the total changes nothing.
    assert to_cent(D(total) / 100) * 100 == total


@given(
    quotient=st.one_of(st.none(), st.integers(min_value=0, max_value=100_000)),
    rank=st.integers(min_value=1, max_value=6),
    late=st.booleans(),
    state=st.sampled_from(["booked", "present", "absent_unexcused", "cancelled"]),
)
def test_any_priced_cell_is_whole_cents_and_never_negative(
    quotient: int | None, rank: int, late: bool, state: str
) -> None:
    tariff = rules(
        pricing=MEAL_BRACKETS,
        sibling={"mode": "rank", "basis": "household", "percents": ["0", "10", "33.33"]},
        late={"surcharge_percent": "12.5", "cancellation_percent": 50},
    )
    priced = price_cell(tariff, CellInput(state, late=late), facts(quotient, sibling_rank=rank))
    for part in priced.parts:
        assert part.unit_price == to_cent(part.unit_price)
        assert part.amount_cents >= 0
    assert priced.amount_cents == sum(p.amount_cents for p in priced.parts)


def test_french_money_format() -> None:
    assert euros(123456, cents=True) == "1\u202f234,56 €"
    assert euros(-5, cents=True) == "−0,05 €"
    assert euros(D("3.1")) == "3,10 €"
