"""Importing the file a town exports from its former software: a dry run reports, a real run
writes every household and child (publishing their facts) or, if any row is rejected,
nothing at all; each rejected row is reported with its line, column and reason."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from marelle_testkit.plugin import ServiceUnderTest
from marelle_testkit.tokens import TokenFactory

NewTenant = Callable[[str], Awaitable[UUID]]
DATA = Path(__file__).parent / "data"


@pytest.fixture
async def tenant(new_tenant: NewTenant) -> UUID:
    return await new_tenant("lisle")


async def send(
    family: ServiceUnderTest, headers: dict[str, str], content: bytes, *, dry_run: bool
) -> Any:
    return await family.client.post(
        "/imports/households",
        params={"dry_run": str(dry_run).lower()},
        files={"file": ("export.csv", content, "text/csv")},
        headers=headers,
    )


async def households(family: ServiceUnderTest, headers: dict[str, str]) -> list[str]:
    listed = await family.client.get("/households", headers=headers)
    return sorted(h["name"] for h in listed.json())


async def test_a_dry_run_reports_and_a_real_run_imports_households_and_children(
    family: ServiceUnderTest, tenant: UUID, tokens: TokenFactory
) -> None:
    manager = tokens.headers(roles=["manager"], tenant_id=tenant)
    content = (DATA / "import_valid.csv").read_bytes()

    dry = await send(family, manager, content, dry_run=True)
    assert dry.json() == {"dry_run": True, "households": 3, "children": 3, "rejected": []}
    assert await households(family, manager) == []
    assert await family.published() == [
        e for e in await family.published() if "tenant" in e["type"]
    ]

    real = await send(family, manager, content, dry_run=False)
    assert real.json()["households"] == 3 and real.json()["children"] == 3
    assert await households(family, manager) == [
        "Famille Fabre",
        "Famille Lemoine",
        "Famille Nowak",
    ]
    types = [e["type"] for e in await family.published()]
    assert types.count("family.household.created") == 3
    assert types.count("family.guardian.added") == 4
    assert types.count("family.child.added") == 3
    assert types.count("family.quotient.changed") == 1

    listed = (
        await family.client.get("/households", params={"q": "Lemoine"}, headers=manager)
    ).json()
    record = (await family.client.get(f"/households/{listed[0]['id']}", headers=manager)).json()
    assert (record["postcode"], record["quotient"], record["quotient_valid_until"]) == (
        "69003",
        540,
        "2027-08-31",
    )
    assert [g["phone"] for g in record["guardians"]] == ["0611223344", "0655667788"]
    assert [(c["first_name"], c["birth_date"], c["diet"]) for c in record["children"]] == [
        ("Maël", "2018-05-14", "sans_porc"),
        ("Zélie", "2020-11-02", None),
    ]

    # The same file again: its e-mail addresses are now taken, nothing more is written.
    again = await send(family, manager, content, dry_run=False)
    assert again.status_code == 422
    assert {r["column"] for r in again.json()["rejected"]} == {"rl1_email", "rl2_email"}
    assert len(await households(family, manager)) == 3


async def test_every_bad_row_is_reported_and_nothing_is_imported(
    family: ServiceUnderTest, tenant: UUID, tokens: TokenFactory
) -> None:
    admin = tokens.headers(roles=["admin"], tenant_id=tenant)
    answer = await send(family, admin, (DATA / "import_bad_rows.csv").read_bytes(), dry_run=False)
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    problem = answer.json()
    assert (
        problem["type"].endswith("import-rejected") and "rien n'a été importé" in problem["detail"]
    )
    found = {(r["line"], r["column"]) for r in problem["rejected"]}
    assert found >= {
        (2, "rl1_email"),  # an address without a valid domain
        (3, "rl1_telephone"),
        (3, "code_postal"),
        (3, "quotient"),
        (3, "enfant_date_naissance"),  # 31 February
        (4, "enfant_date_naissance"),  # in the future
        (4, "annee_scolaire"),
        (4, "regime"),  # a diet the town does not serve
        (5, "nom_foyer"),  # disagrees with line 4 for the same household
        (6, "rl1_email"),  # already used on line 4
        (7, "ref_foyer"),
        (9, "enfant_prenom"),  # the same child twice
    }
    assert all(r["message"] for r in problem["rejected"])
    assert await households(family, admin) == []
    assert [e for e in await family.published() if e["type"] != "family.tenant.created"] == []


async def test_windows_1252_and_commas_are_read(
    family: ServiceUnderTest, tenant: UUID, tokens: TokenFactory
) -> None:
    admin = tokens.headers(roles=["admin"], tenant_id=tenant)
    answer = await send(family, admin, (DATA / "import_cp1252.csv").read_bytes(), dry_run=False)
    assert answer.status_code == 200, answer.text
    assert await households(family, admin) == ["Famille Hébrard"]


@pytest.mark.parametrize(
    ("content", "status", "text"),
    [
        (b"ref_foyer;nom_foyer;medecin\nX;Famille X;Dr House\n", 422, "medecin"),
        (b"nom_foyer\nFamille X\n", 422, "ref_foyer"),
        (b"", 422, "vide"),
        (b"ref_foyer;nom_foyer\n" + b"X;Famille X\n" * 500_000, 413, "5 Mo"),
    ],
)
async def test_an_unreadable_file_is_refused_as_a_whole(
    family: ServiceUnderTest,
    tenant: UUID,
    tokens: TokenFactory,
    content: bytes,
    status: int,
    text: str,
) -> None:
    admin = tokens.headers(roles=["admin"], tenant_id=tenant)
    answer = await send(family, admin, content, dry_run=False)
    assert answer.status_code == status and text in answer.json()["detail"]
    assert await households(family, admin) == []


async def test_only_managers_and_admins_import_and_only_into_their_tenant(
    family: ServiceUnderTest, tenant: UUID, new_tenant: NewTenant, tokens: TokenFactory
) -> None:
    content = (DATA / "import_cp1252.csv").read_bytes()
    for roles in (["agent"], ["parent"]):
        refused = await send(
            family, tokens.headers(roles=roles, tenant_id=tenant), content, dry_run=False
        )
        assert refused.status_code == 403
    other = await new_tenant("ailleurs")
    other_admin = tokens.headers(roles=["admin"], tenant_id=other)
    assert (await send(family, other_admin, content, dry_run=False)).status_code == 200
    assert await households(family, tokens.headers(roles=["admin"], tenant_id=tenant)) == []
    assert await households(family, other_admin) == ["Famille Hébrard"]
