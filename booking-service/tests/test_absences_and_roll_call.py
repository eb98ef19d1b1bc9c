"""Absences (declared by families, « Enfant malade aujourd'hui », validated by staff, proofs
that did not come) and the roll call (marks, times, an unexpected child, close, reopen)."""

from __future__ import annotations

from datetime import date, time

from marelle_booking.tasks import expire_overdue_proofs, refuse_past_waiting
from marelle_contracts import AbsenceDeclared, AbsenceValidated, RegisterClosed
from marelle_kit.events import EventEnvelope
from marelle_testkit.plugin import ServiceUnderTest

from booking_town import Clock, Family, Town, make_town

THU, FRI = date(2026, 12, 3), date(2026, 12, 4)


async def _booked(town: Town, *days: date) -> Family:
    if "cantine" not in town.activities:
        await town.activity("cantine")
    family = await town.family("Famille Martin", {"Léo": {}})
    await town.enrol(family, "Léo", "cantine")
    response = await town.put_week(family, [("Léo", "cantine", d, "book") for d in days])
    assert response.status_code == 200, response.text
    return family


async def _events(svc: ServiceUnderTest, event_type: str) -> list[EventEnvelope]:
    return [
        EventEnvelope.model_validate(e) for e in await svc.published() if e["type"] == event_type
    ]


async def test_reasons_are_the_seeds_list(town: Town) -> None:
    family = await town.family("Famille Martin", {"Léo": {}})
    reasons = (await town.client.get("/absence-reasons", headers=family.headers)).json()
    labels = [r["label"] for r in reasons]
    assert labels[:4] == [
        "Raison médicale",
        "Voyage ou sortie scolaire",
        "Absence de l'enseignant",
        "Grève du personnel ou des enseignants",
    ]
    assert labels[-1] == "Autres" and len(labels) == 9


async def test_an_absence_in_time_is_free_and_a_late_one_follows_its_reason(
    town: Town, clock: Clock
) -> None:
    family = await _booked(town, THU, FRI)
    url = f"/households/{family.household_id}/absences"
    body = {
        "child_id": str(family.children["Léo"]),
        "first_day": THU.isoformat(),
        "last_day": THU.isoformat(),
        "reason": "autres",
    }
    in_time = await town.client.post(url, json=body, headers=family.headers)
    assert in_time.status_code == 200, in_time.text
    cell = in_time.json()["cells"][0]
    assert (cell["state"], cell["charge"], cell["in_time"]) == ("absent_unexcused", "free", True)
    clock.set(FRI, time(9, 0))  # after Friday's 08:30 cut-off
    body.update(first_day=FRI.isoformat(), last_day=FRI.isoformat())
    late = await town.client.post(url, json=body, headers=family.headers)
    assert late.json()["cells"][0]["charge"] == "billed"
    assert "encore facturé" in late.json()["message"]
    declared = await _events(town.svc, AbsenceDeclared.event_type)
    facts = [c for e in declared for c in e.event_as(AbsenceDeclared).cells]
    assert [(f.day, f.absence_reason, f.absence_charge.value) for f in facts] == [  # type: ignore[union-attr]
        (THU, "autres", "free"),
        (FRI, "autres", "billed"),
    ]


async def test_lamagistere_s_waiting_days(town: Town) -> None:
    lamagistere = {"label": "Maladie", "waiting_days": 3, "in_time_free": False}
    put = await town.client.put("/absence-reasons/maladie", json=lamagistere, headers=town.admin)
    assert put.status_code == 200, put.text
    days = [date(2026, 12, d) for d in (3, 4, 7, 8)]
    family = await _booked(town, *days)
    result = await town.client.post(
        f"/households/{family.household_id}/absences",
        json={
            "child_id": str(family.children["Léo"]),
            "first_day": "2026-12-03",
            "last_day": "2026-12-08",
            "reason": "maladie",
        },
        headers=family.headers,
    )
    # Notice on Tuesday 1st: the 1st, 2nd and 3rd are still billed, then free.
    assert [c["charge"] for c in result.json()["cells"]] == ["billed", "free", "free", "free"]


async def test_child_sick_today_in_one_call(town: Town, clock: Clock) -> None:
    family = await _booked(town, THU)
    clock.set(THU, time(7, 45))
    sick = await town.client.post(
        f"/households/{family.household_id}/children/{family.children['Léo']}/sick-today",
        headers=family.headers,
    )
    assert sick.status_code == 200, sick.text
    cell = sick.json()["cells"][0]
    assert (cell["day"], cell["state"], cell["proof_due"]) == (
        THU.isoformat(),
        "absent_excused",
        "2026-12-10",
    )
    nothing = await town.client.post(
        f"/households/{family.household_id}/children/{family.children['Léo']}/sick-today",
        headers=family.headers,
    )
    assert nothing.status_code == 409
    assert nothing.json()["type"] == "urn:marelle:problem:absence-refused"


async def test_staff_validate_absences_where_the_town_wants_it(booking: ServiceUnderTest) -> None:
    town = await make_town(booking, absence_validation=True)
    family = await _booked(town, THU, FRI)
    declared = await town.client.post(
        f"/households/{family.household_id}/absences",
        json={
            "child_id": str(family.children["Léo"]),
            "first_day": THU.isoformat(),
            "last_day": FRI.isoformat(),
            "reason": "raison_medicale",
        },
        headers=family.headers,
    )
    assert all(c["pending"] for c in declared.json()["cells"])
    pending = (await town.client.get("/absences/pending", headers=town.agent)).json()
    assert len(pending) == 2
    ids = [c["id"] for c in pending]
    accepted = await town.client.post(
        "/absences/validation",
        json={"cell_ids": ids[:1], "decision": "accept", "proof_received": True},
        headers=town.agent,
    )
    assert accepted.status_code == 200 and not accepted.json()[0]["absence_pending"]
    rejected = await town.client.post(
        "/absences/validation", json={"cell_ids": ids[1:], "decision": "reject"}, headers=town.agent
    )
    assert (rejected.json()[0]["state"], rejected.json()[0]["absence_charge"]) == (
        "absent_unexcused",
        "billed",
    )
    validated = await _events(town.svc, AbsenceValidated.event_type)
    assert len(validated) == 2
    assert (
        await town.client.post(
            "/absences/validation",
            json={"cell_ids": ids, "decision": "accept"},
            headers=family.headers,
        )
    ).status_code == 403


async def test_a_proof_that_did_not_come_makes_the_absence_billed(town: Town, clock: Clock) -> None:
    family = await _booked(town, THU)
    await town.client.post(
        f"/households/{family.household_id}/absences",
        json={
            "child_id": str(family.children["Léo"]),
            "first_day": THU.isoformat(),
            "last_day": THU.isoformat(),
            "reason": "raison_medicale",
        },
        headers=family.headers,
    )
    async with town.svc.runtime.database.transaction() as session:
        assert await expire_overdue_proofs(session, date(2026, 12, 8)) == 0  # due on the 8th
    async with town.svc.runtime.database.transaction() as session:
        assert await expire_overdue_proofs(session, date(2026, 12, 9)) == 1
    last = (
        (await _events(town.svc, AbsenceValidated.event_type))[-1]
        .event_as(AbsenceValidated)
        .cells[0]
    )
    assert (last.state.value, last.absence_charge.value) == ("absent_unexcused", "billed")  # type: ignore[union-attr]


async def test_waiting_entries_of_days_gone_by_are_refused(town: Town) -> None:
    await town.activity(
        "cantine", season={"weekdays": [1, 2, 4, 5], "period": "school", "capacity": 0}
    )
    family = await _booked(town, THU)
    async with town.svc.runtime.database.transaction() as session:
        assert await refuse_past_waiting(session, date(2026, 12, 4)) == 1
    refused = [e for e in await town.svc.published() if e["type"] == "booking.booking.refused"]
    assert refused[-1]["payload"]["reason"] == "Le jour est passé sans qu'une place se libère."
    assert refused[-1]["key"] == str(family.household_id)


async def _care(town: Town) -> str:
    return await town.activity(
        "accueil-soir",
        kind="evening_care",
        includes_meal=False,
        billing_mode="on_attendance",
        billing_unit="quarter_hour",
        time_slots=[{"start": "16:30", "end": "18:30"}],
    )


async def test_the_roll_call_marks_closes_and_reopens(
    any_booking: ServiceUnderTest, clock: Clock
) -> None:
    town = await make_town(any_booking)
    activity = await _care(town)
    family = await town.family("Famille Martin", {"Léo": {}, "Jade": {}})
    late_comer = await town.family("Famille Diallo", {"Awa": {}})
    for f, child in ((family, "Léo"), (family, "Jade"), (late_comer, "Awa")):
        await town.enrol(f, child, "accueil-soir")
    await town.put_week(
        family, [("Léo", "accueil-soir", THU, "book"), ("Jade", "accueil-soir", THU, "book")]
    )
    url = f"/registers/{activity}/{THU}"
    ahead = (await town.client.get(url, headers=town.animateur)).json()["lines"][0]
    early = await town.client.post(
        f"{url}/marks",
        json={"marks": [{"cell_id": ahead["cell_id"], "mark": "present"}]},
        headers=town.animateur,
    )
    assert early.status_code == 409 and "le jour même" in early.json()["detail"]
    clock.set(THU, time(16, 0))
    register = (await town.client.get(url, headers=town.animateur)).json()
    assert (register["status"], register["hourly"], len(register["lines"])) == ("open", True, 2)
    leo, jade = sorted(register["lines"], key=lambda line: line["first_name"], reverse=True)
    marks = {
        "marks": [
            {
                "cell_id": leo["cell_id"],
                "mark": "present",
                "arrival": "16:30",
                "departure": "17:45",
            },
            {"cell_id": jade["cell_id"], "mark": "present", "arrival": "16:30"},
        ]
    }
    marked = await town.client.post(f"{url}/marks", json=marks, headers=town.animateur)
    assert marked.status_code == 200, marked.text
    missing = await town.client.post(f"{url}/close", json={}, headers=town.animateur)
    assert missing.status_code == 409 and "départ manquante" in missing.json()["detail"]
    # Jade did not come after all: corrected while the register is open.
    fix = {"marks": [{"cell_id": jade["cell_id"], "mark": "absent"}]}
    assert (
        await town.client.post(f"{url}/marks", json=fix, headers=town.animateur)
    ).status_code == 200
    added = await town.client.post(
        f"{url}/unexpected",
        json={
            "child_id": str(late_comer.children["Awa"]),
            "arrival": "16:40",
            "departure": "18:00",
        },
        headers=town.animateur,
    )
    assert added.status_code == 200, added.text
    closed = await town.client.post(f"{url}/close", json={}, headers=town.animateur)
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    event = (await _events(town.svc, RegisterClosed.event_type))[0].event_as(RegisterClosed)
    lines = {(c.child_id, c.state.value, c.arrival, c.departure) for c in event.cells}
    assert lines == {
        (family.children["Léo"], "present", time(16, 30), time(17, 45)),
        (family.children["Jade"], "absent_unexcused", None, None),
        (late_comer.children["Awa"], "present", time(16, 40), time(18, 0)),
    }
    refused = await town.client.post(f"{url}/marks", json=fix, headers=town.animateur)
    assert (
        refused.status_code == 409
        and refused.json()["type"] == "urn:marelle:problem:register-closed"
    )
    assert (await town.client.post(f"{url}/reopen", headers=town.animateur)).status_code == 403
    reopened = await town.client.post(f"{url}/reopen", headers=town.agent)
    assert reopened.json()["status"] == "open"
    assert [e["type"] for e in await town.svc.published()][-1] == "booking.register.reopened"


async def test_closing_asks_about_children_not_marked(town: Town, clock: Clock) -> None:
    activity = await town.activity("cantine")
    family = await _booked(town, THU)
    clock.set(THU, time(13, 0))
    url = f"/registers/{activity}/{THU}"
    refused = await town.client.post(f"{url}/close", json={}, headers=town.animateur)
    assert refused.status_code == 409 and "non pointé" in refused.json()["detail"]
    closed = await town.client.post(
        f"{url}/close", json={"absent_unmarked": True}, headers=town.animateur
    )
    assert closed.json()["lines"][0]["state"] == "absent_unexcused"
    assert closed.json()["lines"][0]["child_id"] == str(family.children["Léo"])
    assert (await town.client.get(url, headers=family.headers)).status_code == 403
