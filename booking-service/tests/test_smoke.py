from __future__ import annotations

from datetime import date

from booking_town import Town


async def test_a_family_books_a_week(town: Town) -> None:
    await town.activity("cantine")
    family = await town.family("Famille Martin", {"Léo": {}})
    await town.enrol(family, "Léo", "cantine")
    grid = await town.client.get(f"/households/{family.household_id}/week?week=2026-W50", headers=family.headers)
    assert grid.status_code == 200, grid.text
    body = grid.json()
    assert body["label"] == "Semaine 50 / 2026"
    row = body["children"][0]["rows"][0]
    assert [c["status"] for c in row["cells"]] == ["available", "available", "unavailable", "available", "available", "unavailable", "unavailable"]
    put = await town.put_week(family, [("Léo", "cantine", date(2026, 12, 7 + i), "book") for i in (0, 1, 3, 4)])
    assert put.status_code == 200, put.text
    assert put.json()["counts"] == {"booked": 4}
    events = await town.svc.published()
    print([e["type"] for e in events])
