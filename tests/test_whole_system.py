"""The whole system through the gateway, in both modes: the README's promise as a test."""

from __future__ import annotations

import asyncio
from uuid import UUID

import pytest

from marelle_testkit.tokens import TokenFactory

from whole_system import RunningSystem, start_system


async def eventually(check, timeout: float = 30.0):  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await check()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("not reached in time")
        await asyncio.sleep(0.1)


async def demo_tenant(system: RunningSystem) -> UUID:
    response = await system.client.get("/api/family/tenants/by-slug/demo")
    assert response.status_code == 200, response.text
    assert response.json()["name"] == "Mairie de Démonstration"
    return UUID(response.json()["id"])


async def journey(system: RunningSystem, tokens: TokenFactory) -> None:
    # The portal and the back office answer in French with the tenant's name.
    portal = await system.client.get("/")
    assert portal.status_code == 200
    assert 'lang="fr"' in portal.text and "Mairie de Démonstration" in portal.text
    admin = await system.client.get("/admin")
    assert admin.status_code == 200 and "Mairie de Démonstration" in admin.text

    tenant_id = await demo_tenant(system)
    agent = tokens.headers(roles=["agent"], tenant_id=tenant_id)

    # Every service learned of the tenant from the family-service's event.
    for service in ("auth", "booking", "billing", "mailing"):

        async def known(service: str = service) -> bool:
            response = await system.client.get(f"/api/{service}/tenant", headers=agent)
            return response.status_code == 200 and response.json()["slug"] == "demo"

        await eventually(known)

    # A household created in the family-service opens its billing account through an event.
    created = await system.client.post(
        "/api/family/households", json={"name": "Famille Lefèvre"}, headers=agent
    )
    assert created.status_code == 201, created.text
    household = created.json()

    async def account() -> dict[str, object] | None:
        url = f"/api/billing/accounts/{household['id']}"
        response = await system.client.get(url, headers=agent)
        return response.json() if response.status_code == 200 else None

    opened = await eventually(account)
    assert opened["family_number"] == household["family_number"]
    assert opened["balance_cents"] == 0

    await booking_journey(system, tokens, tenant_id, household["id"], agent)

    # Bad input is refused with a problem document and creates nothing.
    refused = await system.client.post("/api/family/households", json={"name": ""}, headers=agent)
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["errors"][0]["field"] == "name"


async def booking_journey(
    system: RunningSystem,
    tokens: TokenFactory,
    tenant_id: UUID,
    household_id: str,
    agent: dict[str, str],
) -> None:
    """A child added in the family-service can be enrolled and booked in the booking-service,
    whose demo town has its activities; the parent reads the week grid through the gateway."""
    child = await system.client.post(
        f"/api/family/households/{household_id}/children",
        json={"first_name": "Lou", "last_name": "Lefèvre", "birth_date": "2019-03-02"},
        headers=agent,
    )
    assert child.status_code == 201, child.text

    async def canteen() -> str | None:
        response = await system.client.get("/api/booking/activities", headers=agent)
        found = [a["id"] for a in response.json() if a["code"] == "cantine"]
        return found[0] if response.status_code == 200 and found else None

    activity_id = await eventually(canteen)
    years = (await system.client.get("/api/booking/school-years", headers=agent)).json()
    assert [y["label"] for y in years] == ["2026-2027"]

    async def enrolled() -> bool:
        response = await system.client.post(
            "/api/booking/enrolments",
            json={
                "household_id": household_id,
                "child_id": child.json()["id"],
                "activity_id": activity_id,
                "school_year_id": years[0]["id"],
            },
            headers=agent,
        )
        return response.status_code == 201  # 404 until the child reached booking

    await eventually(enrolled)
    parent = tokens.headers(roles=["parent"], tenant_id=tenant_id, household_id=UUID(household_id))
    grid = await system.client.get(f"/api/booking/households/{household_id}/week", headers=parent)
    assert grid.status_code == 200, grid.text
    row = grid.json()["children"][0]["rows"][0]
    assert row["name"] == "Restauration scolaire"
    # Book the first day the parent may book in the coming weeks (the test runs any day).
    for _ in range(6):
        page = grid.json()
        bookable = [
            c
            for c in page["children"][0]["rows"][0]["cells"]
            if c["can_book"] and not c["book_late"]
        ]
        if bookable:
            change = {
                "child_id": child.json()["id"],
                "activity_id": activity_id,
                "day": bookable[0]["day"],
                "action": "book",
            }
            put = await system.client.put(
                f"/api/booking/households/{household_id}/week",
                json={"changes": [change]},
                headers=parent,
            )
            assert put.status_code == 200, put.text
            assert put.json()["outcomes"][0]["outcome"] in ("booked", "waitlisted")
            break
        grid = await system.client.get(
            f"/api/booking/households/{household_id}/week",
            params={"week": page["next"]},
            headers=parent,
        )
    stranger = tokens.headers(roles=["parent"], tenant_id=tenant_id, household_id=UUID(int=1))
    other = await system.client.get(
        f"/api/booking/households/{household_id}/week", headers=stranger
    )
    assert other.status_code == 404


async def test_the_embedded_system_runs_end_to_end_and_keeps_its_data_on_restart(
    embedded_env: dict[str, str], tokens: TokenFactory
) -> None:
    async with start_system(embedded_env) as system:
        await journey(system, tokens)
        tenant_id = await demo_tenant(system)
        agent = tokens.headers(roles=["agent"], tenant_id=tenant_id)
        before = (await system.client.get("/api/family/households", headers=agent)).json()

    async with start_system(embedded_env) as system:
        after = (await system.client.get("/api/family/households", headers=agent)).json()
        assert after == before  # data kept, demo not seeded twice
        assert len([h for h in after if h["name"] == "Famille Lefèvre"]) == 1


@pytest.mark.integration
async def test_the_distributed_system_runs_end_to_end_on_postgresql_kafka_and_redis(
    distributed_env: dict[str, str], tokens: TokenFactory
) -> None:
    async with start_system(distributed_env) as system:
        assert all(rt.database.dialect == "postgresql" for rt in system.system.runtimes)
        await journey(system, tokens)
