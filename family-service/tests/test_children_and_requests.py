"""Children, authorised contacts, consents and change requests: staff change a record at once;
a parent changes at once what the tenant leaves open and proposes the rest; staff accept (the
change applies and is published) or refuse with a reason the parent reads."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import pytest

from marelle_testkit.plugin import ServiceUnderTest
from marelle_testkit.tokens import TokenFactory

from factories import FamilyFactory

NewTenant = Callable[[str], Awaitable[UUID]]

LEO = {
    "first_name": "Léo",
    "last_name": "Martin",
    "birth_date": "2019-04-12",
    "birth_place": "Lyon",
    "school": "École Jules Ferry",
    "level": "CP",
    "school_year": "2026-2027",
    "diet": "sans_porc",
    "consent_photo": True,
    "contacts": [
        {
            "first_name": "Marie",
            "last_name": "Durand",
            "relationship": "Grand-mère",
            "phone": "06 12 34 56 78",
            "pick_up": True,
            "emergency": True,
        }
    ],
}


@dataclass
class Family:
    tenant_id: UUID
    household_id: UUID
    child_id: UUID
    agent: dict[str, str]
    parent: dict[str, str]


@pytest.fixture
async def martin(factory: FamilyFactory) -> Family:
    tenant_id = await factory.tenant("lisle")
    made = await factory.household(tenant_id, "Famille Martin", children=[LEO])
    return Family(
        tenant_id,
        made.household_id,
        made.child_ids[0],
        factory.staff(tenant_id),
        factory.parent(made),
    )


def child_path(f: Family) -> str:
    return f"/households/{f.household_id}/children/{f.child_id}"


async def record(family: ServiceUnderTest, f: Family) -> dict[str, Any]:
    response = await family.client.get(f"/households/{f.household_id}", headers=f.parent)
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


async def test_a_child_added_by_staff_is_published_with_consents_and_contacts(
    family: ServiceUnderTest, martin: Family
) -> None:
    child = (await record(family, martin))["children"][0]
    assert child["first_name"] == "Léo" and child["diet"] == "sans_porc"
    assert child["contacts"][0]["phone"] == "0612345678"
    published = {e["type"]: e for e in await family.published()}
    added = published["family.child.added"]
    assert added["key"] == str(martin.household_id)
    assert added["payload"]["school"] == "École Jules Ferry"
    assert published["family.consent.changed"]["payload"]["photo"] is True
    assert published["family.contact.changed"]["payload"]["contacts"][0]["pick_up"] is True


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"birth_date": "2999-01-01"}, "birth_date"),
        ({"birth_date": "1980-01-01"}, "birth_date"),
        ({"school_year": "2026-2028"}, "school_year"),
        ({"diet": "halal"}, "diet"),
        ({"doctor": "Dr House"}, "doctor"),
        ({"first_name": "Lé\u200bo"}, "first_name"),
        ({"first_name": "x" * 101}, "first_name"),
        ({"first_name": None}, "first_name"),
        ({"contacts": [{**LEO["contacts"][0], "pick_up": False, "emergency": False}]}, "contacts"),  # type: ignore[index]
        ({"contacts": [{**LEO["contacts"][0], "phone": "appelez-moi"}]}, "contacts"),  # type: ignore[index]
    ],
)
async def test_bad_input_gets_a_clear_problem_and_changes_nothing(
    family: ServiceUnderTest, martin: Family, change: dict[str, Any], field: str
) -> None:
    before = await record(family, martin)
    published = len(await family.published())
    for headers in (martin.agent, martin.parent):
        answer = await family.client.patch(child_path(martin), json=change, headers=headers)
        # A diet the town does not serve is the tenant's rule (409); the rest is malformed.
        assert answer.status_code == (409 if field == "diet" else 422), answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert field in answer.text
    assert await record(family, martin) == before
    assert len(await family.published()) == published


async def test_a_parent_changes_consents_at_once_and_the_record_needs_validating_again(
    family: ServiceUnderTest, martin: Family
) -> None:
    validated = await family.client.post(f"{child_path(martin)}/validation", headers=martin.agent)
    assert validated.json()["validated_at"] is not None

    answer = await family.client.patch(
        child_path(martin), json={"consent_outings": True}, headers=martin.parent
    )
    assert answer.json() == {"applied": ["child.consents"], "requests": []}
    child = (await record(family, martin))["children"][0]
    assert child["consent_outings"] is True and child["validated_at"] is None
    assert (await family.published())[-1]["type"] == "family.consent.changed"


async def test_a_parent_proposes_a_school_change_and_staff_accept_it(
    family: ServiceUnderTest, martin: Family
) -> None:
    proposed = await family.client.patch(
        child_path(martin), json={"school": "École Pasteur", "level": "CE1"}, headers=martin.parent
    )
    assert proposed.status_code == 200
    body = proposed.json()
    assert body["applied"] == [] and body["requests"][0]["label"] == "Scolarité"
    assert (await record(family, martin))["children"][0]["school"] == "École Jules Ferry"

    mine = await family.client.get(
        f"/households/{martin.household_id}/change-requests", headers=martin.parent
    )
    assert [(r["status"], r["changes"]) for r in mine.json()] == [
        ("pending", {"school": "École Pasteur", "level": "CE1"})
    ]
    inbox = (await family.client.get("/change-requests", headers=martin.agent)).json()
    assert [r["id"] for r in inbox] == [body["requests"][0]["id"]]

    accepted = await family.client.post(
        f"/change-requests/{inbox[0]['id']}/accept", headers=martin.agent
    )
    assert accepted.json()["status"] == "accepted"
    assert (await record(family, martin))["children"][0]["school"] == "École Pasteur"
    *_, changed, decided = await family.published()
    assert changed["type"] == "family.child.changed"
    assert changed["payload"]["level"] == "CE1"
    # The family is told through the mailing-service.
    assert decided["type"] == "family.change_request.decided"
    assert decided["payload"] == {
        "household_id": str(martin.household_id),
        "request_id": inbox[0]["id"],
        "field_group": "child.schooling",
        "label": "Scolarité",
        "outcome": "accepted",
        "reason": None,
    }
    again = await family.client.post(
        f"/change-requests/{inbox[0]['id']}/accept", headers=martin.agent
    )
    assert again.status_code == 409


async def test_a_refusal_needs_a_reason_which_the_parent_reads(
    family: ServiceUnderTest, martin: Family
) -> None:
    proposed = await family.client.patch(
        f"/households/{martin.household_id}",
        json={"quotient": 450, "quotient_valid_until": "2027-08-31"},
        headers=martin.parent,
    )
    request_id = proposed.json()["requests"][0]["id"]
    path = f"/change-requests/{request_id}/refuse"
    assert (await family.client.post(path, json={}, headers=martin.agent)).status_code == 422
    refused = await family.client.post(
        path, json={"reason": "Joignez l'attestation CAF de 2026."}, headers=martin.agent
    )
    assert refused.json()["status"] == "refused"
    decided = (await family.published())[-1]
    assert decided["type"] == "family.change_request.decided"
    assert decided["payload"]["outcome"] == "refused"
    assert decided["payload"]["reason"] == "Joignez l'attestation CAF de 2026."
    mine = await family.client.get(
        f"/households/{martin.household_id}/change-requests", headers=martin.parent
    )
    assert mine.json()[0]["reason"] == "Joignez l'attestation CAF de 2026."
    assert (await record(family, martin))["quotient"] is None


async def test_a_new_proposal_replaces_the_pending_one(
    family: ServiceUnderTest, martin: Family
) -> None:
    for school in ("École A", "École B"):
        await family.client.patch(
            child_path(martin), json={"school": school}, headers=martin.parent
        )
    mine = await family.client.get(
        f"/households/{martin.household_id}/change-requests", headers=martin.parent
    )
    assert [(r["status"], r["changes"]["school"]) for r in mine.json()] == [
        ("pending", "École B"),
        ("replaced", "École A"),
    ]


async def test_staff_change_the_quotient_at_once_and_billing_hears_of_it(
    family: ServiceUnderTest, martin: Family
) -> None:
    answer = await family.client.patch(
        f"/households/{martin.household_id}",
        json={"quotient": 720, "quotient_valid_until": "2027-08-31", "benefits_scheme": "caf"},
        headers=martin.agent,
    )
    assert answer.json() == {"applied": ["household.quotient"], "requests": []}
    event = (await family.published())[-1]
    assert event["type"] == "family.quotient.changed"
    assert event["payload"] == {
        "household_id": str(martin.household_id),
        "quotient": 720,
        "valid_until": "2027-08-31",
        "benefits_scheme": "caf",
    }


async def test_each_tenant_chooses_what_parents_change_directly(
    family: ServiceUnderTest, martin: Family, tokens: TokenFactory
) -> None:
    admin = tokens.headers(roles=["admin"], tenant_id=martin.tenant_id)
    rules = (await family.client.get("/settings/records", headers=admin)).json()
    assert rules["editing"]["child.schooling"] == "request"
    rules["editing"]["child.schooling"] = "direct"
    assert (
        await family.client.put("/settings/records", json=rules, headers=martin.agent)
    ).status_code == 403
    saved = await family.client.put("/settings/records", json=rules, headers=admin)
    assert saved.status_code == 200

    answer = await family.client.patch(
        child_path(martin), json={"school": "École Pasteur"}, headers=martin.parent
    )
    assert answer.json()["applied"] == ["child.schooling"]

    bad = {**rules, "editing": {"child.medical": "direct"}}
    refused = await family.client.put("/settings/records", json=bad, headers=admin)
    assert refused.status_code == 422 and "child.medical" in refused.text
    [error] = refused.json()["errors"]
    assert error["field"] == "editing" and error["message"].startswith("Groupes de champs inconnus")


async def test_staff_reads_of_a_child_record_are_logged(
    family: ServiceUnderTest, martin: Family, tokens: TokenFactory
) -> None:
    await record(family, martin)  # a parent's read is not logged
    await family.client.get(f"/households/{martin.household_id}", headers=martin.agent)
    await family.client.get(child_path(martin), headers=martin.agent)
    manager = tokens.headers(roles=["manager"], tenant_id=martin.tenant_id)
    log = await family.client.get(
        "/access-log", params={"child_id": str(martin.child_id)}, headers=manager
    )
    assert [entry["roles"] for entry in log.json()] == ["agent", "agent"]
    assert (await family.client.get("/access-log", headers=martin.agent)).status_code == 403


async def test_a_parent_certifies_the_record_and_staff_cannot_do_it_for_them(
    family: ServiceUnderTest, martin: Family
) -> None:
    path = f"/households/{martin.household_id}/certification"
    assert (await family.client.post(path, headers=martin.agent)).status_code == 403
    certified = await family.client.post(path, headers=martin.parent)
    assert certified.json()["certified_at"] is not None


async def test_other_households_and_other_tenants_are_out_of_reach(
    family: ServiceUnderTest, martin: Family, new_tenant: NewTenant, tokens: TokenFactory
) -> None:
    other = await family.client.post(
        "/households", json={"name": "Famille Voisin"}, headers=martin.agent
    )
    neighbour = tokens.headers(
        roles=["parent"], tenant_id=martin.tenant_id, household_id=UUID(other.json()["id"])
    )
    stranger_tenant = await new_tenant("ailleurs")
    stranger = tokens.headers(roles=["admin"], tenant_id=stranger_tenant)
    before = await record(family, martin)
    for headers in (neighbour, stranger):
        assert (
            await family.client.get(f"/households/{martin.household_id}", headers=headers)
        ).status_code == 404
        assert (await family.client.get(child_path(martin), headers=headers)).status_code == 404
        assert (
            await family.client.patch(child_path(martin), json={"school": "X"}, headers=headers)
        ).status_code == 404
        assert (
            await family.client.get(
                f"/households/{martin.household_id}/change-requests", headers=headers
            )
        ).status_code == 404
    # The child id under the neighbour's own household is not found either.
    crossed = f"/households/{other.json()['id']}/children/{martin.child_id}"
    assert (
        await family.client.patch(crossed, json={"consent_photo": False}, headers=neighbour)
    ).status_code == 404
    proposed = await family.client.patch(
        child_path(martin), json={"school": "École B"}, headers=martin.parent
    )
    request_id = proposed.json()["requests"][0]["id"]
    for headers in (martin.parent, stranger):
        answer = await family.client.post(f"/change-requests/{request_id}/accept", headers=headers)
        assert answer.status_code in (403, 404)
    assert (await record(family, martin))["children"] == before["children"]


async def test_a_parent_proposing_an_email_already_used_is_told_at_once(
    family: ServiceUnderTest, martin: Family
) -> None:
    """Issue 8, defect 6: the e-mail of another household's guardian is refused when the parent
    proposes it (not only when staff accept the request), and says which field."""
    other = await family.client.post(
        "/households",
        json={
            "name": "Famille Roy",
            "guardians": [
                {"rank": 1, "first_name": "Paul", "last_name": "Roy", "email": "p.roy@exemple.fr"}
            ],
        },
        headers=martin.agent,
    )
    assert other.status_code == 201
    guardian_id = (await record(family, martin))["guardians"][0]["id"]
    path = f"/households/{martin.household_id}/guardians/{guardian_id}"
    refused = await family.client.patch(
        path, json={"email": "p.roy@exemple.fr"}, headers=martin.parent
    )
    assert refused.status_code == 409
    assert refused.json()["field"] == "email" and "déjà" in refused.json()["detail"]
    mine = await family.client.get(
        f"/households/{martin.household_id}/change-requests", headers=martin.parent
    )
    assert mine.json() == []
    proposed = await family.client.patch(
        path, json={"email": "julie.martin@exemple.fr"}, headers=martin.parent
    )
    assert proposed.status_code == 200 and proposed.json()["requests"]
