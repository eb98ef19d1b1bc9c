"""Legal guardians: added with the household or later, e-mail changes, removal; each publishes
the fact the auth-service turns into (or out of) a login."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

import pytest

from marelle_testkit.plugin import ServiceUnderTest
from marelle_testkit.tokens import TokenFactory

NewTenant = Callable[[str], Awaitable[UUID]]


@pytest.fixture
async def agent(
    family: ServiceUnderTest, new_tenant: NewTenant, tokens: TokenFactory
) -> dict[str, str]:
    tenant_id = await new_tenant("lisle")
    return tokens.headers(roles=["agent"], tenant_id=tenant_id)


def guardian(rank: int, email: str | None, first: str = "Anne") -> dict[str, Any]:
    return {"rank": rank, "first_name": first, "last_name": "Roy", "email": email}


async def test_a_household_created_with_two_guardians_publishes_both(
    family: ServiceUnderTest, agent: dict[str, str]
) -> None:
    response = await family.client.post(
        "/households",
        json={
            "name": "Famille Roy",
            "guardians": [
                guardian(1, " Anne.Roy@Exemple.FR "),
                guardian(2, "paul.roy@exemple.fr", "Paul"),
            ],
        },
        headers=agent,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert [(g["rank"], g["email"]) for g in body["guardians"]] == [
        (1, "anne.roy@exemple.fr"),
        (2, "paul.roy@exemple.fr"),
    ]
    added = [e for e in await family.published() if e["type"] == "family.guardian.added"]
    assert [e["payload"]["email"] for e in added] == ["anne.roy@exemple.fr", "paul.roy@exemple.fr"]
    assert {e["key"] for e in added} == {body["id"]}


@pytest.mark.parametrize(
    ("guardians", "field"),
    [
        ([guardian(1, "pas-une-adresse")], "guardians.0.email"),
        ([guardian(1, "anne@exemple.fr\u200b")], "guardians.0.email"),
        ([guardian(1, "anne@exemple.fr"), guardian(1, "paul@exemple.fr")], "guardians"),
        ([guardian(1, "same@exemple.fr"), guardian(2, "same@exemple.fr")], "guardians"),
        ([guardian(3, "anne@exemple.fr")], "guardians.0.rank"),
        ([guardian(1, "a" * 250 + "@exemple.fr")], "guardians.0.email"),
        ([{**guardian(1, None), "first_name": "x" * 101}], "guardians.0.first_name"),
        ([{**guardian(1, None), "first_name": "Ann\u202ee"}], "guardians.0.first_name"),
        ([{**guardian(1, None), "role": "père"}], "guardians.0.role"),
        ([guardian(1, None)] * 3, "guardians"),
    ],
)
async def test_bad_guardians_are_refused_and_nothing_is_created(
    family: ServiceUnderTest, agent: dict[str, str], guardians: list[dict[str, Any]], field: str
) -> None:
    before = len(await family.published())
    response = await family.client.post(
        "/households", json={"name": "Famille Roy", "guardians": guardians}, headers=agent
    )
    assert response.status_code == 422
    assert field in [error["field"] for error in response.json()["errors"]]
    assert len(await family.published()) == before
    assert (await family.client.get("/households", headers=agent)).json() == []


async def test_an_email_already_used_in_the_tenant_is_a_conflict_and_rolls_back(
    family: ServiceUnderTest, agent: dict[str, str]
) -> None:
    first = {"name": "Famille A", "guardians": [guardian(1, "anne@exemple.fr")]}
    assert (await family.client.post("/households", json=first, headers=agent)).status_code == 201
    before = len(await family.published())
    second = {"name": "Famille B", "guardians": [guardian(1, "ANNE@exemple.fr")]}
    response = await family.client.post("/households", json=second, headers=agent)
    assert response.status_code == 409
    assert response.json()["field"] == "email"
    names = [h["name"] for h in (await family.client.get("/households", headers=agent)).json()]
    assert names == ["Famille A"]  # the household of the failed request was not kept either
    assert len(await family.published()) == before


async def test_changing_and_removing_a_guardian_publish_their_facts(
    family: ServiceUnderTest, agent: dict[str, str]
) -> None:
    household = (
        await family.client.post(
            "/households",
            json={"name": "Famille C", "guardians": [guardian(1, "c@exemple.fr")]},
            headers=agent,
        )
    ).json()
    guardian_id = household["guardians"][0]["id"]
    base = f"/households/{household['id']}/guardians"

    second = await family.client.post(base, json=guardian(2, "d@exemple.fr"), headers=agent)
    assert second.status_code == 201
    assert (
        await family.client.post(base, json=guardian(2, "e@exemple.fr"), headers=agent)
    ).status_code == 409

    changed = await family.client.patch(
        f"{base}/{guardian_id}", json={"email": "c2@exemple.fr"}, headers=agent
    )
    assert changed.json() == {"applied": ["guardian.email"], "requests": []}
    renamed = await family.client.patch(
        f"{base}/{guardian_id}", json={"first_name": "Cécile"}, headers=agent
    )
    assert renamed.json()["applied"] == ["guardian.identity"]
    assert (
        await family.client.delete(f"{base}/{second.json()['id']}", headers=agent)
    ).status_code == 204

    types = [e["type"] for e in await family.published()]
    assert types[-5:] == [
        "family.guardian.added",
        "family.guardian.added",
        "family.guardian.email_changed",
        "family.guardian.details_changed",
        "family.guardian.removed",
    ]
    detail = (await family.client.get(f"/households/{household['id']}", headers=agent)).json()
    assert [(g["rank"], g["email"], g["first_name"]) for g in detail["guardians"]] == [
        (1, "c2@exemple.fr", "Cécile")
    ]


async def test_guardians_of_another_tenant_cannot_be_touched(
    family: ServiceUnderTest, agent: dict[str, str], tokens: TokenFactory
) -> None:
    household = (
        await family.client.post(
            "/households",
            json={"name": "Famille D", "guardians": [guardian(1, "x@exemple.fr")]},
            headers=agent,
        )
    ).json()
    other = tokens.headers(roles=["admin"], tenant_id=UUID(int=99))
    base = f"/households/{household['id']}/guardians/{household['guardians'][0]['id']}"
    assert (
        await family.client.patch(base, json={"email": "pirate@exemple.fr"}, headers=other)
    ).status_code == 404
    assert (await family.client.delete(base, headers=other)).status_code == 404
    parent = tokens.headers(
        roles=["parent"], tenant_id=UUID(household["tenant_id"]), household_id=UUID(household["id"])
    )
    assert (await family.client.delete(base, headers=parent)).status_code == 403
