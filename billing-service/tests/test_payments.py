"""Payments through the API: the dummy backend end to end, refused notifications (forged,
tampered, another household's invoice, another tenant), counter payments with CESU rules,
refunds, receipts, the statement, provider settings with secrets kept out of the database,
the prepaid basket."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit
from uuid import UUID, uuid4

import eopayment
import sqlalchemy as sa

from marelle_billing.jobs import expire_baskets
from marelle_billing.models import Basket, Payment, PaymentIncident, PaymentProvider
from marelle_billing.settings import BillingSettings
from marelle_contracts import ActivityKind, FiscalShare
from marelle_kit import roles
from marelle_kit.clock import utcnow
from marelle_kit.localtime import local_today
from marelle_kit.tenancy import TENANT_HEADER

from billing_helpers import NOVEMBER_SCHOOL_DAYS, Household, Town


async def issued_invoice(
    town: Town, number: str = "000001", days: int = 4
) -> tuple[Household, dict[str, Any]]:
    meal = await town.activity()
    await town.tariff(meal)
    household = await town.household(number)
    await town.book(household, meal, NOVEMBER_SCHOOL_DAYS[:days])
    await town.issue(
        (await town.run(online_payment_until="2099-12-31", due_date="2099-12-31"))["id"]
    )
    [invoice] = await town.invoices(household)
    return household, invoice


async def incidents(town: Town) -> list[str]:
    async with town.billing.runtime.database.transaction() as session:
        return list(await session.scalars(sa.select(PaymentIncident.kind)))


async def payments(town: Town) -> list[Payment]:
    async with town.billing.runtime.database.transaction() as session:
        return list(await session.scalars(sa.select(Payment)))


async def test_a_parent_pays_online_with_the_dummy_backend_exactly_once(town: Town) -> None:
    await town.dummy_provider()
    household, invoice = await issued_invoice(town)
    assert invoice["payable_online"] is True
    client = town.billing.client
    parent = town.parent(household)
    started = await client.post(
        "/payments/online",
        json={
            "household_id": str(household.id),
            "invoice_ids": [invoice["id"]],
            "expected_amount": "15.20",
        },
        headers=parent,
    )
    assert started.status_code == 201, started.text
    payment = started.json()
    assert payment["kind"] == "url" and payment["amount_cents"] == 1520
    url = urlsplit(payment["url"])
    assert url.path == f"/api/billing/payments/dummy-bank/{payment['transaction_id']}"
    # The test bank's page, then « Payer ».
    bank_path = url.path.removeprefix("/api/billing")
    page = await client.get(f"{bank_path}?{url.query}")
    assert page.status_code == 200 and "15,20" in page.text
    paid = await client.post(bank_path, data={"decision": "pay"})
    assert paid.status_code == 303
    back = urlsplit(paid.headers["location"])
    # The payer's return (signed, applied again: a no-op), then the portal's page.
    returned = await client.get(f"{back.path.removeprefix('/api/billing')}?{back.query}")
    assert returned.status_code == 303
    assert returned.headers["location"].endswith(f"/factures/paiement/{payment['transaction_id']}")
    state = await client.get(f"/payments/transactions/{payment['transaction_id']}", headers=parent)
    assert state.json()["state"] == "paid"
    # A replayed notification changes nothing.
    notify = f"/payments/notify/{payment['transaction_id']}?{back.query}"
    for _ in range(3):
        assert (await client.post(notify)).status_code == 200
    assert len(await payments(town)) == 1
    [after] = await town.invoices(household)
    assert after["payment_status"] == "paid" and after["due_cents"] == 0
    published = await town.billing.published()
    received = [e for e in published if e["type"] == "billing.payment.received"]
    assert len(received) == 1
    assert received[0]["payload"]["invoice_numbers"] == [invoice["number"]]
    assert received[0]["payload"]["payer_email"] == "parent@demo.test"
    again = await client.post(
        "/payments/online",
        json={"household_id": str(household.id), "invoice_ids": [invoice["id"]]},
        headers=parent,
    )
    assert again.status_code == 409
    assert again.json()["type"] == "urn:marelle:problem:already-paid"


async def test_forged_tampered_foreign_and_cross_tenant_attempts_are_refused_and_logged(
    town: Town,
) -> None:
    await town.dummy_provider()
    household, invoice = await issued_invoice(town)
    other = await town.household("000002")
    client = town.billing.client
    # Another household's invoice.
    foreign = await client.post(
        "/payments/online",
        json={"household_id": str(other.id), "invoice_ids": [invoice["id"]]},
        headers=town.parent(other),
    )
    assert foreign.status_code == 404
    # Paying for another household by naming it.
    assert (
        await client.post(
            "/payments/online",
            json={"household_id": str(household.id), "invoice_ids": [invoice["id"]]},
            headers=town.parent(other),
        )
    ).status_code == 404
    # A wrong amount shown to the payer.
    assert (
        await client.post(
            "/payments/online",
            json={
                "household_id": str(household.id),
                "invoice_ids": [invoice["id"]],
                "expected_amount": "1.00",
            },
            headers=town.parent(household),
        )
    ).status_code == 409
    started = (
        await client.post(
            "/payments/online",
            json={"household_id": str(household.id), "invoice_ids": [invoice["id"]]},
            headers=town.parent(household),
        )
    ).json()
    query = dict(parse_qsl(urlsplit(started["url"]).query))
    provider_id = query["transaction_id"]
    notify = f"/payments/notify/{started['transaction_id']}"
    # Forged: « signed » without Marelle's MAC.
    forged = await client.post(
        f"{notify}?"
        + urlencode({"transaction_id": provider_id, "ok": "1", "signed": "1", "amount": "15.20"})
    )
    assert forged.status_code == 403
    # Tampered amount with a MAC made by someone who does not have the key.
    tampered = await client.post(
        f"{notify}?"
        + urlencode(
            {
                "transaction_id": provider_id,
                "ok": "1",
                "signed": "1",
                "amount": "0.01",
                "mac": "0" * 64,
            }
        )
    )
    assert tampered.status_code == 403
    # Another tenant's gateway relaying it.
    cross = await client.post(
        f"{notify}?transaction_id={provider_id}", headers={TENANT_HEADER: str(uuid4())}
    )
    assert cross.status_code == 404
    assert (await client.post(f"/payments/notify/{uuid4()}")).status_code == 404
    assert await payments(town) == []
    assert sorted(await incidents(town)) == [
        "amount-mismatch",
        "bad-signature",
        "bad-signature",
        "cross-tenant",
        "foreign-invoice",
        "unknown-transaction",
    ]
    listed = await client.get("/payments/incidents/recent", headers=town.office)
    assert sorted(i["kind"] for i in listed.json()) == [
        "amount-mismatch",
        "bad-signature",
        "bad-signature",
        "cross-tenant",
        "foreign-invoice",
    ]


async def test_systempay_signature_and_amount_are_checked(town: Town) -> None:
    client = town.billing.client
    configured = await client.put(
        "/settings/providers/invoices",
        json={
            "backend": "systempayv2",
            "options": {"vads_site_id": "12345678", "vads_ctx_mode": "TEST"},
            "secrets": {"secret_test": "TESTSECRET123"},
        },
        headers=town.admin,
    )
    assert configured.status_code == 200, configured.text
    assert configured.json()["secrets"] == {"secret_test": "chiffré"}
    async with town.billing.runtime.database.transaction() as session:
        stored = await session.scalar(sa.select(PaymentProvider.secrets))
    assert stored is not None and "TESTSECRET123" not in stored
    household, invoice = await issued_invoice(town)
    started = (
        await client.post(
            "/payments/online",
            json={"household_id": str(household.id), "invoice_ids": [invoice["id"]]},
            headers=town.parent(household),
        )
    ).json()
    assert started["kind"] == "form"
    fields = {f["name"]: f["value"] for f in started["form_fields"]}
    assert fields["vads_amount"] == "1520"
    assert fields["vads_url_check"].endswith(f"/payments/notify/{started['transaction_id']}")
    backend = eopayment.Payment(
        "systempayv2", {"vads_site_id": "12345678", "secret_test": "TESTSECRET123"}
    ).backend

    def notification(amount: str, *, sign: bool = True) -> str:
        answer = {k: v for k, v in fields.items() if k.startswith("vads_")}
        answer.update(vads_amount=amount, vads_result="00", vads_auth_result="00")
        answer["signature"] = backend.signature(answer) if sign else "bad"
        return urlencode(answer)

    notify = f"/payments/notify/{started['transaction_id']}"
    assert (
        await client.post(
            notify,
            content=notification("1520", sign=False),
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
    ).status_code == 403
    # Signed by the provider's key but for another amount: refused too.
    assert (
        await client.post(
            notify,
            content=notification("1"),
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
    ).status_code == 403
    assert await payments(town) == []
    ok = await client.post(
        notify,
        content=notification("1520"),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert ok.status_code == 200
    assert [p.amount_cents for p in await payments(town)] == [1520]
    assert sorted(await incidents(town)) == ["bad-signature", "tampered-amount"]
    # Administrators only, and unknown options are refused with a reason.
    assert (await client.get("/settings/providers", headers=town.office)).status_code == 403
    bad = await client.put(
        "/settings/providers/invoices",
        json={"backend": "payfip_ws", "options": {"numcli": "12"}},
        headers=town.admin,
    )
    assert bad.status_code == 422


async def test_counter_payments_allocate_oldest_first_with_receipts_and_cesu_rules(
    town: Town,
) -> None:
    meal = await town.activity()
    care = await town.activity(
        "Accueil du matin", kind=ActivityKind.MORNING_CARE, share=FiscalShare.CHILDCARE
    )
    await town.tariff(meal)
    await town.tariff(care, {"pricing": {"method": "flat", "unit_price": "2.00"}})
    household = await town.household("000010")
    await town.book(household, meal, [date(2026, 10, 5), date(2026, 10, 6)])
    await town.issue(
        (
            await town.run(
                period_start="2026-10-01",
                period_end="2026-10-31",
                issue_date="2026-11-02",
                due_date="2026-11-20",
                online_payment_until="2026-11-20",
            )
        )["id"]
    )
    await town.book(household, meal, NOVEMBER_SCHOOL_DAYS[:2])
    await town.book(household, care, NOVEMBER_SCHOOL_DAYS[:5])
    await town.issue((await town.run())["id"])
    october, november = sorted(await town.invoices(household), key=lambda i: i["number"])
    assert (october["total_cents"], november["total_cents"]) == (760, 760 + 1000)
    client = town.billing.client
    # Cash: the oldest invoice first, the rest on the next.
    cash = await client.post(
        "/payments",
        json={"household_id": str(household.id), "mode": "cash", "amount": "10.00"},
        headers=town.office,
    )
    assert cash.status_code == 201, cash.text
    paid = cash.json()
    assert [(a["number"], a["amount_cents"]) for a in paid["allocations"]] == [
        (october["number"], 760),
        (november["number"], 240),
    ]
    assert paid["receipt_number"] == "R2026-000001"
    receipt = await client.get(paid["receipt_url"], headers=town.parent(household))
    assert receipt.status_code == 200 and receipt.content.startswith(b"%PDF")
    # CESU: refused while the town has not opted in, then only for the care.
    cesu = {
        "household_id": str(household.id),
        "mode": "cesu",
        "amount": "10.00",
        "reference": "CESU 12345678",
    }
    refused = await client.post("/payments", json=cesu, headers=town.office)
    assert refused.status_code == 409
    assert refused.json()["type"] == "urn:marelle:problem:cesu-refused"
    settings = (await client.get("/settings", headers=town.office)).json()
    assert (
        await client.put("/settings", json={**settings, "cesu_accepted": True}, headers=town.office)
    ).status_code == 200
    assert (
        await client.post("/payments", json={**cesu, "amount": "10.01"}, headers=town.office)
    ).status_code == 409  # meals are not care
    accepted = await client.post("/payments", json=cesu, headers=town.office)
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["allocations"] == [
        {"invoice_id": november["id"], "number": november["number"], "amount_cents": 1000}
    ]
    # Too much: a credit, which can be refunded, and no more than it.
    over = await client.post(
        "/payments",
        json={
            "household_id": str(household.id),
            "mode": "cheque",
            "amount": "10.00",
            "reference": "Chèque 0012",
        },
        headers=town.office,
    )
    assert over.json()["credit_cents"] == 1000 - 520
    assert (
        await client.post(
            "/refunds",
            json={"household_id": str(household.id), "amount": "5.00", "mode": "transfer"},
            headers=town.office,
        )
    ).status_code == 409
    assert (
        await client.post(
            "/refunds",
            json={"household_id": str(household.id), "amount": "4.80", "mode": "transfer"},
            headers=town.office,
        )
    ).status_code == 201
    statement = (
        await client.get(f"/accounts/{household.id}/statement", headers=town.parent(household))
    ).json()
    assert statement["balance_cents"] == 0
    assert statement["entries"][-1]["balance_cents"] == 0
    assert statement["unpaid_cents"] == 0 and statement["credit_cents"] == 0
    journal = (
        await client.get(
            "/reports/cash-journal", params={"from": local_today().isoformat()}, headers=town.office
        )
    ).json()
    assert {m["mode"]: m["total_cents"] for m in journal["modes"]} == {
        "cash": 1000,
        "cesu": 1000,
        "cheque": 1000,
    }
    exported = await client.get(
        "/exports/cash-journal.csv", params={"from": local_today().isoformat()}, headers=town.office
    )
    assert exported.status_code == 200
    assert exported.text.splitlines()[0].lstrip("\ufeff").startswith("Date;Mode")
    # Parents never record payments.
    assert (
        await client.post("/payments", json=cesu, headers=town.parent(household))
    ).status_code == 403


async def test_csv_cells_that_look_like_formulas_are_neutralised(town: Town) -> None:
    meal = await town.activity()
    await town.tariff(meal)
    household = await town.household("=HYPERLINK(1)")
    await town.book(household, meal, NOVEMBER_SCHOOL_DAYS[:1])
    run = await town.run()
    exported = await town.billing.client.get(
        "/exports/invoices.csv", params={"run_id": run["id"]}, headers=town.office
    )
    assert "'=HYPERLINK(1)" in exported.text
    assert ";=HYPERLINK" not in exported.text


async def test_the_prepaid_basket_is_paid_or_released(town: Town) -> None:
    await town.dummy_provider()
    meal = await town.activity()
    await town.tariff(meal)
    household = await town.household("000020")
    client = town.billing.client
    parent = town.parent(household)
    future = [date.today() + timedelta(days=d) for d in (7, 8)]
    items = [
        {"child_id": str(household.children[0]), "activity_id": str(meal), "day": d.isoformat()}
        for d in future
    ]
    created = await client.post(
        "/baskets", json={"household_id": str(household.id), "items": items}, headers=parent
    )
    assert created.status_code == 201, created.text
    basket = created.json()
    assert basket["state"] == "open" and basket["total_cents"] == 760
    assert (
        await client.post(
            "/baskets", json={"household_id": str(household.id), "items": items}, headers=parent
        )
    ).status_code == 409
    paying = (await client.post(f"/baskets/{basket['id']}/pay", json={}, headers=parent)).json()
    assert paying["basket"]["state"] == "to_be_paid"
    url = urlsplit(paying["payment"]["url"])
    await client.post(url.path.removeprefix("/api/billing"), data={"decision": "pay"})
    done = (await client.get(f"/baskets/{basket['id']}", headers=parent)).json()
    assert done["state"] == "completed"
    published = await town.billing.published()
    assert [e["payload"]["basket_id"] for e in published if e["type"] == "billing.basket.paid"] == [
        basket["id"]
    ]
    statement = (await client.get(f"/accounts/{household.id}/statement", headers=parent)).json()
    assert statement["credit_cents"] == 760  # used first on the invoice of those meals

    # A second basket left open past its hold is released by the expiry job.
    second = (
        await client.post(
            "/baskets", json={"household_id": str(household.id), "items": items[:1]}, headers=parent
        )
    ).json()
    database = town.billing.runtime.database
    async with database.transaction() as session:
        await session.execute(
            sa.update(Basket)
            .where(Basket.id == UUID(second["id"]))  # type: ignore[arg-type]
            .values(expires_at=utcnow() - timedelta(minutes=1))
        )
    settings = town.billing.runtime.settings
    assert isinstance(settings, BillingSettings)
    await expire_baskets(database, settings)
    expired = (await client.get(f"/baskets/{second['id']}", headers=parent)).json()
    assert expired["state"] == "expired"
    released = [e for e in await town.billing.published() if e["type"] == "billing.basket.expired"]
    assert [(e["payload"]["reason"], len(e["payload"]["lines"])) for e in released] == [
        ("expired", 1)
    ]
    assert (
        await client.get(
            f"/baskets/{second['id']}", headers=town.parent(await town.household("000021"))
        )
    ).status_code == 404


async def test_unpaid_report_ages_the_invoices(town: Town) -> None:
    household, invoice = await issued_invoice(town)
    client = town.billing.client
    report = (
        await client.get("/reports/unpaid", params={"as_of": "2100-02-15"}, headers=town.office)
    ).json()
    assert report["total_due_cents"] == 1520
    assert {b["bucket"]: b["invoices"] for b in report["buckets"]}["31-60"] == 1
    _ = household, invoice, roles


class FakePayfipAnswer:
    """What PayFiP's recupererDetailPaiementSecurise answers (zeep object: keys and items)."""

    def __init__(self, **values: str | None) -> None:
        self.values = values
        for key, value in values.items():
            setattr(self, key, value)

    def __iter__(self) -> Any:
        return iter(self.values)

    def __getitem__(self, key: str) -> str | None:
        return self.values[key]


async def test_payfip_is_asked_server_to_server_and_reconciled(
    town: Town, monkeypatch: Any
) -> None:
    from eopayment import payfip_ws

    asked: list[dict[str, Any]] = []
    results: dict[str, str] = {}

    def get_idop(self: Any, **values: Any) -> str:
        asked.append(values)
        return f"IDOP{len(asked)}"

    def get_info_paiement(self: Any, idop: str, timeout: Any = None) -> FakePayfipAnswer:
        if idop not in results:
            raise payfip_ws.PayFiPError("P5", "paiement en cours")
        return FakePayfipAnswer(
            resultrans=results[idop],
            refdet=asked[int(idop[4:]) - 1]["refdet"],
            numauto="A1",
            dattrans="01122026",
            heurtrans="1000",
            saisie="T",
            montant=asked[int(idop[4:]) - 1]["montant"],
        )

    monkeypatch.setattr(payfip_ws.PayFiP, "get_idop", get_idop)
    monkeypatch.setattr(payfip_ws.PayFiP, "get_info_paiement", get_info_paiement)
    client = town.billing.client
    configured = await client.put(
        "/settings/providers/invoices",
        json={"backend": "payfip_ws", "options": {"numcli": "123456", "saisie": "T"}},
        headers=town.admin,
    )
    assert configured.status_code == 200, configured.text
    household, invoice = await issued_invoice(town)
    parent = town.parent(household)
    body = {"household_id": str(household.id), "invoice_ids": [invoice["id"]]}
    first = (await client.post("/payments/online", json=body, headers=parent)).json()
    assert first["url"] == "https://www.payfip.gouv.fr/tpa/paiementws.web?idop=IDOP1"
    [request] = asked
    assert request["montant"] == "1520" and request["mel"] == "parent@demo.test"
    assert len(request["refdet"]) <= 30 and request["refdet"].isalnum()
    assert request["url_notification"].endswith(f"/payments/notify/{first['transaction_id']}")
    notify = f"/payments/notify/{first['transaction_id']}"
    # Still in progress at PayFiP (P5): nothing happens.
    assert (
        await client.post(
            notify,
            content="idOp=IDOP1",
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
    ).status_code == 200
    assert await payments(town) == []
    # Refused: the notification says so only because PayFiP says so when asked.
    results["IDOP1"] = "R"
    await client.post(
        notify, content="idOp=IDOP1", headers={"content-type": "application/x-www-form-urlencoded"}
    )
    state = (
        await client.get(f"/payments/transactions/{first['transaction_id']}", headers=parent)
    ).json()
    assert state["state"] == "denied"
    failed = [e for e in await town.billing.published() if e["type"] == "billing.payment.failed"]
    assert [e["payload"]["invoice_numbers"] for e in failed] == [[invoice["number"]]]

    # A second try whose notification is lost: the reconciliation job asks PayFiP.
    second = (await client.post("/payments/online", json=body, headers=parent)).json()
    results["IDOP2"] = "P"
    from marelle_billing.jobs import reconcile_running
    from marelle_billing.models import PaymentTransaction

    database = town.billing.runtime.database
    async with database.transaction() as session:
        await session.execute(
            sa.update(PaymentTransaction)
            .where(PaymentTransaction.id == UUID(second["transaction_id"]))  # type: ignore[arg-type]
            .values(created_at=utcnow() - timedelta(minutes=30))
        )
    settings = town.billing.runtime.settings
    assert isinstance(settings, BillingSettings)
    assert await reconcile_running(database, settings) == 1
    assert [p.amount_cents for p in await payments(town)] == [1520]
    assert await reconcile_running(database, settings) == 0  # settled: not asked again


async def test_a_basket_being_paid_gets_its_grace_then_is_released(town: Town) -> None:
    await town.dummy_provider()
    meal = await town.activity()
    await town.tariff(meal)
    household = await town.household("000030")
    client = town.billing.client
    parent = town.parent(household)
    day = date.today() + timedelta(days=9)
    basket = (
        await client.post(
            "/baskets",
            json={
                "household_id": str(household.id),
                "items": [
                    {
                        "child_id": str(household.children[0]),
                        "activity_id": str(meal),
                        "day": day.isoformat(),
                    }
                ],
            },
            headers=parent,
        )
    ).json()
    paying = (await client.post(f"/baskets/{basket['id']}/pay", json={}, headers=parent)).json()
    database = town.billing.runtime.database
    settings = town.billing.runtime.settings
    assert isinstance(settings, BillingSettings)

    async def hold_ended(ago: timedelta) -> str:
        async with database.transaction() as session:
            await session.execute(
                sa.update(Basket)
                .where(Basket.id == UUID(basket["id"]))  # type: ignore[arg-type]
                .values(expires_at=utcnow() - ago)
            )
        await expire_baskets(database, settings)
        return str((await client.get(f"/baskets/{basket['id']}", headers=parent)).json()["state"])

    # The payer is on the provider's page: 60 minutes of grace after the hold.
    assert await hold_ended(timedelta(minutes=30)) == "to_be_paid"
    assert await hold_ended(timedelta(minutes=61)) == "expired"
    transaction = (
        await client.get(
            f"/payments/transactions/{paying['payment']['transaction_id']}", headers=parent
        )
    ).json()
    assert transaction["state"] == "expired"
    kinds = [e["type"] for e in await town.billing.published()]
    assert "billing.payment.failed" in kinds and "billing.basket.expired" in kinds
    # Paid after all (the provider took the money late): recorded as a credit, the basket
    # stays released.
    url = urlsplit(paying["payment"]["url"])
    await client.post(url.path.removeprefix("/api/billing"), data={"decision": "pay"})
    assert [p.amount_cents for p in await payments(town)] == [380]
    after = (await client.get(f"/baskets/{basket['id']}", headers=parent)).json()
    assert after["state"] == "expired"
    statement = (await client.get(f"/accounts/{household.id}/statement", headers=parent)).json()
    assert statement["credit_cents"] == 380
