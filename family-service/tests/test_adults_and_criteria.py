"""Other adults of a household (no login, no parental authority) and the tenant's own criteria
on households, edited like the rest of the record."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

import pytest

from marelle_testkit.plugin import ServiceUnderTest
from marelle_testkit.tokens import TokenFactory

from factories import FamilyFactory

NewTenant = Callable[[str], Awaitable[UUID]]
CRITERIA = [
    {
        "code": "residence",
        "label": "Commune de résidence",
        "kind": "choice",
        "choices": ["Lisle", "Hors commune"],
    },
    {"code": "agent_communal", "label": "Agent communal", "kind": "yes_no"},
]


@pytest.fixture
async def setup(
    family: ServiceUnderTest, factory: FamilyFactory, tokens: TokenFactory
) -> dict[str, Any]:
    tenant_id = await factory.tenant("lisle")
    admin = tokens.headers(roles=["admin"], tenant_id=tenant_id)
    rules = (await family.client.get("/settings/records", headers=admin)).json()
    saved = await family.client.put(
        "/settings/records", json={**rules, "criteria": CRITERIA}, headers=admin
    )
    assert saved.status_code == 200, saved.text
    made = await factory.household(tenant_id, "Famille Roux", guardians=[])
    household = {"id": str(made.household_id)}
    return {
        "household": household["id"],
        "admin": admin,
        "agent": tokens.headers(roles=["agent"], tenant_id=tenant_id),
        "parent": tokens.headers(
            roles=["parent"], tenant_id=tenant_id, household_id=UUID(household["id"])
        ),
    }


async def test_staff_add_another_adult_and_a_parent_updates_the_phone_at_once(
    family: ServiceUnderTest, setup: dict[str, Any]
) -> None:
    base = f"/households/{setup['household']}/adults"
    added = await family.client.post(
        base,
        json={"first_name": "Marc", "last_name": "Petit", "relationship": "Beau-père"},
        headers=setup["agent"],
    )
    assert added.status_code == 201
    adult = added.json()["id"]
    assert (
        await family.client.post(base, json={"first_name": "X"}, headers=setup["parent"])
    ).status_code == 403

    phone = await family.client.patch(
        f"{base}/{adult}", json={"phone": "06 01 02 03 04"}, headers=setup["parent"]
    )
    assert phone.json() == {"applied": ["adult.contact"], "requests": []}
    renamed = await family.client.patch(
        f"{base}/{adult}", json={"last_name": "Durand"}, headers=setup["parent"]
    )
    assert renamed.json()["requests"][0]["field_group"] == "adult.identity"
    record = (
        await family.client.get(f"/households/{setup['household']}", headers=setup["parent"])
    ).json()
    assert [(a["last_name"], a["phone"]) for a in record["adults"]] == [("Petit", "0601020304")]

    assert (
        await family.client.delete(f"{base}/{adult}", headers=setup["agent"])
    ).status_code == 204
    record = (
        await family.client.get(f"/households/{setup['household']}", headers=setup["agent"])
    ).json()
    assert record["adults"] == []


async def test_criteria_values_follow_the_tenants_definitions(
    family: ServiceUnderTest, setup: dict[str, Any]
) -> None:
    path = f"/households/{setup['household']}"
    set_values = await family.client.patch(
        path,
        json={"criteria_values": {"residence": "Lisle", "agent_communal": True}},
        headers=setup["agent"],
    )
    assert set_values.json()["applied"] == ["household.criteria"]
    cleared = await family.client.patch(
        path, json={"criteria_values": {"agent_communal": None}}, headers=setup["agent"]
    )
    assert cleared.status_code == 200
    record = (await family.client.get(path, headers=setup["agent"])).json()
    assert record["criteria_values"] == {"residence": "Lisle"}

    for bad in ({"residence": "Paris"}, {"agent_communal": "oui"}, {"inconnu": True}):
        answer = await family.client.patch(
            path, json={"criteria_values": bad}, headers=setup["agent"]
        )
        # The tenant's definitions refuse it: a business rule, not a malformed payload.
        assert answer.status_code == 409 and answer.json()["field"] == "criteria_values"
        assert answer.json()["type"] == "urn:marelle:problem:invalid-criterion"
    # Parents propose; staff decide.
    proposed = await family.client.patch(
        path, json={"criteria_values": {"residence": "Hors commune"}}, headers=setup["parent"]
    )
    assert proposed.json()["requests"][0]["label"] == "Critères de la commune"


async def test_criteria_definitions_are_checked(
    family: ServiceUnderTest, setup: dict[str, Any]
) -> None:
    rules = (await family.client.get("/settings/records", headers=setup["admin"])).json()
    assert [c["code"] for c in rules["criteria"]] == ["residence", "agent_communal"]
    for criteria in (
        [{"code": "Résidence", "label": "x", "kind": "text"}],
        [{"code": "quartier", "label": "Quartier", "kind": "choice", "choices": []}],
        [CRITERIA[1], CRITERIA[1]],
    ):
        answer = await family.client.put(
            "/settings/records", json={**rules, "criteria": criteria}, headers=setup["admin"]
        )
        assert answer.status_code == 422
