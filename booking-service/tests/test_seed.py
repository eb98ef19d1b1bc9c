"""The embedded demo: once the family-service's demo children have arrived through their
events, the demo town gets its activities, its school year, enrolments and bookings around
today, so a new user sees a full grid."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

from marelle_booking.seed import seed_demo
from marelle_contracts import ChildAdded, HouseholdCreated, TenantCreated
from marelle_testkit.plugin import ServiceUnderTest


async def _demo_families(svc: ServiceUnderTest) -> tuple[object, dict[str, object]]:
    tenant_id = uuid4()
    await svc.deliver(
        TenantCreated(tenant_id=tenant_id, slug="demo", name="Mairie de Démonstration"),
        tenant_id=tenant_id,
        key=tenant_id,
    )
    martin, bernard = uuid4(), uuid4()
    children = {}
    for household_id, name, kids in (
        (
            martin,
            "Famille Martin",
            (("Léo", "CP", "sans_porc", False), ("Jade", "CM1", None, False)),
        ),
        (bernard, "Famille Bernard", (("Inès", "MS", "sans_viande", True),)),
    ):
        await svc.deliver(
            HouseholdCreated(household_id=household_id, family_number="000001", name=name),
            tenant_id=tenant_id,
            key=household_id,
        )
        for first_name, level, diet, pai in kids:
            child_id = uuid4()
            children[first_name] = child_id
            await svc.deliver(
                ChildAdded(
                    household_id=household_id,
                    child_id=child_id,
                    first_name=first_name,
                    last_name=name.split()[-1],
                    birth_date=date(2019, 4, 12),
                    school="École Jules Ferry",
                    level=level,
                    school_year="2026-2027",
                    diet=diet,
                    pai=pai,
                ),
                tenant_id=tenant_id,
                key=household_id,
            )
    return tenant_id, {"martin": martin, "bernard": bernard, **children}


async def test_the_demo_town_gets_a_full_grid(booking: ServiceUnderTest) -> None:
    tenant_id, ids = await _demo_families(booking)
    await seed_demo(booking.runtime)
    await seed_demo(booking.runtime)  # idempotent
    parent = booking.tokens.headers(
        roles=["parent"], tenant_id=tenant_id, household_id=ids["martin"]
    )  # type: ignore[arg-type]
    grid = await booking.client.get(f"/households/{ids['martin']}/week", headers=parent)
    assert grid.status_code == 200, grid.text
    body = grid.json()
    assert body["label"] == "Semaine 49 / 2026"
    leo = next(c for c in body["children"] if c["first_name"] == "Léo")
    rows = {r["name"]: [c["status"] for c in r["cells"]] for r in leo["rows"]}
    assert rows["Restauration scolaire"][:5] == [
        "present",
        "booked",
        "unavailable",
        "booked",
        "booked",
    ]
    assert rows["Mercredi au centre de loisirs, avec repas"][2] == "booked"
    assert rows["Accueil périscolaire du matin"][:5] == [
        "locked",
        "booked",
        "unavailable",
        "booked",
        "available",
    ]
    reminders = " ".join(r["text"] for r in body["reminders"])
    assert "avant 6h le jour même" in reminders and "avant 8h30 le jour même" in reminders
    assert "avant le jeudi 23h59 de la semaine précédente" in reminders
    staff = booking.tokens.headers(roles=["admin"], tenant_id=tenant_id)  # type: ignore[arg-type]
    activities = (await booking.client.get("/activities", headers=staff)).json()
    assert len(activities) == 6
    holidays = (await booking.client.get("/calendar", headers=staff)).json()
    assert holidays["zone"] == "A" and holidays["school_holidays"][0]["name"] == "Vacances de Noël"
    types = [e["type"] for e in await booking.published()]
    assert types.count("booking.activity.published") == 6
    assert "booking.register.closed" in types
