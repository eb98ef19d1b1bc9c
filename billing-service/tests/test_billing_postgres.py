"""Concurrency on PostgreSQL: 20 identical notifications at once pay once; two runs issued at
once share one gapless numbering."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from marelle_billing.models import Allocation, Invoice, Payment
from marelle_billing.payments.providers import dummy_mac
from marelle_billing.service import definition
from marelle_testkit.databases import postgres_database
from marelle_testkit.plugin import ServiceUnderTest, service_under_test
from marelle_testkit.tokens import TokenFactory

from billing_helpers import NOVEMBER_SCHOOL_DAYS, Town

pytestmark = pytest.mark.integration

KEY = Fernet.generate_key().decode()


@pytest.fixture
async def pg_billing(
    postgres_admin_url: str, tokens: TokenFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[ServiceUnderTest]:
    monkeypatch.setenv("MARELLE_BILLING_SECRETS_KEY", KEY)
    monkeypatch.setenv("MARELLE_DATA_DIR", str(tmp_path))
    async with (
        postgres_database(postgres_admin_url, "billing") as url,
        service_under_test(definition, url, tokens) as service,
    ):
        yield service


async def test_twenty_concurrent_identical_notifications_pay_once(
    pg_billing: ServiceUnderTest, tokens: TokenFactory
) -> None:
    town = await Town(pg_billing, tokens).create()
    await town.dummy_provider()
    meal = await town.activity()
    await town.tariff(meal)
    household = await town.household("000001")
    await town.book(household, meal, NOVEMBER_SCHOOL_DAYS[:5])
    await town.issue(
        (await town.run(due_date="2099-12-31", online_payment_until="2099-12-31"))["id"]
    )
    [invoice] = await town.invoices(household)
    client = pg_billing.client
    started = (
        await client.post(
            "/payments/online",
            json={"household_id": str(household.id), "invoice_ids": [invoice["id"]]},
            headers=town.parent(household),
        )
    ).json()
    provider_id = dict(parse_qsl(urlsplit(started["url"]).query))["transaction_id"]
    fields = {"transaction_id": provider_id, "amount": "19.00", "signed": "1", "ok": "1"}
    fields["mac"] = dummy_mac(KEY, fields)
    notify = f"/payments/notify/{started['transaction_id']}?{urlencode(fields)}"
    # The payer's return races the notifications too.
    back = f"/payments/transactions/{started['transaction_id']}/return?{urlencode(fields)}"
    answers = await asyncio.gather(*(client.post(notify) for _ in range(20)), client.get(back))
    assert [a.status_code for a in answers] == [200] * 20 + [303]
    async with pg_billing.runtime.database.transaction() as session:
        paid = list(await session.scalars(sa.select(Payment)))
        allocations = list(await session.scalars(sa.select(Allocation)))
        invoice_row = await session.scalar(sa.select(Invoice))
    assert [p.amount_cents for p in paid] == [1900]
    assert [a.amount_cents for a in allocations] == [1900]
    assert invoice_row is not None and invoice_row.paid_cents == 1900
    published = await pg_billing.published()
    assert len([e for e in published if e["type"] == "billing.payment.received"]) == 1
    balances = [
        e["payload"]["balance_cents"] for e in published if e["type"] == "billing.balance.changed"
    ]
    assert balances == [1900, 0]


async def test_two_runs_issued_at_once_get_gapless_distinct_numbers(
    pg_billing: ServiceUnderTest, tokens: TokenFactory
) -> None:
    town = await Town(pg_billing, tokens).create()
    meal = await town.activity()
    await town.tariff(meal)
    for number in range(1, 13):
        household = await town.household(f"{number:06d}")
        await town.book(household, meal, [date(2026, 10, 5), NOVEMBER_SCHOOL_DAYS[0]])
    october = await town.run(
        period_start="2026-10-01",
        period_end="2026-10-31",
        issue_date="2026-11-02",
        due_date="2026-11-20",
        online_payment_until="2026-11-20",
    )
    november = await town.run()
    client = pg_billing.client
    issued = await asyncio.gather(
        client.post(f"/invoice-runs/{october['id']}/issue", headers=town.office),
        client.post(f"/invoice-runs/{november['id']}/issue", headers=town.office),
    )
    assert [r.status_code for r in issued] == [200, 200], [r.text for r in issued]
    async with pg_billing.runtime.database.transaction() as session:
        numbers = list(
            await session.scalars(
                sa.select(Invoice.number).where(Invoice.number.is_not(None))  # type: ignore[union-attr]
            )
        )
    assert sorted(numbers) == [f"F2026-{n:06d}" for n in range(1, 25)]
    # The same run issued twice at once: one wins, the other is refused.
    december = await town.run(
        period_start="2026-12-01",
        period_end="2026-12-31",
        issue_date="2027-01-04",
        due_date="2027-01-20",
        online_payment_until="2027-01-20",
    )
    twice = await asyncio.gather(
        client.post(f"/invoice-runs/{december['id']}/issue", headers=town.office),
        client.post(f"/invoice-runs/{december['id']}/issue", headers=town.office),
    )
    assert sorted(r.status_code for r in twice) == [200, 409]
