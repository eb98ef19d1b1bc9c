"""The week grid (one page-shaped GET) and its batch PUT (all or nothing), as a family uses
them; the clock is Tuesday 1 December 2026, 10:00 in Paris."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from marelle_contracts import BookingCancelled, BookingMade, CellState
from marelle_kit.events import EventEnvelope
from marelle_testkit.plugin import ServiceUnderTest

from booking_town import Clock, Family, Town, make_town

MON, TUE, WED, THU, FRI = date(2026, 11, 30), *(date(2026, 12, d) for d in (1, 2, 3, 4))
NEXT_MON, NEXT_TUE = date(2026, 12, 7), date(2026, 12, 8)


async def _ready(town: Town) -> Family:
    await town.activity("cantine")
    await town.activity(
        "accueil-soir",
        kind="evening_care",
        includes_meal=False,
        fiscal_share="childcare",
        billing_mode="on_attendance",
        billing_unit="quarter_hour",
        time_slots=[{"start": "16:30", "end": "18:30"}],
        book_rule={"form": "days_before", "days": 0, "at": "06:00"},
        cancel_rule={"form": "days_before", "days": 0, "at": "06:00"},
        late_booking="allow",
    )
    family = await town.family("Famille Martin", {"Léo": {}, "Jade": {"level": "CM1"}})
    for child in ("Léo", "Jade"):
        await town.enrol(family, child, "cantine")
    await town.enrol(family, "Léo", "accueil-soir")
    return family


async def _grid(town: Town, family: Family, week: str) -> dict[str, Any]:
    response = await town.client.get(
        f"/households/{family.household_id}/week", params={"week": week}, headers=family.headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _row(grid: dict[str, Any], child: str, name: str) -> dict[str, Any]:
    for entry in grid["children"]:
        if entry["first_name"] == child:
            for row in entry["rows"]:
                if row["name"] == name:
                    return dict(row)
    raise AssertionError(f"no row {child} / {name}")


async def _written(svc: ServiceUnderTest) -> list[str]:
    return [e["type"] for e in await svc.published() if e["type"].startswith("booking.booking")]


async def test_the_week_grid_says_what_the_family_may_do_and_why_not(town: Town) -> None:
    family = await _ready(town)
    grid = await _grid(town, family, "2026-W49")
    assert grid["label"] == "Semaine 49 / 2026"
    assert (grid["previous"], grid["next"]) == ("2026-W48", "2026-W50")
    assert [d["label"] for d in grid["days"][:2]] == ["lundi 30 nov.", "mardi 1 déc."]
    canteen = _row(grid, "Léo", "Cantine")
    statuses = [c["status"] for c in canteen["cells"]]
    assert statuses == [
        "locked",
        "locked",
        "unavailable",
        "available",
        "available",
        "unavailable",
        "unavailable",
    ]
    monday, tuesday, wednesday, thursday = canteen["cells"][:4]
    assert monday["book_blocked"]["code"] == "past-day"
    assert tuesday["book_blocked"]["code"] == "deadline-passed"
    assert "avant 8h30 le jour même" in tuesday["book_blocked"]["message"]
    assert wednesday["book_blocked"]["code"] == "not-open"
    assert thursday["can_book"] and not thursday["can_cancel"]
    assert thursday["book_cutoff"] == "2026-12-03T07:30:00Z"
    # The evening care allows late bookings: today is offered, flagged late, with its cost.
    care = _row(grid, "Léo", "Accueil Soir")["cells"][1]
    assert care["can_book"] and care["book_late"] and care["status"] == "available"
    assert care["book_blocked"]["code"] == "late"
    assert "tarif hors délai" in care["book_blocked"]["message"]
    # The nearest cut-off still ahead: Thursday's evening care, 06:00 Paris.
    assert grid["nearest_cutoff"]["at"] == "2026-12-03T05:00:00Z"
    assert grid["nearest_cutoff"]["action"] == "book"
    assert any(
        "Cantine : réservation avant 8h30 le jour même" in r["text"] for r in grid["reminders"]
    )
    assert _row(grid, "Jade", "Cantine")  # both children, only the activities they are enrolled in
    jade = next(c for c in grid["children"] if c["first_name"] == "Jade")
    assert [r["name"] for r in jade["rows"]] == ["Cantine"]


async def test_holidays_and_public_holidays_are_marked(town: Town) -> None:
    family = await _ready(town)
    grid = await _grid(town, family, "2026-W52")
    assert {d["school_holiday"] for d in grid["days"]} == {"Vacances de Noël"}
    assert grid["days"][4]["public_holiday"] == "Noël"
    cells = _row(grid, "Léo", "Cantine")["cells"]
    assert {c["status"] for c in cells} == {"holiday"}
    assert cells[0]["book_blocked"]["code"] == "school-holiday"


async def test_one_refused_day_refuses_the_whole_batch_and_writes_nothing(town: Town) -> None:
    family = await _ready(town)
    before = await town.svc.published()
    response = await town.put_week(
        family,
        [
            ("Léo", "cantine", THU, "book"),
            ("Léo", "cantine", TUE, "book"),
            ("Jade", "cantine", FRI, "book"),
        ],
    )
    assert response.status_code == 409, response.text
    problem = response.json()
    assert problem["type"] == "urn:marelle:problem:cells-refused"
    assert [c["reason"]["code"] for c in problem["cells"]] == ["deadline-passed"]
    assert problem["cells"][0]["day"] == TUE.isoformat()
    assert "Rien n'a été enregistré" in problem["detail"]
    assert await town.svc.published() == before
    grid = await _grid(town, family, "2026-W49")
    assert _row(grid, "Léo", "Cantine")["cells"][3]["status"] == "available"


async def test_a_late_change_needs_the_family_s_confirmation(town: Town) -> None:
    family = await _ready(town)
    change = [("Léo", "accueil-soir", TUE, "book")]
    refused = await town.put_week(family, change)
    assert refused.status_code == 409
    assert refused.json()["type"] == "urn:marelle:problem:late-confirmation-required"
    assert "tarif hors délai" in refused.json()["cells"][0]["reason"]["message"]
    accepted = await town.put_week(family, change, accept_late=True)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["outcomes"][0]["late"] is True
    made = [e for e in await town.svc.published() if e["type"] == BookingMade.event_type]
    assert made[-1]["payload"]["cells"][0]["late"] is True


async def test_bad_input_gets_a_clear_problem_and_nothing_is_written(town: Town) -> None:
    family = await _ready(town)
    other = await town.family("Famille Bernard", {"Inès": {}})
    await town.enrol(other, "Inès", "cantine")
    before = await town.svc.published()
    url = f"/households/{family.household_id}/week"

    def body(child_id: object, activity_id: object, day: date) -> dict[str, Any]:
        change = {
            "child_id": str(child_id),
            "activity_id": str(activity_id),
            "day": day.isoformat(),
        }
        return {"changes": [{**change, "action": "book"}]}

    leo, canteen = family.children["Léo"], town.activities["cantine"]
    unknown = await town.client.put(
        url, json=body(leo, "0190c4a4-0000-7000-8000-000000000000", THU), headers=family.headers
    )
    assert (
        unknown.status_code == 404
        and unknown.json()["type"] == "urn:marelle:problem:unknown-activity"
    )
    stranger = await town.client.put(
        url, json=body(other.children["Inès"], canteen, THU), headers=family.headers
    )
    assert (
        stranger.status_code == 404
        and stranger.json()["type"] == "urn:marelle:problem:unknown-child"
    )
    outside = await town.client.put(
        url, json=body(leo, canteen, date(2027, 9, 6)), headers=family.headers
    )
    assert outside.status_code == 409
    assert outside.json()["cells"][0]["reason"]["code"] == "outside-school-year"
    past = await town.client.put(url, json=body(leo, canteen, MON), headers=family.headers)
    assert past.status_code == 409 and past.json()["cells"][0]["reason"]["code"] == "past-day"
    malformed = await town.client.put(url, json={"changes": []}, headers=family.headers)
    assert malformed.status_code == 422
    assert await town.svc.published() == before


async def test_events_carry_each_cell_whole_with_growing_versions(town: Town) -> None:
    family = await _ready(town)
    booked = await town.put_week(
        family, [("Léo", "cantine", THU, "book"), ("Léo", "cantine", FRI, "book")]
    )
    assert booked.json()["counts"] == {"booked": 2}
    cancelled = await town.put_week(family, [("Léo", "cantine", THU, "cancel")])
    assert cancelled.json()["outcomes"][0]["outcome"] == "cancelled"
    again = await town.put_week(family, [("Léo", "cantine", THU, "book")])
    assert again.json()["outcomes"][0]["outcome"] == "booked"
    envelopes = [EventEnvelope.model_validate(e) for e in await town.svc.published()]
    cells = [e for e in envelopes if e.type.startswith("booking.booking")]
    assert [e.type for e in cells] == [
        BookingMade.event_type,
        BookingCancelled.event_type,
        BookingMade.event_type,
    ]
    assert {e.key for e in cells} == {str(family.household_id)}
    first = cells[0].event_as(BookingMade).cells
    assert [(c.day, c.state, c.version) for c in first] == [
        (THU, CellState.BOOKED, 2),
        (FRI, CellState.BOOKED, 2),
    ]
    gone = cells[1].event_as(BookingCancelled).cells[0]
    assert (gone.cell_id, gone.state, gone.version) == (first[0].cell_id, CellState.CANCELLED, 3)
    new = cells[2].event_as(BookingMade).cells[0]
    assert new.cell_id != gone.cell_id and new.version == 2
    grid = await _grid(town, family, "2026-W49")
    assert _row(grid, "Léo", "Cantine")["cells"][3]["status"] == "booked"
    history = await town.client.get(
        f"/households/{family.household_id}/cells/{gone.cell_id}/history", headers=family.headers
    )
    assert [(h["from_state"], h["to_state"], h["origin"]) for h in history.json()] == [
        (None, "requested", "portal"),
        ("requested", "booked", "portal"),
        ("booked", "cancelled", "portal"),
    ]


async def test_cancelling_after_the_deadline_is_refused(town: Town, clock: Clock) -> None:
    family = await _ready(town)
    assert (await town.put_week(family, [("Léo", "cantine", THU, "book")])).status_code == 200
    clock.set(THU, time(9, 0))
    late = await town.put_week(family, [("Léo", "cantine", THU, "cancel")])
    assert late.status_code == 409
    assert late.json()["cells"][0]["reason"]["code"] == "cancel-deadline-passed"


async def test_the_month_view(town: Town) -> None:
    family = await _ready(town)
    await town.put_week(family, [("Léo", "cantine", THU, "book")])
    month = await town.client.get(
        f"/households/{family.household_id}/month",
        params={"month": "2026-12"},
        headers=family.headers,
    )
    assert month.status_code == 200, month.text
    body = month.json()
    assert (body["label"], body["previous"], body["next"]) == (
        "décembre 2026",
        "2026-11",
        "2027-01",
    )
    cells = _row(body, "Léo", "Cantine")["cells"]
    assert len(cells) == 31 and cells[2]["status"] == "booked"


async def test_staff_may_book_past_the_deadline_and_it_is_logged(town: Town) -> None:
    family = await _ready(town)
    url = f"/staff/households/{family.household_id}/week"
    change = {
        "child_id": str(family.children["Léo"]),
        "activity_id": town.activities["cantine"],
        "day": TUE.isoformat(),
        "action": "book",
    }
    plain = await town.client.put(url, json={"changes": [change]}, headers=town.agent)
    assert plain.status_code == 409
    forced = await town.client.put(
        url,
        json={"changes": [change], "override_deadlines": True, "note": "Appel de la maman"},
        headers=town.agent,
    )
    assert forced.status_code == 200, forced.text
    cell_id = forced.json()["outcomes"][0]["cell_id"]
    history = await town.client.get(
        f"/households/{family.household_id}/cells/{cell_id}/history", headers=town.agent
    )
    assert {(h["origin"], h["note"]) for h in history.json()} == {("staff", "Appel de la maman")}
    as_parent = await town.client.put(url, json={"changes": [change]}, headers=family.headers)
    assert as_parent.status_code == 403


async def test_requests_wait_for_the_staff_where_the_activity_says_so(town: Town) -> None:
    await town.activity(
        "alsh", kind="leisure_day", booking_approval=True, season={"weekdays": [3], "period": "all"}
    )
    family = await town.family("Famille Martin", {"Léo": {}})
    await town.enrol(family, "Léo", "alsh")
    wednesday = date(2026, 12, 9)
    asked = await town.put_week(family, [("Léo", "alsh", wednesday, "book")])
    assert asked.json()["outcomes"][0]["outcome"] == "requested"
    pending = await town.client.get("/requests", headers=town.agent)
    assert [c["day"] for c in pending.json()] == [wednesday.isoformat()]
    decided = await town.client.post(
        "/requests/decisions",
        json={"cell_ids": [pending.json()[0]["id"]], "decision": "approve"},
        headers=town.agent,
    )
    assert decided.status_code == 200 and decided.json()[0]["state"] == "booked"
    types = [e["type"] for e in await town.svc.published()]
    assert types[-2:] == ["booking.booking.made", "booking.booking.granted"]


async def test_the_documents_gate_blocks_booking_until_the_file_is_complete(
    booking: ServiceUnderTest,
) -> None:
    town = await make_town(booking, documents_gate=True)
    await town.activity("cantine")
    family = await town.family("Famille Martin", {"Léo": {}})
    enrolment = await town.enrol(family, "Léo", "cantine")
    blocked = await town.put_week(family, [("Léo", "cantine", THU, "book")])
    assert blocked.json()["cells"][0]["reason"]["code"] == "documents-missing"
    patched = await town.client.patch(
        f"/enrolments/{enrolment['id']}", json={"documents_complete": True}, headers=town.agent
    )
    assert patched.status_code == 200
    assert (await town.put_week(family, [("Léo", "cantine", THU, "book")])).status_code == 200


async def test_the_grid_reads_in_a_fixed_number_of_queries(town: Town) -> None:
    """No query per child, activity or day: the hot path stays flat as households grow."""
    from sqlalchemy import event

    for code in ("cantine", "matin", "soir"):
        await town.activity(code)
    small = await town.family("Famille Petit", {"Solo": {}})
    large = await town.family("Famille Grand", {"Un": {}, "Deux": {}, "Trois": {}})
    for family in (small, large):
        for child in family.children:
            for code in ("cantine", "matin", "soir"):
                await town.enrol(family, child, code)
        await town.put_week(family, [(c, "cantine", THU, "book") for c in family.children])
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    engine = town.svc.runtime.database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        counts = []
        for family in (small, large):
            statements.clear()
            await _grid(town, family, "2026-W49")
            counts.append(len(statements))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert counts[0] == counts[1] <= 9, counts
