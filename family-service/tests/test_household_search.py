"""Searching the households for the back office: by name, family number, guardian, child and
school, with the follow-up filters (records to validate, QF to renew, no e-mail); always inside
the staff member's tenant."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from uuid import UUID

import pytest

from marelle_family.service import definition
from marelle_kit.localtime import local_today
from marelle_testkit.databases import postgres_database, sqlite_url
from marelle_testkit.plugin import ServiceUnderTest, service_under_test
from marelle_testkit.tokens import TokenFactory

from factories import JULIE, LEO, FamilyFactory


@pytest.fixture(params=["sqlite", "postgresql"])
async def family(
    request: pytest.FixtureRequest, tmp_path: Path, tokens: TokenFactory
) -> AsyncIterator[ServiceUnderTest]:
    """The search runs on both databases (PostgreSQL skipped when no server is at hand)."""
    async with AsyncExitStack() as stack:
        if request.param == "sqlite":
            url, migrated = sqlite_url(tmp_path, "family"), False
        else:
            admin = request.getfixturevalue("postgres_admin_url")
            url = await stack.enter_async_context(
                postgres_database(admin, "family", migrated=definition)
            )
            migrated = True
        yield await stack.enter_async_context(
            service_under_test(definition, url, tokens, migrated=migrated)
        )


@dataclass
class Town:
    tenant_id: UUID
    agent: dict[str, str]
    ids: dict[str, str]  # household name -> id
    children: dict[str, str]  # child first name -> id


def _today() -> date:
    return local_today()  # the records' calendar day (Paris), as the service judges it


@pytest.fixture
async def town(factory: FamilyFactory) -> Town:
    tenant_id = await factory.tenant("lisle")
    in_a_year = (_today() + timedelta(days=365)).isoformat()
    yesterday = (_today() - timedelta(days=1)).isoformat()
    # 000001: QF valid, a guardian with an e-mail, a child whose record is not validated yet.
    martin = await factory.household(
        tenant_id,
        "Famille Martin",
        guardians=[{**JULIE, "email": "j.martin@exemple.fr"}],
        details={"quotient": 720, "quotient_valid_until": in_a_year},
        children=[{**LEO, "school": "École Jules Ferry"}],
    )
    # 000002: QF expired yesterday, the only guardian has no e-mail, the child is validated.
    eluard = await factory.household(
        tenant_id,
        "Famille Éluard",
        guardians=[{"rank": 1, "first_name": "Ahmed", "last_name": "Benali"}],
        details={"quotient": 450, "quotient_valid_until": yesterday},
        children=[{**LEO, "first_name": "Zoé", "last_name": "Éluard", "school": "ÉCOLE PASTEUR"}],
        validated=True,
    )
    # 000003: nobody yet, no QF.
    roy = await factory.household(tenant_id, "Famille Roy", guardians=[])
    ids = {
        "Famille Martin": str(martin.household_id),
        "Famille Éluard": str(eluard.household_id),
        "Famille Roy": str(roy.household_id),
    }
    children = {"Léo": str(martin.child_ids[0]), "Zoé": str(eluard.child_ids[0])}
    return Town(tenant_id, factory.staff(tenant_id), ids, children)


async def search(family: ServiceUnderTest, town: Town, **params: str) -> list[str]:
    answer = await family.client.get("/households", params=params, headers=town.agent)
    assert answer.status_code == 200, answer.text
    return [row["name"] for row in answer.json()]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("martin", ["Famille Martin"]),  # household name, any case
        ("FAMILLE", ["Famille Martin", "Famille Roy", "Famille Éluard"]),
        ("000003", ["Famille Roy"]),  # family number
        ("benali", ["Famille Éluard"]),  # a guardian's last name
        ("J.MARTIN@exemple", ["Famille Martin"]),  # a guardian's e-mail
        ("léo", ["Famille Martin"]),  # a child's first name, accents as typed
        ("LÉO", ["Famille Martin"]),
        ("zoé", ["Famille Éluard"]),
        ("éluard", ["Famille Éluard"]),  # stored with a capital É
        ("leo", []),  # accents are not folded
        ("léo martin", ["Famille Martin"]),  # every word must match somewhere
        ("léo benali", []),
        ("julie", []),  # a guardian's first name is not searched
        ("%", []),  # LIKE wildcards are plain characters
        ("_", []),
        ("  ", ["Famille Martin", "Famille Roy", "Famille Éluard"]),
    ],
)
async def test_the_search_text_finds_households_by_their_people(
    family: ServiceUnderTest, town: Town, q: str, expected: list[str]
) -> None:
    assert sorted(await search(family, town, q=q)) == sorted(expected)


async def test_the_school_filter_matches_part_of_a_childs_school(
    family: ServiceUnderTest, town: Town
) -> None:
    assert await search(family, town, school="jules ferry") == ["Famille Martin"]
    assert await search(family, town, school="école pasteur") == ["Famille Éluard"]
    assert await search(family, town, school="Collège") == []
    assert await search(family, town, school="école", q="zoé") == ["Famille Éluard"]


async def test_the_follow_up_filters(family: ServiceUnderTest, town: Town) -> None:
    assert await search(family, town, not_validated="true") == ["Famille Martin"]
    assert sorted(await search(family, town, quotient_expired="true")) == [
        "Famille Roy",
        "Famille Éluard",
    ]
    assert sorted(await search(family, town, missing_email="true")) == [
        "Famille Roy",
        "Famille Éluard",
    ]
    assert await search(family, town, missing_email="true", quotient_expired="true", q="roy") == [
        "Famille Roy"
    ]
    assert await search(family, town, missing_email="false") == await search(family, town)

    # Validating Léo's record takes the household off the list; a QF with no end date is on it.
    path = f"/households/{town.ids['Famille Martin']}/children/{town.children['Léo']}/validation"
    assert (await family.client.post(path, headers=town.agent)).status_code == 200
    assert await search(family, town, not_validated="true") == []
    await family.client.patch(
        f"/households/{town.ids['Famille Martin']}",
        json={"quotient_valid_until": None},
        headers=town.agent,
    )
    assert "Famille Martin" in await search(family, town, quotient_expired="true")


async def test_a_quotient_valid_today_is_not_expired(family: ServiceUnderTest, town: Town) -> None:
    await family.client.patch(
        f"/households/{town.ids['Famille Éluard']}",
        json={"quotient_valid_until": _today().isoformat()},
        headers=town.agent,
    )
    assert await search(family, town, quotient_expired="true") == ["Famille Roy"]


async def test_each_row_names_the_guardians_and_counts_the_children(
    family: ServiceUnderTest, town: Town
) -> None:
    await family.client.post(
        f"/households/{town.ids['Famille Martin']}/guardians",
        json={"rank": 2, "first_name": "Paul", "last_name": "Martin"},
        headers=town.agent,
    )
    rows = (await family.client.get("/households", headers=town.agent)).json()
    martin = next(row for row in rows if row["name"] == "Famille Martin")
    assert martin["family_number"] == "000001"
    assert martin["tenant_id"] == str(town.tenant_id)
    assert martin["children_count"] == 1
    assert [(g["rank"], g["first_name"], g["last_name"]) for g in martin["guardians"]] == [
        (1, "Julie", "Martin"),
        (2, "Paul", "Martin"),
    ]
    roy = next(row for row in rows if row["name"] == "Famille Roy")
    assert roy["children_count"] == 0 and roy["guardians"] == []


async def test_limit_and_offset_page_through_the_results(
    family: ServiceUnderTest, town: Town
) -> None:
    everyone = await search(family, town)
    assert len(everyone) == 3
    first = await search(family, town, limit="2")
    assert first + await search(family, town, limit="2", offset="2") == everyone
    assert await search(family, town, q="famille", limit="1", offset="1") == everyone[1:2]


async def test_households_asked_by_id(family: ServiceUnderTest, town: Town) -> None:
    wanted = [town.ids["Famille Éluard"], town.ids["Famille Martin"]]
    answer = await family.client.get(
        "/households", params=[("id", i) for i in wanted], headers=town.agent
    )
    assert sorted(row["id"] for row in answer.json()) == sorted(wanted)
    too_many = [("id", town.ids["Famille Roy"])] * 101
    refused = await family.client.get("/households", params=too_many, headers=town.agent)
    assert refused.status_code == 422


@pytest.mark.parametrize(
    "params",
    [
        {"q": "x" * 101},
        {"id": "pas-un-identifiant"},
        {"school": "x" * 101},
        {"not_validated": "peut-être"},
        {"limit": "0"},
        {"offset": "-1"},
    ],
)
async def test_bad_search_parameters_get_a_problem(
    family: ServiceUnderTest, town: Town, params: dict[str, str]
) -> None:
    answer = await family.client.get("/households", params=params, headers=town.agent)
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    assert next(iter(params)) in answer.text


async def test_another_tenants_households_never_appear(
    family: ServiceUnderTest, town: Town, factory: FamilyFactory
) -> None:
    elsewhere = await factory.tenant("ailleurs")
    their_agent = factory.staff(elsewhere)
    made = await factory.household(
        elsewhere,
        "Famille Martin",
        guardians=[{"rank": 1, "first_name": "Marc", "last_name": "Martin"}],
        children=[{**LEO, "school": "École Jules Ferry"}],
    )
    theirs = str(made.household_id)

    for params in (
        {},
        {"q": "martin"},
        {"q": "léo"},
        {"school": "jules"},
        {"not_validated": "true"},
        {"quotient_expired": "true"},
        {"missing_email": "true"},
    ):
        ours = await family.client.get("/households", params=params, headers=town.agent)
        assert theirs not in [row["id"] for row in ours.json()], params
        assert {row["tenant_id"] for row in ours.json()} <= {str(town.tenant_id)}
        found = await family.client.get("/households", params=params, headers=their_agent)
        assert {row["id"] for row in found.json()} <= {theirs}, params
    # Asking for households by id gives only the tenant's own.
    by_id = await family.client.get(
        "/households",
        params=[("id", theirs), ("id", town.ids["Famille Roy"])],
        headers=town.agent,
    )
    assert [row["name"] for row in by_id.json()] == ["Famille Roy"]
    # Their household is found by their own agent, with its child.
    mine = (await family.client.get("/households", params={"q": "léo"}, headers=their_agent)).json()
    assert [(row["id"], row["children_count"]) for row in mine] == [(theirs, 1)]


async def test_parents_cannot_search(
    family: ServiceUnderTest, town: Town, tokens: TokenFactory
) -> None:
    parent = tokens.headers(
        roles=["parent"],
        tenant_id=town.tenant_id,
        household_id=UUID(town.ids["Famille Martin"]),
    )
    answer = await family.client.get("/households", params={"q": "martin"}, headers=parent)
    assert answer.status_code == 403
