"""Invoice runs through the API: draft, review, issue, numbering, PDFs, immutability, carry-over,
credit notes; the quote and the simulator."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

import pytest
import sqlalchemy as sa

from marelle_billing.jobs import pdf_sweep
from marelle_billing.models import Invoice, InvoiceLine, StoredDocument
from marelle_contracts import (
    AbsenceDeclared,
    AbsenceValidated,
    ActivityKind,
    BillingMode,
    BillingUnit,
    CellState,
    FiscalShare,
    RegisterReopened,
)
from marelle_kit import roles
from marelle_kit.jobs import InProcessJobRunner

from billing_helpers import NOVEMBER_SCHOOL_DAYS, Town


async def render_pdfs(town: Town) -> int:
    """One sweep of the PDF job and the renders it enqueued; how many PDFs are stored."""
    jobs = town.billing.runtime.jobs
    assert isinstance(jobs, InProcessJobRunner)
    await jobs.run(pdf_sweep)
    await jobs.drain()
    async with town.billing.runtime.database.transaction() as session:
        return len(list(await session.scalars(sa.select(StoredDocument.id))))


async def test_a_month_of_meals_is_priced_reviewed_issued_numbered_and_rendered(
    town: Town,
) -> None:
    meal = await town.activity()
    await town.tariff(meal)
    # Two children (QF 620: 3,80 €), a second household without QF (default bracket 5,20 €).
    martin = await town.household("000001", births=(date(2016, 1, 1), date(2019, 5, 5)))
    bernard = await town.household("000002", quotient=None)
    await town.book(martin, meal, NOVEMBER_SCHOOL_DAYS)
    await town.book(bernard, meal, NOVEMBER_SCHOOL_DAYS[:3])
    # Absent with a billed reason, absent for free: only the first is billed.
    absent = town.cell(martin, martin.children[0], meal, date(2026, 12, 1))
    run = await town.run()
    review = run["review"]
    assert review["errors"] == []
    assert review["invoices"] == 2
    assert review["total_cents"] == 2 * 17 * 380 + 3 * 520
    warnings = {w["code"]: w for w in review["warnings"]}
    assert warnings["missing-qf"]["count"] == 1  # one household
    brackets = {(b["activity"], b["bracket"]): b["amount_cents"] for b in review["per_bracket"]}
    assert brackets[("Repas", "QF 501–800 €")] == 2 * 17 * 380
    assert brackets[("Repas", "QF 1201 € et plus")] == 3 * 520

    # A draft is not the family's: they see nothing before the issue.
    parent = town.parent(martin)
    assert (
        await town.billing.client.get(
            "/invoices", params={"household_id": str(martin.id)}, headers=parent
        )
    ).json() == []

    issued = await town.issue(run["id"])
    assert issued["status"] == "issued"
    [martin_invoice] = await town.invoices(martin)
    [bernard_invoice] = await town.invoices(bernard)
    assert {martin_invoice["number"], bernard_invoice["number"]} == {"F2026-000001", "F2026-000002"}
    detail = (
        await town.billing.client.get(f"/invoices/{martin_invoice['id']}", headers=parent)
    ).json()
    assert len(detail["lines"]) == 2  # one per child
    assert sum(line["amount_cents"] for line in detail["lines"]) == detail["total_cents"]
    line = detail["lines"][0]
    assert line["quantity"] == "17" and line["unit_price"] == "3.80"
    assert line["rule"] == "QF 620 € : QF 501–800 €"
    assert line["fiscal_share"] == "meal"
    assert line["dates_label"].startswith("2, 3, 5, 6, 9")
    bernard_detail = (
        await town.billing.client.get(f"/invoices/{bernard_invoice['id']}", headers=town.office)
    ).json()
    assert bernard_detail["lines"][0]["rule"].startswith("QF non fourni")

    published = await town.billing.published()
    issued_events = [e for e in published if e["type"] == "billing.invoice.issued"]
    assert sorted(e["payload"]["number"] for e in issued_events) == ["F2026-000001", "F2026-000002"]
    event = next(e for e in issued_events if e["payload"]["household_id"] == str(martin.id))
    assert event["payload"]["amount_cents"] == 2 * 17 * 380
    assert event["payload"]["period_label"] == "novembre 2026"
    assert event["key"] == str(martin.id)
    balances = [e for e in published if e["type"] == "billing.balance.changed"]
    assert {e["payload"]["household_id"]: e["payload"]["balance_cents"] for e in balances}[
        str(martin.id)
    ] == 2 * 17 * 380

    # The PDF comes from the background job, then downloads for the family only.
    assert (
        await town.billing.client.get(f"/invoices/{martin_invoice['id']}/pdf", headers=parent)
    ).status_code == 404
    assert await render_pdfs(town) == 2
    pdf = await town.billing.client.get(f"/invoices/{martin_invoice['id']}/pdf", headers=parent)
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    other = town.parent(bernard)
    assert (
        await town.billing.client.get(f"/invoices/{martin_invoice['id']}/pdf", headers=other)
    ).status_code == 404
    assert (
        await town.billing.client.get(f"/invoices/{martin_invoice['id']}", headers=other)
    ).status_code == 404
    stranger = town.tokens.headers(roles=[roles.REGIE], tenant_id=uuid4())
    assert (
        await town.billing.client.get(f"/invoices/{martin_invoice['id']}", headers=stranger)
    ).status_code == 404
    _ = absent


async def test_an_issued_invoice_never_changes(town: Town) -> None:
    meal = await town.activity()
    await town.tariff(meal)
    household = await town.household("000003")
    await town.book(household, meal, NOVEMBER_SCHOOL_DAYS[:2])
    run = await town.run()
    await town.issue(run["id"])
    [invoice] = await town.invoices(household)
    invoice_id = UUID(invoice["id"])
    database = town.billing.runtime.database
    for statement in (
        sa.update(Invoice).where(Invoice.id == invoice_id).values(total_cents=1),  # type: ignore[arg-type]
        sa.update(Invoice).where(Invoice.id == invoice_id).values(number="F2026-999999"),  # type: ignore[arg-type]
        sa.update(Invoice).where(Invoice.id == invoice_id).values(status="draft"),  # type: ignore[arg-type]
        sa.delete(Invoice).where(Invoice.id == invoice_id),  # type: ignore[arg-type]
        sa.update(InvoiceLine)
        .where(InvoiceLine.invoice_id == invoice_id)
        .values(  # type: ignore[arg-type]
            amount_cents=0
        ),
        sa.delete(InvoiceLine).where(InvoiceLine.invoice_id == invoice_id),  # type: ignore[arg-type]
    ):
        with pytest.raises(sa.exc.DBAPIError, match="immutable"):
            async with database.transaction() as session:
                await session.execute(statement)
    # What may change: what was paid.
    async with database.transaction() as session:
        await session.execute(
            sa.update(Invoice).where(Invoice.id == invoice_id).values(paid_cents=10)  # type: ignore[arg-type]
        )
    # The run cannot be cancelled, nor issued again, nor another run cover its period.
    client = town.billing.client
    deleted = await client.delete(f"/invoice-runs/{run['id']}", headers=town.office)
    assert deleted.status_code == 409
    assert deleted.json()["type"] == "urn:marelle:problem:invoice-immutable"
    again = await client.post(f"/invoice-runs/{run['id']}/issue", headers=town.office)
    assert again.status_code == 409
    overlapping = await client.post(
        "/invoice-runs",
        json={
            "period_start": "2026-11-15",
            "period_end": "2026-12-15",
            "issue_date": "2026-12-16",
            "due_date": "2026-12-30",
            "online_payment_until": "2026-12-30",
        },
        headers=town.office,
    )
    assert overlapping.status_code == 409


async def test_an_open_register_blocks_a_run_billed_on_attendance(town: Town) -> None:
    care = await town.activity(
        "Accueil du soir",
        kind=ActivityKind.EVENING_CARE,
        mode=BillingMode.ON_ATTENDANCE,
        unit=BillingUnit.QUARTER_HOUR,
        share=FiscalShare.CHILDCARE,
    )
    await town.tariff(
        care,
        {
            "pricing": {
                "method": "time_slots",
                "slots": [
                    {"start": "16:30", "end": "18:00", "unit_price": "0.50"},
                    {"start": "18:00", "end": "19:00", "unit_price": "0.80"},
                ],
            },
            "unit": "quarter_hour",
            "default_units": "4",
        },
    )
    household = await town.household("000004")
    child = household.children[0]
    day = date(2026, 11, 12)
    [booked] = await town.book(household, care, [day])
    run = await town.run()
    assert [e["code"] for e in run["review"]["errors"]] == ["register-open"]
    assert run["review"]["errors"][0]["examples"] == ["Accueil du soir, 12/11/2026"]
    refused = await town.billing.client.post(
        f"/invoice-runs/{run['id']}/issue", headers=town.office
    )
    assert refused.status_code == 409
    assert refused.json()["type"] == "urn:marelle:problem:invoice-run-has-errors"

    from datetime import time

    present = town.cell(
        household,
        child,
        care,
        day,
        CellState.PRESENT,
        cell_id=booked.cell_id,
        arrival=time(16, 30),
        departure=time(18, 10),
    )
    await town.close_register(care, day, [present])
    recomputed = (
        await town.billing.client.post(f"/invoice-runs/{run['id']}/compute", headers=town.office)
    ).json()
    assert recomputed["review"]["errors"] == []
    # 16:30-18:10: 7 started quarters, 6 in the first slot and 1 in the second.
    assert recomputed["review"]["total_cents"] == 6 * 50 + 80
    # Reopened: it waits again.
    await town.deliver(RegisterReopened(register_id=uuid4(), activity_id=care, day=day), care)


async def test_small_amounts_carry_over_into_the_next_invoice(town: Town) -> None:
    meal = await town.activity()
    await town.tariff(meal)
    household = await town.household("000005")
    await town.book(household, meal, [date(2026, 10, 5)])
    october = await town.run(
        period_start="2026-10-01",
        period_end="2026-10-31",
        issue_date="2026-11-02",
        due_date="2026-11-20",
        online_payment_until="2026-11-20",
        minimum_amount="5.00",
    )
    assert october["review"]["invoices"] == 0
    assert october["review"]["carried_over"] == 1
    await town.issue(october["id"])
    assert await town.invoices(household) == []
    await town.book(household, meal, NOVEMBER_SCHOOL_DAYS[:2])
    november = await town.run(minimum_amount="5.00")
    assert november["review"]["total_cents"] == 3 * 380
    await town.issue(november["id"])
    [invoice] = await town.invoices(household)
    assert invoice["number"] == "F2026-000001" and invoice["total_cents"] == 3 * 380
    detail = (
        await town.billing.client.get(f"/invoices/{invoice['id']}", headers=town.office)
    ).json()
    assert [line["dates_label"] for line in detail["lines"]] == ["5 oct. 2026", "2, 3 nov. 2026"]
    # The diff against October's run is in the review.
    assert november["review"]["diff"]["new_households"] == 1


async def test_a_credit_note_corrects_an_issued_invoice(town: Town) -> None:
    meal = await town.activity()
    await town.tariff(meal)
    household = await town.household("000006")
    await town.book(household, meal, NOVEMBER_SCHOOL_DAYS[:4])
    await town.issue((await town.run())["id"])
    [invoice] = await town.invoices(household)
    client = town.billing.client
    note = await client.post(
        f"/invoices/{invoice['id']}/credit-notes",
        json={
            "reason": "Grève du 3 novembre non déduite",
            "lines": [{"line_position": 0, "quantity": "1"}],
        },
        headers=town.office,
    )
    assert note.status_code == 201, note.text
    assert note.json()["number"] == "AV2026-000001"
    assert note.json()["total_cents"] == -380
    [_credit, original] = sorted(await town.invoices(household), key=lambda i: i["total_cents"])
    assert original["total_cents"] == 4 * 380  # unchanged
    assert original["paid_cents"] == 380 and original["due_cents"] == 3 * 380
    statement = (
        await client.get(f"/accounts/{household.id}/statement", headers=town.parent(household))
    ).json()
    assert statement["balance_cents"] == 3 * 380
    assert [e["balance_cents"] for e in statement["entries"]] == [4 * 380, 3 * 380]
    too_much = await client.post(
        f"/invoices/{invoice['id']}/credit-notes",
        json={"reason": "Trop", "lines": [{"line_position": 0, "quantity": "9"}]},
        headers=town.office,
    )
    assert too_much.status_code == 409


async def test_the_quote_prices_a_grid_for_the_family_only(town: Town) -> None:
    meal = await town.activity()
    await town.tariff(meal, {**MEAL_RULES_WITH_LATE})
    household = await town.household("000007", births=(date(2016, 1, 1), date(2019, 1, 1)))
    items = [
        {"child_id": str(c), "activity_id": str(meal), "day": d.isoformat()}
        for c in household.children
        for d in NOVEMBER_SCHOOL_DAYS[:4]
    ]
    items[0]["late"] = True
    body = {"household_id": str(household.id), "items": items}
    client = town.billing.client
    quote = await client.post("/quotes", json=body, headers=town.parent(household))
    assert quote.status_code == 200, quote.text
    data = quote.json()
    assert data["total_cents"] == 8 * 380 + 100
    assert [c["total_cents"] for c in data["children"]] == [4 * 380 + 100, 4 * 380]
    assert "hors délai +1,00 €" in data["items"][0]["price"]["parts"][0]["rule"]
    stranger = await town.household("000008")
    assert (
        await client.post("/quotes", json=body, headers=town.parent(stranger))
    ).status_code == 404
    # The staff simulator: the rule applied and the QF of the day.
    simulated = await client.post(
        "/simulator",
        json={
            "household_id": str(household.id),
            "child_id": str(household.children[1]),
            "activity_id": str(meal),
            "day": "2026-11-12",
            "state": "absent_unexcused",
            "absence_charge": "penalty",
            "penalty_percent": 50,
        },
        headers=town.office,
    )
    assert simulated.status_code == 200, simulated.text
    assert simulated.json()["amount_cents"] == 190
    assert simulated.json()["quotient"] == 620
    assert (
        await client.post("/simulator", json={}, headers=town.parent(household))
    ).status_code == 403


MEAL_RULES_WITH_LATE = {
    "pricing": {
        "method": "qf_brackets",
        "brackets": [
            {"min": 0, "max": 500, "unit_price": "3.10"},
            {"min": 501, "max": 800, "unit_price": "3.80"},
            {"min": 801, "unit_price": "4.50"},
        ],
        "missing_qf_bracket": 2,
    },
    "late": {"surcharge_amount": "1.00"},
}


async def test_tariffs_are_checked_at_save(town: Town) -> None:
    meal = await town.activity()
    await town.tariff(meal, valid_to="2026-12-31")
    client = town.billing.client
    body = {
        "activity_id": str(meal),
        "label": "Autre",
        "valid_from": "2026-12-01",
        "rules": {"pricing": {"method": "flat", "unit_price": "2"}},
    }
    overlap = await client.post("/tariffs", json=body, headers=town.office)
    assert overlap.status_code == 409
    assert overlap.json()["type"] == "urn:marelle:problem:tariff-overlap"
    # Another scope (holidays) may overlap; a later version may follow.
    assert (
        await client.post("/tariffs", json={**body, "day_kind": "holiday"}, headers=town.office)
    ).status_code == 201
    assert (
        await client.post(
            "/tariffs", json={**body, "valid_from": "2027-01-01"}, headers=town.office
        )
    ).status_code == 201
    gap = {
        **body,
        "valid_from": "2028-01-01",
        "rules": {
            "pricing": {
                "method": "qf_brackets",
                "missing_qf_bracket": 0,
                "brackets": [
                    {"min": 0, "max": 400, "unit_price": "1"},
                    {"min": 500, "unit_price": "2"},
                ],
            }
        },
    }
    invalid = await client.post("/tariffs", json=gap, headers=town.office)
    assert invalid.status_code == 422
    assert "401 à 499" in invalid.text
    assert (
        await client.post(
            "/tariffs",
            json=body,
            headers=town.tokens.headers(roles=[roles.AGENT], tenant_id=town.id),
        )
    ).status_code == 403
    unknown = await client.post(
        "/tariffs", json={**body, "activity_id": str(uuid4())}, headers=town.office
    )
    assert unknown.status_code == 404


async def test_cells_keep_the_highest_version(town: Town) -> None:
    meal = await town.activity()
    await town.tariff(meal)
    household = await town.household("000009")
    day = NOVEMBER_SCHOOL_DAYS[0]
    [booked] = await town.book(household, meal, [day])
    absent = town.cell(
        household,
        household.children[0],
        meal,
        day,
        CellState.ABSENT_EXCUSED,
        cell_id=booked.cell_id,
        absence_charge="free",
        absence_reason="médical",
    )
    await town.deliver(AbsenceDeclared(cells=[absent]), household.id)
    # The older fact delivered again (a replay out of order) changes nothing.
    from marelle_contracts import BookingMade

    await town.deliver(BookingMade(cells=[booked]), household.id)
    run = await town.run()
    assert run["review"]["total_cents"] == 0
    assert run["review"]["invoices"] == 0


async def test_a_quote_costs_the_same_few_queries_whatever_the_grid_size(town: Town) -> None:
    meal = await town.activity()
    care = await town.activity(
        "Accueil du matin", kind=ActivityKind.MORNING_CARE, share=FiscalShare.CHILDCARE
    )
    await town.tariff(meal)
    await town.tariff(care, {"pricing": {"method": "flat", "unit_price": "1.50"}})
    household = await town.household("000011", births=(date(2016, 1, 1), date(2019, 1, 1)))
    engine = town.billing.runtime.database.engine.sync_engine
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    async def quote(days: list[date]) -> int:
        statements.clear()
        items = [
            {"child_id": str(c), "activity_id": str(a), "day": d.isoformat()}
            for c in household.children
            for a in (meal, care)
            for d in days
        ]
        response = await town.billing.client.post(
            "/quotes",
            json={"household_id": str(household.id), "items": items},
            headers=town.parent(household),
        )
        assert response.status_code == 200
        return len(statements)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        small = await quote(NOVEMBER_SCHOOL_DAYS[:1])
        large = await quote(NOVEMBER_SCHOOL_DAYS)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert small == large <= 10


async def test_a_corrective_run_reverses_what_changed_and_bills_it_again(town: Town) -> None:
    meal = await town.activity()
    await town.tariff(meal)
    ana = await town.household("000021")
    bob = await town.household("000022")
    ana_cells = await town.book(ana, meal, NOVEMBER_SCHOOL_DAYS[:4])
    await town.book(bob, meal, NOVEMBER_SCHOOL_DAYS[:4])
    regular = await town.run()
    await town.issue(regular["id"])
    # After the issue: two of Ana's days become free absences; Bob gets one day more.
    freed = [
        town.cell(
            ana,
            ana.children[0],
            meal,
            cell.day,
            CellState.ABSENT_EXCUSED,
            cell_id=cell.cell_id,
            absence_charge="free",
            absence_reason="grève",
        )
        for cell in ana_cells[:2]
    ]
    await town.deliver(AbsenceValidated(cells=freed), ana.id)
    await town.book(bob, meal, [NOVEMBER_SCHOOL_DAYS[10]])
    client = town.billing.client
    elsewhere = await client.post(
        "/invoice-runs",
        json={
            "kind": "corrective",
            "period_start": "2026-11-01",
            "period_end": "2026-11-15",
            "issue_date": "2026-12-10",
            "due_date": "2026-12-30",
            "online_payment_until": "2026-12-30",
        },
        headers=town.office,
    )
    assert elsewhere.status_code == 409
    corrective = await town.run(
        kind="corrective",
        issue_date="2026-12-10",
        due_date="2026-12-30",
        online_payment_until="2026-12-30",
    )
    assert corrective["label"] == "Régularisation novembre 2026"
    assert corrective["review"]["invoices"] == 2
    assert corrective["review"]["total_cents"] == -2 * 380 + 380
    await town.issue(corrective["id"])

    ana_invoices = {i["number"]: i for i in await town.invoices(ana)}
    note = ana_invoices["AV2026-000001"]
    assert (note["kind"], note["total_cents"]) == ("credit_note", -760)
    original = next(i for i in ana_invoices.values() if i["kind"] == "invoice")
    assert (original["total_cents"], original["paid_cents"]) == (4 * 380, 760)  # unchanged
    detail = (await client.get(f"/invoices/{note['id']}", headers=town.office)).json()
    assert [(ln["quantity"], ln["amount_cents"]) for ln in detail["lines"]] == [
        ("-4", -4 * 380),
        ("2", 2 * 380),
    ]
    assert detail["lines"][0]["rule"].startswith("Annulation : QF 620 €")
    bob_extra = next(i for i in await town.invoices(bob) if i["number"] == "F2026-000003")
    assert bob_extra["total_cents"] == 380
    statement = (await client.get(f"/accounts/{ana.id}/statement", headers=town.parent(ana))).json()
    assert statement["balance_cents"] == 4 * 380 - 760
    # Nothing changed since: a second régularisation finds nothing.
    again = await town.run(
        kind="corrective",
        issue_date="2026-12-11",
        due_date="2026-12-30",
        online_payment_until="2026-12-30",
    )
    assert again["review"]["invoices"] == 0
