"""Meal counts for the caterer (CSV, PDF, dated versions), lists of expected children, the
ICS feed at a secret address, and the read models fed by the family-service's events."""

from __future__ import annotations

from datetime import date, time

from icalendar import Calendar

from marelle_booking.counts.render import csv_bytes, neutralise
from marelle_contracts import ChildChanged, ContactEntry, HouseholdErased

from booking_town import Clock, Town

THU = date(2026, 12, 3)
GRANNY = ContactEntry(
    first_name="Monique",
    last_name="Martin",
    relationship="Grand-mère",
    phone="0612345678",
    pick_up=True,
    emergency=True,
)
DOCTOR = ContactEntry(
    first_name="=HYPERLINK(1)",
    last_name="Urgence",
    relationship="Voisin",
    phone="0600000000",
    pick_up=False,
    emergency=True,
)
PRANKSTER = ContactEntry(
    first_name="@SUM(A1)",
    last_name="Farceur",
    relationship="Voisin",
    phone="0600000001",
    pick_up=True,
    emergency=False,
)


async def _canteen_day(town: Town) -> None:
    await town.activity("cantine")
    martin = await town.family(
        "Famille Martin",
        {"Léo": {"diet": "sans_porc"}, "Jade": {}},
        contacts={"Léo": [GRANNY, DOCTOR], "Jade": [PRANKSTER]},
    )
    bernard = await town.family("Famille Bernard", {"Inès": {"diet": "sans_porc", "pai": True}})
    for f, child in ((martin, "Léo"), (martin, "Jade"), (bernard, "Inès")):
        await town.enrol(f, child, "cantine")
        await town.put_week(f, [(child, "cantine", THU, "book")])
    await town.client.post(
        f"/households/{martin.household_id}/absences",
        json={
            "child_id": str(martin.children["Jade"]),
            "first_day": THU.isoformat(),
            "last_day": THU.isoformat(),
            "reason": "autres",
        },
        headers=martin.headers,
    )


async def test_meals_per_day_site_and_diet(town: Town) -> None:
    await _canteen_day(town)
    counts = await town.client.get(
        "/meal-counts",
        params={"first_day": "2026-12-03", "last_day": "2026-12-04"},
        headers=town.agent,
    )
    assert counts.status_code == 200, counts.text
    lines = [
        (x["day"], x["site_name"], x["diet_label"], x["count"]) for x in counts.json()["lines"]
    ]
    # Jade declared absent: not counted.
    assert lines == [("2026-12-03", "École Jules Ferry", "Sans porc", 2)]
    csv = await town.client.get(
        "/meal-counts.csv",
        params={"first_day": "2026-12-03", "last_day": "2026-12-04"},
        headers=town.agent,
    )
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.content.decode("utf-8-sig").splitlines() == [
        "Jour;Site;Régime;Repas",
        "03/12/2026;École Jules Ferry;Sans porc;2",
    ]
    pdf = await town.client.get(
        "/meal-counts.pdf",
        params={"first_day": "2026-12-03", "last_day": "2026-12-04"},
        headers=town.agent,
    )
    assert pdf.content.startswith(b"%PDF")
    too_long = await town.client.get(
        "/meal-counts",
        params={"first_day": "2026-12-01", "last_day": "2027-03-01"},
        headers=town.agent,
    )
    assert too_long.status_code == 422


async def test_each_order_sent_is_kept_as_a_dated_version(town: Town) -> None:
    await _canteen_day(town)
    period = {"first_day": "2026-12-03", "last_day": "2026-12-04"}
    first = await town.client.post("/meal-orders", json=period, headers=town.agent)
    await town.put_week(town.families["Famille Bernard"], [("Inès", "cantine", THU, "cancel")])
    second = await town.client.post("/meal-orders", json=period, headers=town.agent)
    assert (first.json()["version"], first.json()["total"]) == (1, 2)
    assert (second.json()["version"], second.json()["total"]) == (2, 1)
    orders = await town.client.get("/meal-orders", params=period, headers=town.agent)
    assert [o["version"] for o in orders.json()] == [1, 2]
    kept = await town.client.get(f"/meal-orders/{first.json()['id']}.csv", headers=town.agent)
    assert kept.content.decode("utf-8-sig").splitlines()[1].endswith(";2")
    pdf = await town.client.get(f"/meal-orders/{second.json()['id']}.pdf", headers=town.agent)
    assert pdf.content.startswith(b"%PDF")


async def test_expected_children_with_pick_up_persons_and_pai(town: Town) -> None:
    await _canteen_day(town)
    activity = town.activities["cantine"]
    listing = await town.client.get(
        f"/activities/{activity}/days/{THU}/expected", headers=town.animateur
    )
    children = {c["first_name"]: c for c in listing.json()["children"]}
    assert children["Léo"]["pick_up"] == ["Monique Martin (Grand-mère) 0612345678"]
    assert children["Inès"]["pai"] is True
    assert children["Jade"]["state"] == "Absent non excusé"
    csv = await town.client.get(
        f"/activities/{activity}/days/{THU}/expected.csv", headers=town.animateur
    )
    text = csv.content.decode("utf-8-sig")
    assert "Monique Martin" in text and "=HYPERLINK" not in text  # not a pick-up person
    assert ";'@SUM(A1) Farceur (Voisin) 0600000001" in text
    pdf = await town.client.get(
        f"/activities/{activity}/days/{THU}/expected.pdf", headers=town.animateur
    )
    assert pdf.content.startswith(b"%PDF")


def test_csv_cells_that_look_like_formulas_are_neutralised() -> None:
    assert [neutralise(v) for v in ("=1+1", "+33 6", "-2", "@SUM", "\tx", "Léo")] == [
        "'=1+1",
        "'+33 6",
        "'-2",
        "'@SUM",
        "'\tx",
        "Léo",
    ]
    assert (
        csv_bytes(["a"], [["=cmd|' /C calc'!A0"]]).decode("utf-8-sig").splitlines()[1]
        == "'=cmd|' /C calc'!A0"
    )


async def test_the_ics_feed_at_a_secret_address_that_can_be_renewed(town: Town) -> None:
    await _canteen_day(town)
    martin = town.families["Famille Martin"]
    assert (
        await town.client.get(
            f"/households/{martin.household_id}/calendar-feed", headers=martin.headers
        )
    ).json() == {
        "exists": False,
        "created_at": None,
        "path": None,
    }
    created = await town.client.post(
        f"/households/{martin.household_id}/calendar-feed", headers=martin.headers
    )
    path = created.json()["path"]
    tenant = {"X-Marelle-Tenant": str(town.tenant_id)}
    feed = await town.client.get(path, headers=tenant)
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    events = [c for c in Calendar.from_ical(feed.content).walk("VEVENT")]
    assert sorted(str(e["summary"]) for e in events) == ["Cantine — Jade", "Cantine — Léo"]
    only_leo = await town.client.get(
        path, params={"child_id": str(martin.children["Léo"])}, headers=tenant
    )
    assert len(Calendar.from_ical(only_leo.content).walk("VEVENT")) == 1
    renewed = await town.client.post(
        f"/households/{martin.household_id}/calendar-feed", headers=martin.headers
    )
    assert (await town.client.get(path, headers=tenant)).status_code == 404
    assert (await town.client.get(renewed.json()["path"], headers=tenant)).status_code == 200
    other_tenant = {"X-Marelle-Tenant": "0190c4a4-0000-7000-8000-000000000000"}
    assert (await town.client.get(renewed.json()["path"], headers=other_tenant)).status_code == 404


async def test_the_child_read_model_follows_the_family_service(town: Town, clock: Clock) -> None:
    await _canteen_day(town)
    martin = town.families["Famille Martin"]
    leo = martin.children["Léo"]
    await town.svc.deliver(
        ChildChanged(
            household_id=martin.household_id,
            child_id=leo,
            first_name="Léo",
            last_name="Martin",
            birth_date=date(2018, 5, 4),
            school="École Jules Ferry",
            level="CE1",
            school_year="2026-2027",
            diet=None,
            pai=True,
        ),
        tenant_id=town.tenant_id,
        key=martin.household_id,
    )
    clock.set(THU, time(11, 0))
    register = (
        await town.client.get(
            f"/registers/{town.activities['cantine']}/{THU}", headers=town.animateur
        )
    ).json()
    line = next(x for x in register["lines"] if x["child_id"] == str(leo))
    assert (line["level"], line["pai"], line["diet"]) == ("CE1", True, None)
    await town.svc.deliver(
        HouseholdErased(household_id=martin.household_id, family_number="000001"),
        tenant_id=town.tenant_id,
        key=martin.household_id,
    )
    register = (
        await town.client.get(
            f"/registers/{town.activities['cantine']}/{THU}", headers=town.animateur
        )
    ).json()
    erased = next(x for x in register["lines"] if x["child_id"] == str(leo))
    assert (erased["first_name"], erased["pick_up"]) == ("—", [])
