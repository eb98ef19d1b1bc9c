"""Capacity taken atomically (two writers for the last place on PostgreSQL: exactly one wins,
the other waits in line), the waiting list's order and the place that goes to the first in
line at once, which the family may decline."""

from __future__ import annotations

import asyncio
from datetime import date
from uuid import uuid4

import pytest

from marelle_booking.cells.repository import CapacityRepository
from marelle_contracts import BookingGranted, CellState
from marelle_kit.events import EventEnvelope
from marelle_testkit.plugin import ServiceUnderTest

from booking_town import Town, make_town

THURSDAY = date(2026, 12, 3)


@pytest.mark.integration
async def test_two_writers_for_the_last_place_exactly_one_takes_it(
    pg_booking: ServiceUnderTest,
) -> None:
    database = pg_booking.runtime.database
    tenant_id, key = uuid4(), (uuid4(), THURSDAY, "")
    async with database.sessionmaker() as first, database.sessionmaker() as second:
        await first.begin()
        await second.begin()
        assert await CapacityRepository(first).take(tenant_id, key, 1)
        contender = asyncio.create_task(CapacityRepository(second).take(tenant_id, key, 1))
        await asyncio.sleep(0.3)
        assert not contender.done(), "the second writer must wait for the first one's row lock"
        await first.commit()
        assert await asyncio.wait_for(contender, 5) is False
        await second.commit()
    async with database.sessionmaker() as check:
        counters = await CapacityRepository(check).counters(tenant_id, [key[0]], THURSDAY, THURSDAY)
        assert counters[key].taken == 1


@pytest.mark.integration
async def test_families_racing_for_the_last_place_one_booked_the_others_waitlisted(
    pg_booking: ServiceUnderTest,
) -> None:
    town = await make_town(pg_booking)
    await town.activity(
        "cantine", season={"weekdays": [1, 2, 4, 5], "period": "school", "capacity": 1}
    )
    families = [
        await town.family(f"Famille {n}", {n: {}}) for n in ("Alba", "Brune", "Cyan", "Dune")
    ]
    for family in families:
        await town.enrol(family, next(iter(family.children)), "cantine")
    responses = await asyncio.gather(
        *(
            town.put_week(f, [(next(iter(f.children)), "cantine", THURSDAY, "book")])
            for f in families
        )
    )
    assert all(r.status_code == 200 for r in responses), [r.text for r in responses]
    outcomes = sorted(r.json()["outcomes"][0]["outcome"] for r in responses)
    assert outcomes == ["booked", "waitlisted", "waitlisted", "waitlisted"]
    day = await town.client.get(
        f"/activities/{town.activities['cantine']}/days/{THURSDAY}", headers=town.agent
    )
    assert (day.json()["limit"], day.json()["taken"], len(day.json()["waiting_list"])) == (1, 1, 3)


async def _full_day(town: Town) -> list[object]:
    await town.activity(
        "cantine", season={"weekdays": [1, 2, 4, 5], "period": "school", "capacity": 1}
    )
    a = await town.family("Famille Arnaud", {"Anna": {}})
    b = await town.family("Famille Blanc", {"Basile": {}})
    c = await town.family("Famille Colin", {"Chloé": {}})
    await town.enrol(a, "Anna", "cantine")
    await town.enrol(b, "Basile", "cantine")
    await town.enrol(c, "Chloé", "cantine", priority_class=1)
    return [a, b, c]


async def test_the_waiting_list_goes_by_priority_then_time_and_a_freed_place_is_given_at_once(
    any_booking: ServiceUnderTest,
) -> None:
    town = await make_town(any_booking)
    a, b, c = await _full_day(town)  # type: ignore[misc]
    assert (await town.put_week(a, [("Anna", "cantine", THURSDAY, "book")])).json()["counts"] == {
        "booked": 1
    }
    assert (await town.put_week(b, [("Basile", "cantine", THURSDAY, "book")])).json()["counts"] == {
        "waitlisted": 1
    }
    assert (await town.put_week(c, [("Chloé", "cantine", THURSDAY, "book")])).json()["counts"] == {
        "waitlisted": 1
    }
    day = (
        await town.client.get(
            f"/activities/{town.activities['cantine']}/days/{THURSDAY}", headers=town.agent
        )
    ).json()
    assert [(w["child_name"], w["position"]) for w in day["waiting_list"]] == [
        ("Chloé Colin", 1),
        ("Basile Blanc", 2),
    ]
    # Anna's family cancels: Chloé (priority class 1) gets the place at once.
    assert (await town.put_week(a, [("Anna", "cantine", THURSDAY, "cancel")])).json()["counts"] == {
        "cancelled": 1
    }
    envelopes = [EventEnvelope.model_validate(e) for e in await town.svc.published()]
    granted = [e for e in envelopes if e.type == BookingGranted.event_type]
    assert len(granted) == 1 and granted[0].key == str(c.household_id)
    cell = granted[0].event_as(BookingGranted).cells[0]
    assert (cell.state, cell.child_id, cell.origin.value) == (
        CellState.BOOKED,
        c.children["Chloé"],
        "waiting_list",
    )
    # Chloé's family declines: free of charge, and the place goes on to Basile.
    declined = await town.client.post(
        f"/households/{c.household_id}/cells/{cell.cell_id}/decline", headers=c.headers
    )
    assert declined.status_code == 200, declined.text
    assert (declined.json()["state"], declined.json()["free_of_charge"]) == ("cancelled", True)
    granted = [EventEnvelope.model_validate(e) for e in await town.svc.published()]
    last = [e for e in granted if e.type == BookingGranted.event_type][-1]
    assert last.key == str(b.household_id)
    day = (
        await town.client.get(
            f"/activities/{town.activities['cantine']}/days/{THURSDAY}", headers=town.agent
        )
    ).json()
    assert (day["taken"], day["waiting_list"]) == (1, [])


async def test_only_a_place_given_by_the_waiting_list_can_be_declined(town: Town) -> None:
    a, _b, _c = await _full_day(town)  # type: ignore[misc]
    booked = (await town.put_week(a, [("Anna", "cantine", THURSDAY, "book")])).json()["outcomes"][0]
    refused = await town.client.post(
        f"/households/{a.household_id}/cells/{booked['cell_id']}/decline", headers=a.headers
    )
    assert refused.status_code == 409
    assert refused.json()["type"] == "urn:marelle:problem:illegal-transition"


async def test_a_family_withdraws_from_the_waiting_list(town: Town) -> None:
    a, b, _c = await _full_day(town)  # type: ignore[misc]
    await town.put_week(a, [("Anna", "cantine", THURSDAY, "book")])
    await town.put_week(b, [("Basile", "cantine", THURSDAY, "book")])
    withdrawn = await town.put_week(b, [("Basile", "cantine", THURSDAY, "cancel")])
    assert withdrawn.json()["outcomes"][0]["outcome"] == "withdrawn"
    refused = [e for e in await town.svc.published() if e["type"] == "booking.booking.refused"]
    assert refused[-1]["payload"]["reason"] == "Demande retirée par la famille."


async def test_staff_lower_a_day_s_capacity(town: Town) -> None:
    a, b, _c = await _full_day(town)  # type: ignore[misc]
    activity = town.activities["cantine"]
    raised = await town.client.put(
        f"/activities/{activity}/capacity/{THURSDAY}", json={"limit": 2}, headers=town.admin
    )
    assert raised.status_code == 204
    await town.put_week(a, [("Anna", "cantine", THURSDAY, "book")])
    assert (await town.put_week(b, [("Basile", "cantine", THURSDAY, "book")])).json()["counts"] == {
        "booked": 1
    }


async def test_capacity_per_group_where_the_town_uses_groups(booking: ServiceUnderTest) -> None:
    town = await make_town(booking, uses_groups=True)
    await town.activity("cantine")
    groups = [
        {"code": "maternelle", "label": "Maternelle", "capacity": 1},
        {"code": "elementaire", "label": "Élémentaire", "capacity": 1},
    ]
    put = await town.client.put(
        f"/activities/{town.activities['cantine']}/groups", json=groups, headers=town.admin
    )
    assert put.status_code == 200, put.text
    family = await town.family("Famille Martin", {"Léo": {}, "Jade": {}, "Inès": {}})
    no_group = await town.client.post(
        "/enrolments",
        json={
            "household_id": str(family.household_id),
            "child_id": str(family.children["Léo"]),
            "activity_id": town.activities["cantine"],
            "school_year_id": town.year_id,
        },
        headers=town.agent,
    )
    assert no_group.status_code == 409 and "groupe" in no_group.json()["detail"]
    await town.enrol(family, "Léo", "cantine", group_code="elementaire")
    await town.enrol(family, "Jade", "cantine", group_code="elementaire")
    await town.enrol(family, "Inès", "cantine", group_code="maternelle")
    result = await town.put_week(
        family, [(n, "cantine", THURSDAY, "book") for n in ("Léo", "Jade", "Inès")]
    )
    outcomes = {o["child_id"]: o["outcome"] for o in result.json()["outcomes"]}
    assert outcomes[str(family.children["Inès"])] == "booked"
    assert sorted(outcomes.values()) == ["booked", "booked", "waitlisted"]
    made = [e for e in await town.svc.published() if e["type"] == "booking.booking.made"][-1]
    assert {c["group_code"] for c in made["payload"]["cells"]} == {"elementaire", "maternelle"}
