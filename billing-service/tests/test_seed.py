"""The demo seed: settings, dummy payment, tariffs for booking's activities, the November run
issued from the cells billing received, a few payments; idempotent."""

from __future__ import annotations

from datetime import date, time

from marelle_billing.seed import seed_demo
from marelle_contracts import ActivityKind, BillingMode, BillingUnit, CellState, FiscalShare

from billing_helpers import NOVEMBER_SCHOOL_DAYS, Town


async def test_the_demo_town_gets_tariffs_an_issued_november_run_and_payments(
    town: Town,
) -> None:
    town = await Town(town.billing, town.tokens).create(slug="demo")
    meal = await town.activity()
    evening = await town.activity(
        "Accueil du soir",
        kind=ActivityKind.EVENING_CARE,
        mode=BillingMode.ON_ATTENDANCE,
        unit=BillingUnit.QUARTER_HOUR,
        share=FiscalShare.CHILDCARE,
    )
    morning = await town.activity(
        "Accueil du matin", kind=ActivityKind.MORNING_CARE, share=FiscalShare.CHILDCARE
    )
    martin = await town.household("000001", births=(date(2016, 2, 2), date(2019, 9, 9)))
    nguyen = await town.household("000002", quotient=1400)
    await town.book(martin, meal, NOVEMBER_SCHOOL_DAYS)
    await town.book(nguyen, meal, NOVEMBER_SCHOOL_DAYS[:8])
    await town.book(martin, morning, NOVEMBER_SCHOOL_DAYS[:5])
    day = NOVEMBER_SCHOOL_DAYS[3]
    present = town.cell(
        nguyen,
        nguyen.children[0],
        evening,
        day,
        CellState.PRESENT,
        arrival=time(16, 30),
        departure=time(18, 20),
    )
    await town.close_register(evening, day, [present])

    await seed_demo(town.billing.runtime, wait=1.0)
    await seed_demo(town.billing.runtime, wait=1.0)  # idempotent

    client = town.billing.client
    tariffs = (await client.get("/tariffs", headers=town.office)).json()
    assert sorted(t["activity_name"] for t in tariffs) == [
        "Accueil du matin",
        "Accueil du soir",
        "Repas",
    ]
    runs = (await client.get("/invoice-runs", headers=town.office)).json()
    assert [(r["label"], r["status"]) for r in runs] == [("Facturation novembre 2026", "issued")]
    [martin_invoice] = await town.invoices(martin)
    # Meals 17 x 3,80 x 2 children + 5 mornings at 1,50 x 2 children.
    assert martin_invoice["total_cents"] == 2 * 17 * 380 + 2 * 5 * 150
    assert martin_invoice["paid_cents"] > 0
    [nguyen_invoice] = await town.invoices(nguyen)
    # 8 meals at 5,20, evening 16:30-18:20: 6 quarters at 0,45 and 2 at 0,60.
    assert nguyen_invoice["total_cents"] == 8 * 520 + 6 * 45 + 2 * 60
    providers = (await client.get("/settings/providers", headers=town.admin)).json()
    assert [p["backend"] for p in providers] == ["dummy"]
