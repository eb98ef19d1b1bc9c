"""RGPD by construction: a parent downloads everything held on the household (JSON and PDF);
managers erase a household whose balance is settled, and see the records kept past the
tenant's retention period."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest
import sqlalchemy as sa

from marelle_contracts import BalanceChanged
from marelle_family.models import Household
from marelle_kit.clock import utcnow
from marelle_testkit.plugin import ServiceUnderTest
from marelle_testkit.tokens import TokenFactory

NewTenant = Callable[[str], Awaitable[UUID]]


@pytest.fixture
async def setup(
    family: ServiceUnderTest, new_tenant: NewTenant, tokens: TokenFactory
) -> dict[str, Any]:
    tenant_id = await new_tenant("lisle")
    agent = tokens.headers(roles=["agent"], tenant_id=tenant_id)
    household = (
        await family.client.post(
            "/households",
            json={
                "name": "Famille Petit",
                "guardians": [
                    {
                        "rank": 1,
                        "first_name": "Léa",
                        "last_name": "Petit",
                        "email": "lea@exemple.fr",
                    }
                ],
            },
            headers=agent,
        )
    ).json()
    await family.client.patch(
        f"/households/{household['id']}",
        json={"address_street": "3 rue des Écoles", "postcode": "69000", "city": "Lyon"},
        headers=agent,
    )
    child = await family.client.post(
        f"/households/{household['id']}/children",
        json={
            "first_name": "Noé",
            "last_name": "Petit",
            "birth_date": "2018-09-01",
            "contacts": [
                {
                    "first_name": "Paul",
                    "last_name": "Petit",
                    "relationship": "Oncle",
                    "phone": "0611223344",
                    "emergency": True,
                }
            ],
        },
        headers=agent,
    )
    assert child.status_code == 201, child.text
    household_id = UUID(household["id"])
    return {
        "tenant_id": tenant_id,
        "household": household,
        "agent": agent,
        "manager": tokens.headers(roles=["manager"], tenant_id=tenant_id),
        "parent": tokens.headers(roles=["parent"], tenant_id=tenant_id, household_id=household_id),
    }


async def test_a_parent_downloads_everything_held_on_the_household(
    family: ServiceUnderTest, setup: dict[str, Any], tokens: TokenFactory
) -> None:
    base = f"/households/{setup['household']['id']}"
    await family.client.patch(base, json={"quotient": 500}, headers=setup["parent"])

    answer = await family.client.get(f"{base}/export.json", headers=setup["parent"])
    assert answer.status_code == 200
    assert answer.headers["content-disposition"].startswith("attachment;")
    export = json.loads(answer.content)
    assert export["controller"] == "Mairie de Lisle"
    assert export["household"]["city"] == "Lyon"
    assert export["household"]["guardians"][0]["email"] == "lea@exemple.fr"
    assert export["household"]["children"][0]["contacts"][0]["relationship"] == "Oncle"
    assert export["change_requests"][0]["changes"] == {"quotient": 500}

    pdf = await family.client.get(f"{base}/export.pdf", headers=setup["parent"])
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-") and pdf.content.rstrip().endswith(b"%%EOF")

    neighbour = tokens.headers(
        roles=["parent"], tenant_id=setup["tenant_id"], household_id=UUID(int=5)
    )
    for path in ("export.json", "export.pdf"):
        assert (await family.client.get(f"{base}/{path}", headers=neighbour)).status_code == 404


async def test_a_manager_erases_a_settled_household_and_the_others_are_told(
    family: ServiceUnderTest, setup: dict[str, Any]
) -> None:
    household_id = setup["household"]["id"]
    path = f"/households/{household_id}/erasure"
    assert (await family.client.post(path, headers=setup["agent"])).status_code == 403

    await family.deliver(
        BalanceChanged(household_id=UUID(household_id), balance_cents=1250),
        tenant_id=setup["tenant_id"],
        key=household_id,
    )
    blocked = await family.client.post(path, headers=setup["manager"])
    assert blocked.status_code == 409 and "12,50" in blocked.json()["detail"]
    assert blocked.json()["type"].endswith("unpaid-balance")
    assert (
        await family.client.get(f"/households/{household_id}", headers=setup["manager"])
    ).json()["name"] == "Famille Petit"

    await family.deliver(
        BalanceChanged(household_id=UUID(household_id), balance_cents=0),
        tenant_id=setup["tenant_id"],
        key=household_id,
    )
    erased = await family.client.post(path, headers=setup["manager"])
    assert erased.status_code == 200
    record = (
        await family.client.get(f"/households/{household_id}", headers=setup["manager"])
    ).json()
    assert record["name"] == "Foyer effacé" and record["family_number"]
    assert record["guardians"] == [] and record["children"] == []
    assert record["address_street"] is None and record["city"] is None
    types = [e["type"] for e in await family.published()]
    assert types[-2:] == ["family.guardian.removed", "family.household.erased"]

    assert (await family.client.post(path, headers=setup["manager"])).status_code == 409
    edit = await family.client.patch(
        f"/households/{household_id}", json={"phone": "0102030405"}, headers=setup["manager"]
    )
    assert edit.status_code == 409


async def test_households_past_the_retention_period_are_listed(
    family: ServiceUnderTest, setup: dict[str, Any]
) -> None:
    old = await family.client.post(
        "/households", json={"name": "Famille Ancienne"}, headers=setup["agent"]
    )
    async with family.runtime.database.transaction() as session:
        await session.execute(
            sa.update(Household)
            .where(Household.id == UUID(old.json()["id"]))  # type: ignore[arg-type]
            .values(modified_at=utcnow() - timedelta(days=4 * 365))
        )
    listed = await family.client.get("/retention/households", headers=setup["manager"])
    assert [h["name"] for h in listed.json()] == ["Famille Ancienne"]
    assert (
        await family.client.get("/retention/households", headers=setup["agent"])
    ).status_code == 403


def test_the_pdf_shows_instants_in_paris_time_the_french_way() -> None:
    """Issue 8, defect 2: 23:30 UTC on 30 November is 1 December, 00 h 30, in Paris."""
    from marelle_family.privacy.pdf import _text

    assert _text("2026-11-30T23:30:00+00:00") == "01/12/2026 à 0\u00a0h\u00a030"
    assert _text("2026-11-30T23:30:00") == "01/12/2026 à 0\u00a0h\u00a030"  # stored as UTC
    assert _text("2027-08-31") == "31/08/2027"
