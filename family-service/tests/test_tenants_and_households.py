"""Tenants and households through the family-service API, with their events."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from uuid import UUID, uuid4

import pytest

from marelle_family.service import definition
from marelle_testkit.plugin import ServiceUnderTest
from marelle_testkit.tokens import TokenFactory

NewTenant = Callable[[str], Awaitable[UUID]]


async def test_an_operator_creates_a_tenant_and_its_event_is_in_the_outbox(
    family: ServiceUnderTest, new_tenant: NewTenant, tokens: TokenFactory
) -> None:
    tenant_id = await new_tenant("lavaur")

    public = await family.client.get("/tenants/by-slug/lavaur")
    assert public.json() == {
        "id": str(tenant_id),
        "slug": "lavaur",
        "name": "Mairie de Lavaur",
        "article": "",
        "home_text": None,
        "contact_address": None,
        "contact_phone": None,
        "contact_email": None,
        "contact_hours": None,
        "dpo_contact": None,
        "retention_years": 3,
    }
    [event] = await family.published()
    assert event["type"] == "family.tenant.created"
    assert event["tenant_id"] == str(tenant_id)
    assert event["payload"] == {
        "tenant_id": str(tenant_id),
        "slug": "lavaur",
        "name": "Mairie de Lavaur",
    }


@pytest.mark.parametrize(
    "payload",
    [
        {"slug": "Avec Espaces", "name": "Mairie"},
        {"slug": "-tiret", "name": "Mairie"},
        {"slug": "x" * 64, "name": "Mairie"},
        {"slug": "ok", "name": "M"},
        {"slug": "ok", "name": "M" * 201},
        {"slug": "ok"},
        {"slug": "ok", "name": "Mairie", "admin": True},
        {"slug": "ok\u200b", "name": "Mairie"},  # zero-width space
    ],
)
async def test_bad_tenant_payloads_are_refused_and_change_nothing(
    family: ServiceUnderTest, tokens: TokenFactory, payload: dict[str, object]
) -> None:
    response = await family.client.post(
        "/tenants", json=payload, headers=tokens.headers(roles=["operator"])
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert await family.published() == []


async def test_only_operators_create_tenants_and_slugs_are_unique(
    family: ServiceUnderTest, new_tenant: NewTenant, tokens: TokenFactory
) -> None:
    payload = {"slug": "gaillac", "name": "Mairie de Gaillac"}
    denied = await family.client.post(
        "/tenants", json=payload, headers=tokens.headers(roles=["admin"], tenant_id=uuid4())
    )
    assert denied.status_code == 403
    await new_tenant("gaillac")
    again = await family.client.post(
        "/tenants", json=payload, headers=tokens.headers(roles=["operator"])
    )
    assert again.status_code == 409
    assert len(await family.published()) == 1


async def test_staff_create_households_numbered_per_tenant(
    family: ServiceUnderTest, new_tenant: NewTenant, tokens: TokenFactory
) -> None:
    tenant_id = await new_tenant("albi")
    agent = tokens.headers(roles=["agent"], tenant_id=tenant_id)
    numbers = []
    for name in ("Famille Roy", "Famille Petit"):
        created = await family.client.post("/households", json={"name": name}, headers=agent)
        assert created.status_code == 201, created.text
        numbers.append(created.json()["family_number"])
    assert numbers == ["000001", "000002"]
    household_events = [
        e for e in await family.published() if e["type"] == "family.household.created"
    ]
    assert [e["key"] for e in household_events] == [
        e["payload"]["household_id"]
        for e in household_events  # type: ignore[index]
    ]


async def test_no_request_reaches_another_tenants_households(
    family: ServiceUnderTest, new_tenant: NewTenant, tokens: TokenFactory
) -> None:
    ours, theirs = (
        await new_tenant("ours"),
        await new_tenant("theirs"),
    )
    their_agent = tokens.headers(roles=["agent"], tenant_id=theirs)
    hidden = (
        await family.client.post(
            "/households", json={"name": "Famille Cachée"}, headers=their_agent
        )
    ).json()

    our_agent = tokens.headers(roles=["agent"], tenant_id=ours)
    assert (await family.client.get("/households", headers=our_agent)).json() == []
    assert (
        await family.client.get(f"/households/{hidden['id']}", headers=our_agent)
    ).status_code == 404
    spoofed = await family.client.get(
        "/households", headers={**our_agent, "X-Marelle-Tenant": str(theirs)}
    )
    assert spoofed.status_code == 403


async def test_a_parent_sees_only_their_own_household(
    family: ServiceUnderTest, new_tenant: NewTenant, tokens: TokenFactory
) -> None:
    tenant_id = await new_tenant("castres")
    agent = tokens.headers(roles=["agent"], tenant_id=tenant_id)
    mine = (
        await family.client.post("/households", json={"name": "Famille A"}, headers=agent)
    ).json()
    other = (
        await family.client.post("/households", json={"name": "Famille B"}, headers=agent)
    ).json()
    parent = tokens.headers(roles=["parent"], tenant_id=tenant_id, household_id=UUID(mine["id"]))

    assert (await family.client.get(f"/households/{mine['id']}", headers=parent)).status_code == 200
    assert (
        await family.client.get(f"/households/{other['id']}", headers=parent)
    ).status_code == 404
    assert (await family.client.get("/households", headers=parent)).status_code == 403
    assert (
        await family.client.post("/households", json={"name": "Famille C"}, headers=parent)
    ).status_code == 403


async def test_demo_seed_creates_the_demo_tenant_once(
    family: ServiceUnderTest,
) -> None:
    assert definition.seed is not None
    await definition.seed(family.runtime)
    await definition.seed(family.runtime)
    tenant = (await family.client.get("/tenants/by-slug/demo")).json()
    assert tenant["name"] == "Mairie de Démonstration"
    types = [e["type"] for e in await family.published()]
    assert types.count("family.tenant.created") == 1
    assert types.count("family.household.created") == 4
    assert types.count("family.child.added") == 3
