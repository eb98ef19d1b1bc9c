"""Pure payment rules: allocation (oldest first or chosen) and CESU eligibility."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marelle_billing.payments.allocation import allocate
from marelle_billing.payments.cesu import CesuLine, eligible, eligible_cents, under_six

A, B, C = uuid4(), uuid4(), uuid4()


def test_allocation_pays_the_oldest_first_and_leaves_the_rest_as_credit() -> None:
    assert allocate(1000, [(A, 300), (B, 500), (C, 400)]) == [(A, 300), (B, 500), (C, 200)]
    assert allocate(2000, [(A, 300), (B, 500)]) == [(A, 300), (B, 500)]  # 1 200 left: credit
    assert allocate(0, [(A, 300)]) == []


def test_allocation_to_chosen_invoices_only_in_the_order_chosen() -> None:
    assert allocate(600, [(A, 300), (B, 500), (C, 400)], chosen=[C, A]) == [(C, 400), (A, 200)]
    assert allocate(600, [(A, 300)], chosen=[B]) == []  # not open: all credit


@given(
    amount=st.integers(min_value=0, max_value=100_000),
    dues=st.lists(st.integers(min_value=0, max_value=50_000), max_size=8),
)
def test_allocation_never_exceeds_the_amount_nor_what_is_due(amount: int, dues: list[int]) -> None:
    invoices = [(uuid4(), due) for due in dues]
    shares = allocate(amount, invoices)
    assert sum(share for _, share in shares) == min(amount, sum(dues))
    due = dict(invoices)
    assert all(0 < share <= due[invoice] for invoice, share in shares)


@pytest.mark.parametrize(
    ("kind", "share", "birth", "day", "expected"),
    [
        ("morning_care", "childcare", date(2010, 1, 1), date(2026, 11, 2), True),  # any age
        ("evening_care", "childcare", None, None, True),
        ("leisure_day", "childcare", date(2021, 11, 3), date(2026, 11, 2), True),  # 5 years
        ("leisure_day", "childcare", date(2020, 11, 2), date(2026, 11, 2), False),  # 6 today
        ("leisure_half_day", "childcare", None, date(2026, 11, 2), False),  # age unknown
        ("meal", "meal", date(2022, 1, 1), date(2026, 11, 2), False),  # never meals
        ("other", "childcare", date(2022, 1, 1), date(2026, 11, 2), False),
    ],
)
def test_cesu_pays_care_at_any_age_leisure_under_six_never_meals(
    kind: str, share: str, birth: date | None, day: date | None, expected: bool
) -> None:
    assert eligible(CesuLine(kind, share, birth, day, 100)) is expected


def test_cesu_eligible_amount_and_leap_day_birthdays() -> None:
    lines = [
        CesuLine("evening_care", "childcare", None, None, 450),
        CesuLine("meal", "meal", None, None, 380),
    ]
    assert eligible_cents(lines) == 450
    assert under_six(date(2020, 2, 29), date(2026, 2, 28))
    assert not under_six(date(2020, 2, 29), date(2026, 3, 1))
