"""Importing the file a town exports from its former software (one row per child, the rows of a
household sharing its ``ref_foyer``): a dry run reports, a real run writes every household and
child (publishing their facts) or, if any row is rejected, nothing at all; each rejected row is
reported with its line in the file, its column and the reason, in French."""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest

from marelle_testkit.plugin import ServiceUnderTest
from marelle_testkit.tokens import TokenFactory

NewTenant = Callable[[str], Awaitable[UUID]]
DATA = Path(__file__).parent / "data"
VALID = (DATA / "import_valid.csv").read_bytes()


@pytest.fixture
async def tenant(new_tenant: NewTenant) -> UUID:
    return await new_tenant("lisle")


@pytest.fixture
def manager(tenant: UUID, tokens: TokenFactory) -> dict[str, str]:
    return tokens.headers(roles=["manager"], tenant_id=tenant)


async def send(
    family: ServiceUnderTest, headers: dict[str, str], content: bytes, *, dry_run: bool
) -> httpx.Response:
    return await family.client.post(
        "/imports/households",
        params={"dry_run": str(dry_run).lower()},
        files={"file": ("export.csv", content, "text/csv")},
        headers=headers,
    )


async def households(family: ServiceUnderTest, headers: dict[str, str]) -> list[str]:
    listed = await family.client.get("/households", params={"limit": 100}, headers=headers)
    assert listed.status_code == 200, listed.text
    return sorted(h["name"] for h in listed.json())


async def record(family: ServiceUnderTest, headers: dict[str, str], name: str) -> Any:
    listed = (await family.client.get("/households", params={"q": name}, headers=headers)).json()
    [found] = [h for h in listed if h["name"] == name]
    return (await family.client.get(f"/households/{found['id']}", headers=headers)).json()


async def facts(family: ServiceUnderTest) -> Counter[str]:
    """What the service published, the tenants' creation aside."""
    return Counter(
        e["type"] for e in await family.published() if e["type"] != "family.tenant.created"
    )


def rejected(answer: httpx.Response) -> set[tuple[int, str]]:
    assert answer.status_code == 409, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["type"].endswith(":import-rejected")
    return {(r["line"], r["column"]) for r in answer.json()["rejected"]}


async def test_a_dry_run_checks_every_row_and_writes_nothing(
    family: ServiceUnderTest, manager: dict[str, str]
) -> None:
    dry = await send(family, manager, VALID, dry_run=True)

    assert dry.status_code == 200, dry.text
    assert dry.json() == {"dry_run": True, "households": 5, "children": 8, "rejected": []}
    assert await households(family, manager) == []
    assert await facts(family) == Counter()


async def test_the_dry_run_is_the_default(
    family: ServiceUnderTest, manager: dict[str, str]
) -> None:
    answer = await family.client.post(
        "/imports/households", files={"file": ("export.csv", VALID, "text/csv")}, headers=manager
    )

    assert answer.json()["dry_run"] is True
    assert await households(family, manager) == []


async def test_a_real_run_imports_every_household_and_child_and_publishes_them(
    family: ServiceUnderTest, manager: dict[str, str]
) -> None:
    real = await send(family, manager, VALID, dry_run=False)

    assert real.status_code == 200, real.text
    assert real.json() == {"dry_run": False, "households": 5, "children": 8, "rejected": []}
    assert await households(family, manager) == [
        "Famille Fabre",
        "Famille Lemoine",
        "Famille N'Diaye-Le Gall",
        "Famille Nowak",
        "Famille Rousseau",
    ]
    published = await facts(family)
    assert published["family.household.created"] == 5
    assert published["family.guardian.added"] == 7
    assert published["family.child.added"] == 8
    assert published["family.quotient.changed"] == 3  # Lemoine, N'Diaye-Le Gall, Rousseau
    assert published["family.household.details_changed"] == 4  # the four with an address

    # A household's columns on its first row, a child per row; values stored as the API does.
    lemoine = await record(family, manager, "Famille Lemoine")
    assert (lemoine["address_street"], lemoine["postcode"], lemoine["city"]) == (
        "5 rue Pasteur",
        "69003",
        "Lyon",
    )
    assert (lemoine["phone"], lemoine["quotient"], lemoine["quotient_valid_until"]) == (
        "0478112233",
        540,
        "2027-08-31",
    )
    assert [(g["rank"], g["first_name"], g["phone"]) for g in lemoine["guardians"]] == [
        (1, "Aurélie", "0611223344"),
        (2, "Karim", "0655667788"),
    ]
    assert [
        (c["first_name"], c["birth_date"], c["school"], c["level"], c["school_year"], c["diet"])
        for c in lemoine["children"]
    ] == [
        ("Maël", "2018-05-14", "École Pasteur", "CE2", "2026-2027", "sans_porc"),
        ("Zélie", "2020-11-02", "École Pasteur", "MS", "2026-2027", None),
    ]

    # An e-mail address is stored in lower case; a diet may be written as its label.
    fabre = await record(family, manager, "Famille Fabre")
    assert fabre["guardians"][0]["email"] == "elodie.fabre@exemple.fr"
    assert fabre["address_street"] == "12, avenue Jean Jaurès"
    assert fabre["children"][0]["diet"] == "sans_gluten"

    mixed = await record(family, manager, "Famille N'Diaye-Le Gall")
    assert mixed["address_street"] == "Résidence Les Tilleuls; bât. B"
    assert [(c["first_name"], c["diet"]) for c in mixed["children"]] == [
        ("Awa", "vegetarien"),
        ("Malo", None),
        ("Inès", None),
    ]

    # Twins are two children, not a duplicate; a row may leave the household's columns empty.
    rousseau = await record(family, manager, "Famille Rousseau")
    assert [(c["first_name"], c["birth_date"]) for c in rousseau["children"]] == [
        ("Lina", "2019-09-09"),
        ("Léon", "2019-09-09"),
    ]

    # A household without a child row.
    nowak = await record(family, manager, "Famille Nowak")
    assert (nowak["children"], nowak["guardians"][0]["email"]) == ([], None)


async def test_the_same_file_twice_is_refused_as_its_addresses_are_taken(
    family: ServiceUnderTest, manager: dict[str, str]
) -> None:
    assert (await send(family, manager, VALID, dry_run=False)).status_code == 200
    before = await facts(family)

    again = await send(family, manager, VALID, dry_run=False)

    assert rejected(again) == {
        (2, "rl1_email"),
        (2, "rl2_email"),
        (4, "rl1_email"),
        (6, "rl1_email"),
        (6, "rl2_email"),
        (9, "rl1_email"),
    }
    assert {r["message"] for r in again.json()["rejected"]} == {
        "Adresse déjà celle d'un responsable légal de la structure."
    }
    assert len(await households(family, manager)) == 5
    assert await facts(family) == before


async def test_every_bad_row_is_reported_with_its_line_column_and_reason_and_nothing_is_written(
    family: ServiceUnderTest, tenant: UUID, tokens: TokenFactory
) -> None:
    admin = tokens.headers(roles=["admin"], tenant_id=tenant)
    existing = await family.client.post(
        "/households",
        json={
            "name": "Famille Julien",
            "guardians": [
                {
                    "rank": 1,
                    "first_name": "Marie",
                    "last_name": "Julien",
                    "email": "deja.inscrite@exemple.fr",
                }
            ],
        },
        headers=admin,
    )
    assert existing.status_code == 201, existing.text
    before = await facts(family)

    answer = await send(family, admin, (DATA / "import_bad_rows.csv").read_bytes(), dry_run=False)

    assert rejected(answer) == {
        (2, "rl1_email"),  # an address without a valid domain
        (3, "rl1_telephone"),  # "appelez-moi"
        (3, "code_postal"),  # 4 digits
        (3, "quotient"),  # "beaucoup"
        (3, "enfant_date_naissance"),  # 31 February
        (4, "enfant_date_naissance"),  # in the future
        (4, "annee_scolaire"),  # 2026-2028
        (4, "regime"),  # a diet the town does not serve
        (5, "nom_foyer"),  # disagrees with line 4 for the same household
        (6, "rl1_email"),  # already used on line 4
        (7, "ref_foyer"),  # missing
        (9, "enfant_prenom"),  # the same child as on line 8
        (10, "rl2_nom"),  # a second guardian with only an e-mail address
        (10, "rl2_prenom"),
        (10, "enfant_prenom"),  # a child without a first name
        (10, "enfant_date_naissance"),  # "2019"
        (11, ""),  # a ";" inside an unquoted address shifts the cells...
        (11, "code_postal"),  # ...so its second half lands in the postcode,
        (11, "enfant_nom"),  # the child's last name in its first name...
        (11, "enfant_date_naissance"),
        (11, "annee_scolaire"),
        (12, "enfant_date_naissance"),  # a child without a birth date
        (13, "rl1_email"),  # already a guardian's of the town
    }
    problem = answer.json()
    assert "rien n'a été importé" in problem["detail"] and "11 ligne(s)" in problem["detail"]
    assert [r["line"] for r in problem["rejected"]] == sorted(
        r["line"] for r in problem["rejected"]
    )
    messages = {(r["line"], r["column"]): r["message"] for r in problem["rejected"]}
    assert messages[(3, "rl1_telephone")].startswith("Numéro de téléphone invalide")
    assert messages[(3, "code_postal")].startswith("Le code postal compte 5 chiffres")
    assert messages[(3, "quotient")] == "Le quotient est un nombre entier d'euros."
    assert messages[(3, "enfant_date_naissance")].startswith("Date attendue au format JJ/MM/AAAA")
    assert messages[(4, "enfant_date_naissance")] == "La date de naissance est dans le futur."
    assert messages[(4, "regime")].startswith("Régime « halal » non servi par la structure")
    assert messages[(5, "nom_foyer")] == (
        "« Famille Colin-Dupuis » diffère de « Famille Colin » (ligne 4) pour le même foyer B-3."
    )
    assert messages[(6, "rl1_email")] == "Adresse déjà utilisée ligne 4 (foyer B-3)."
    assert messages[(7, "ref_foyer")] == "Ce champ est obligatoire."
    assert messages[(9, "enfant_prenom")] == "Enfant en double dans ce foyer (déjà ligne 8)."
    assert "au-delà des colonnes de l'en-tête" in messages[(11, "")]
    assert messages[(13, "rl1_email")] == (
        "Adresse déjà celle d'un responsable légal de la structure."
    )

    assert await households(family, admin) == ["Famille Julien"]
    assert await facts(family) == before


async def test_a_windows_1252_export_with_accents_is_read(
    family: ServiceUnderTest, manager: dict[str, str]
) -> None:
    content = (DATA / "import_windows1252.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")

    answer = await send(family, manager, content, dry_run=False)

    assert answer.status_code == 200, answer.text
    assert answer.json()["households"] == 2 and answer.json()["children"] == 3
    assert await households(family, manager) == ["Famille Dubœuf", "Famille Hébrard"]
    hebrard = await record(family, manager, "Famille Hébrard")
    assert [g["first_name"] for g in hebrard["guardians"]] == ["Céline", "François"]
    assert [(c["first_name"], c["diet"]) for c in hebrard["children"]] == [
        ("Noémie", "vegetarien"),
        ("Gaël", None),
    ]
    assert (hebrard["address_street"], hebrard["postcode"]) == (
        "14 chemin des Pâquerettes",
        "01000",
    )
    duboeuf = await record(family, manager, "Famille Dubœuf")
    assert duboeuf["address_street"] == "La Côte d’Or"


async def test_a_comma_separated_export_is_read(
    family: ServiceUnderTest, manager: dict[str, str]
) -> None:
    answer = await send(family, manager, (DATA / "import_commas.csv").read_bytes(), dry_run=False)

    assert answer.status_code == 200, answer.text
    garnier = await record(family, manager, "Famille Garnier")
    assert garnier["address_street"] == "8, impasse des Érables"
    assert [(c["first_name"], c["diet"]) for c in garnier["children"]] == [
        ("Théo", "sans_viande"),
        ("Chloé", None),
    ]


async def test_a_diet_must_be_one_the_town_serves(
    family: ServiceUnderTest, tenant: UUID, manager: dict[str, str], tokens: TokenFactory
) -> None:
    admin = tokens.headers(roles=["admin"], tenant_id=tenant)
    rules = (await family.client.get("/settings/records", headers=admin)).json()
    rules["diets"] = {"sans_porc": "Sans porc", "sans_viande": "Sans viande"}
    assert (await family.client.put("/settings/records", json=rules, headers=admin)).is_success

    answer = await send(family, manager, VALID, dry_run=True)

    assert rejected(answer) == {(4, "regime"), (6, "regime")}
    assert answer.json()["rejected"][0]["message"] == (
        "Régime « Sans gluten » non servi par la structure "
        "(choix possibles : sans_porc, sans_viande)."
    )


async def test_a_line_is_the_file_line_even_when_a_value_spans_two_lines(
    family: ServiceUnderTest, manager: dict[str, str]
) -> None:
    content = (
        "ref_foyer;nom_foyer;adresse;code_postal\r\n"
        'M-1;Famille Martin;"Le Clos Fleuri\r\n2 allée des Roses";69120\r\n'
        "\r\n"
        "M-2;Famille Petit;1 rue Haute;691\r\n"
    ).encode()

    assert rejected(await send(family, manager, content, dry_run=True)) == {(5, "code_postal")}
    fixed = content.replace(b";691\r\n", b";69120\r\n")
    assert (await send(family, manager, fixed, dry_run=False)).status_code == 200
    martin = await record(family, manager, "Famille Martin")
    assert martin["address_street"] == "Le Clos Fleuri 2 allée des Roses"


@pytest.mark.parametrize(
    ("content", "text"),
    [
        (
            "Réf foyer;Nom foyer;Médecin traitant;Allergies\nX;Famille X;Dr Roux;arachide\n",
            "Colonnes inconnues : « Médecin traitant », « Allergies »",
        ),
        ("nom_foyer;rl1_nom\nFamille X;X\n", "Colonnes obligatoires absentes : ref_foyer"),
        (
            "ref_foyer;nom_foyer;Nom foyer\nX;Famille X;Famille X\n",
            "Colonnes en double : nom_foyer",
        ),
        ("ref_foyer\tnom_foyer\nX\tFamille X\n", "séparées par « ; » ou « , »"),
        ("", "Le fichier est vide"),
        ("ref_foyer;nom_foyer\r\n", "aucune ligne de données"),
        (b"PK\x03\x04\x14\x00\x06\x00", "enregistrez-le au format CSV"),
        (b"ref_foyer;nom_foyer\nX;Famille \x81\x8d\n", "ni en UTF-8 ni en Windows-1252"),
    ],
)
async def test_a_file_that_cannot_be_read_is_refused_as_a_whole(
    family: ServiceUnderTest, manager: dict[str, str], content: str | bytes, text: str
) -> None:
    data = content.encode() if isinstance(content, str) else content

    answer = await send(family, manager, data, dry_run=False)

    # The file is the payload: an unreadable one is a validation error of the file field.
    assert answer.status_code == 422
    assert answer.json()["type"].endswith(":validation-error")
    [error] = answer.json()["errors"]
    assert error["field"] == "file" and text in error["message"]
    assert await households(family, manager) == []


@pytest.mark.parametrize(
    ("content", "text"),
    [
        (b"ref_foyer;nom_foyer\n" + b"X;Famille X;" + b" " * 5 * 1024 * 1024 + b"\n", "5 Mo"),
        (b"ref_foyer;nom_foyer\n" + b"X;Famille X\n" * 20_001, "20\u202f000 lignes"),
    ],
)
async def test_a_file_too_large_is_refused(
    family: ServiceUnderTest, manager: dict[str, str], content: bytes, text: str
) -> None:
    answer = await send(family, manager, content, dry_run=False)

    assert answer.status_code == 413
    assert text in answer.json()["detail"]
    assert await households(family, manager) == []


async def test_the_largest_file_allowed_is_imported(
    family: ServiceUnderTest, manager: dict[str, str]
) -> None:
    content = b"ref_foyer;nom_foyer\n" + b"X;Famille X\n" * 20_000

    answer = await send(family, manager, content, dry_run=True)

    assert answer.json() == {"dry_run": True, "households": 1, "children": 0, "rejected": []}


async def test_agents_and_parents_may_not_import(
    family: ServiceUnderTest, tenant: UUID, tokens: TokenFactory
) -> None:
    for roles in (["agent"], ["parent"]):
        headers = tokens.headers(roles=roles, tenant_id=tenant)
        assert (await send(family, headers, VALID, dry_run=True)).status_code == 403
    assert await facts(family) == Counter()


async def test_an_operator_imports_into_the_tenant_it_names(
    family: ServiceUnderTest, manager: dict[str, str], tenant: UUID, tokens: TokenFactory
) -> None:
    operator = {**tokens.headers(roles=["operator"]), "X-Marelle-Tenant": str(tenant)}

    assert (await send(family, operator, VALID, dry_run=False)).status_code == 200
    assert len(await households(family, manager)) == 5


async def test_an_admin_imports_into_its_own_tenant_only(
    family: ServiceUnderTest,
    tenant: UUID,
    manager: dict[str, str],
    new_tenant: NewTenant,
    tokens: TokenFactory,
) -> None:
    other = await new_tenant("ailleurs")
    other_admin = tokens.headers(roles=["admin"], tenant_id=other)

    named = {**other_admin, "X-Marelle-Tenant": str(tenant)}
    assert (await send(family, named, VALID, dry_run=False)).status_code == 403
    assert (await send(family, other_admin, VALID, dry_run=False)).status_code == 200

    assert await households(family, manager) == []
    assert len(await households(family, other_admin)) == 5
    assert {
        e["tenant_id"] for e in await family.published() if e["type"] != "family.tenant.created"
    } == {str(other)}
    # An e-mail address is one login per tenant: the same file imports into the first tenant.
    assert (await send(family, manager, VALID, dry_run=False)).status_code == 200
