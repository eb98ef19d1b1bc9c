"""Bulk booking (the preview is exactly what is applied) and closures (they cancel the booked
days free of charge, with ONE event for the whole closure)."""

from __future__ import annotations

from datetime import date
from typing import Any

from marelle_contracts import ClosureDeclared
from marelle_kit.events import EventEnvelope
from marelle_testkit.plugin import ServiceUnderTest

from booking_town import Family, Town, make_town


def _bulk(town: Town, family: Family, **extra: Any) -> dict[str, Any]:
    body = {
        "activity_id": town.activities["cantine"],
        "child_ids": [str(c) for c in family.children.values()],
        "weekdays": [1, 2, 4, 5],
        "first_day": "2026-11-23",
        "last_day": "2026-12-31",
    }
    body.update(extra)
    return body


def _comparable(result: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (
            o["child_id"],
            o["day"],
            o["action"],
            o["outcome"],
            o["late"],
            (o["reason"] or {}).get("code"),
        )
        for o in result["outcomes"]
    ]


async def test_bulk_preview_is_exactly_what_is_applied(any_booking: ServiceUnderTest) -> None:
    town = await make_town(any_booking)
    await town.activity(
        "cantine", season={"weekdays": [1, 2, 4, 5], "period": "school", "capacity": 1}
    )
    neighbour = await town.family("Famille Voisin", {"Victor": {}})
    family = await town.family("Famille Martin", {"Léo": {}, "Jade": {}})
    for f, child in ((neighbour, "Victor"), (family, "Léo"), (family, "Jade")):
        await town.enrol(f, child, "cantine")
    # Thursday 10 December is taken by the neighbour: the family's two children wait in line.
    await town.put_week(neighbour, [("Victor", "cantine", date(2026, 12, 10), "book")])
    url = f"/households/{family.household_id}/bulk"
    before = await town.svc.published()
    preview = await town.client.post(
        f"{url}/preview", json=_bulk(town, family), headers=family.headers
    )
    assert preview.status_code == 200, preview.text
    assert await town.svc.published() == before  # the preview wrote nothing
    grid = await town.client.get(
        f"/households/{family.household_id}/week?week=2026-W50", headers=family.headers
    )
    assert grid.json()["children"][0]["rows"][0]["cells"][0]["status"] == "available"
    applied = await town.client.post(url, json=_bulk(town, family), headers=family.headers)
    assert applied.status_code == 200, applied.text
    assert _comparable(preview.json()) == _comparable(applied.json())
    counts = applied.json()["counts"]
    # From today (Tuesday 1st, past 08:30: refused) to the holidays (19th): Tue 1 refused,
    # Thu 3, Fri 4, Mon 7, Tue 8, Thu 10, Fri 11, Mon 14, Tue 15, Thu 17, Fri 18: one child
    # books the first place of each day, the other waits (capacity 1), Thursday 10 both wait.
    assert counts == {"refused": 2, "booked": 9, "waitlisted": 11}
    refused = {o["reason"]["code"] for o in applied.json()["outcomes"] if o["outcome"] == "refused"}
    assert refused == {"deadline-passed"}
    assert all(o["day"] < "2026-12-19" for o in applied.json()["outcomes"])  # holidays skipped


async def test_bulk_replace_cancels_the_other_weekdays(town: Town) -> None:
    await town.activity("cantine")
    family = await town.family("Famille Martin", {"Léo": {}})
    await town.enrol(family, "Léo", "cantine")
    url = f"/households/{family.household_id}/bulk"
    week = {"first_day": "2026-12-07", "last_day": "2026-12-11"}
    first = await town.client.post(url, json=_bulk(town, family, **week), headers=family.headers)
    assert first.json()["counts"] == {"booked": 4}
    again = await town.client.post(url, json=_bulk(town, family, **week), headers=family.headers)
    assert again.json()["counts"] == {}  # nothing new to add
    replace = _bulk(town, family, weekdays=[1, 4], mode="replace", **week)
    preview = await town.client.post(f"{url}/preview", json=replace, headers=family.headers)
    applied = await town.client.post(url, json=replace, headers=family.headers)
    assert _comparable(preview.json()) == _comparable(applied.json())
    assert applied.json()["counts"] == {"cancelled": 2}


async def _booked_on(town: Town, day: date) -> tuple[Family, Family]:
    await town.activity("cantine")
    a = await town.family("Famille Martin", {"Léo": {"level": "CP"}, "Jade": {"level": "CM1"}})
    b = await town.family("Famille Bernard", {"Inès": {"level": "CP"}})
    for f, child in ((a, "Léo"), (a, "Jade"), (b, "Inès")):
        await town.enrol(f, child, "cantine")
    await town.put_week(a, [("Léo", "cantine", day, "book"), ("Jade", "cantine", day, "book")])
    await town.put_week(b, [("Inès", "cantine", day, "book")])
    return a, b


async def test_a_closure_cancels_booked_days_free_of_charge_with_one_event(town: Town) -> None:
    strike = date(2026, 12, 10)
    a, b = await _booked_on(town, strike)
    body = {
        "site_id": town.site_id,
        "first_day": strike.isoformat(),
        "last_day": strike.isoformat(),
        "reason": "strike",
        "label": "Grève du 10 décembre",
    }
    preview = await town.client.post("/closures/preview", json=body, headers=town.agent)
    assert preview.json() == {
        "cells_to_cancel": 3,
        "households": 2,
        "by_day": {strike.isoformat(): 3},
    }
    declared = await town.client.post("/closures", json=body, headers=town.agent)
    assert declared.status_code == 201, declared.text
    assert declared.json()["cancelled_cells"] == 3
    envelopes = [EventEnvelope.model_validate(e) for e in await town.svc.published()]
    closures = [e for e in envelopes if e.type == ClosureDeclared.event_type]
    assert len(closures) == 1
    event = closures[0].event_as(ClosureDeclared)
    assert closures[0].key == declared.json()["id"] == str(event.closure_id)
    assert {c.household_id for c in event.cells} == {a.household_id, b.household_id}
    assert all(
        c.state.value == "cancelled" and c.free_of_charge and c.version == 3 for c in event.cells
    )
    assert not [e for e in envelopes if e.type == "booking.booking.cancelled"]
    again = await town.put_week(a, [("Léo", "cantine", strike, "book")])
    assert again.json()["cells"][0]["reason"] == {
        "code": "closed",
        "message": "Fermeture : Grève du 10 décembre.",
    }
    grid = (
        await town.client.get(f"/households/{a.household_id}/week?week=2026-W50", headers=a.headers)
    ).json()
    assert grid["days"][3]["closures"] == ["Grève du 10 décembre"]


async def test_a_bulk_cancellation_of_one_class_leaves_the_others(town: Town) -> None:
    trip = date(2026, 12, 10)
    a, b = await _booked_on(town, trip)
    body = {
        "school": "École Jules Ferry",
        "level": "CP",
        "first_day": trip.isoformat(),
        "last_day": trip.isoformat(),
        "reason": "school_trip",
        "label": "Sortie scolaire des CP",
    }
    declared = await town.client.post("/closures", json=body, headers=town.agent)
    assert declared.json()["cancelled_cells"] == 2  # Léo and Inès (CP), not Jade (CM1)
    event = [EventEnvelope.model_validate(e) for e in await town.svc.published()][-1].event_as(
        ClosureDeclared
    )
    assert (event.school, event.level) == ("École Jules Ferry", "CP")
    assert {c.child_id for c in event.cells} == {a.children["Léo"], b.children["Inès"]}
    jade = (await town.put_week(a, [("Jade", "cantine", trip, "cancel")])).json()
    assert jade["outcomes"][0]["outcome"] == "cancelled"


async def test_a_closure_cannot_start_in_the_past_and_needs_staff(town: Town) -> None:
    family = await town.family("Famille Martin", {"Léo": {}})
    body = {"first_day": "2026-11-30", "last_day": "2026-12-02", "reason": "other", "label": "x"}
    assert (await town.client.post("/closures", json=body, headers=town.agent)).status_code == 409
    body["first_day"] = "2026-12-02"
    assert (
        await town.client.post("/closures", json=body, headers=family.headers)
    ).status_code == 403
    assert (
        await town.client.post("/closures", json=body, headers=town.animateur)
    ).status_code == 403
