"""The back office's household records through the gateway (embedded mode, demo agent): create
a household, add a child with a diet, find it by the child's first name and the follow-up
filters, validate the record, edit the details and a guardian, then decide the family's change
requests from the inbox; a form without its CSRF token changes nothing."""

from __future__ import annotations

import html
import re
from uuid import UUID

import httpx

from marelle_auth.seed import DEMO_STAFF_PASSWORD
from marelle_testkit.tokens import TokenFactory

from whole_system import RunningSystem, csrf_of, login, start_system

UUID_PATTERN = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def text(response: httpx.Response) -> str:
    """The page with its entities decoded (« d'allocataire », not « d&#39;allocataire »)."""
    return html.unescape(response.text)


def words(response: httpx.Response) -> str:
    """The page's text without its tags, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", text(response)).split())


async def follow(system: RunningSystem, answer: httpx.Response) -> httpx.Response:
    assert answer.status_code == 303, answer.text
    page = await system.client.get(answer.headers["location"])
    assert page.status_code == 200, page.text
    return page


def request_ids(inbox: str) -> dict[str, str]:
    """{label: request id} of the inbox page."""
    found = {}
    for article in inbox.split("<article")[1:]:
        label = re.search(r"<h2 [^>]*>([^<]+)</h2>", article)
        action = re.search(rf'action="/admin/demandes/({UUID_PATTERN})/accepter', article)
        assert label and action
        found[html.unescape(label.group(1))] = action.group(1)
    return found


async def test_an_agent_keeps_a_household_record_and_decides_the_familys_requests(
    embedded_env: dict[str, str], tokens: TokenFactory
) -> None:
    async with start_system(embedded_env) as system:
        page = await login(system, "agent@demo.test", DEMO_STAFF_PASSWORD, page_path="/admin")
        assert page.status_code == 200, page.text
        assert 'href="/admin/demandes"' in page.text

        # A household with its first guardian.
        created = await system.client.post(
            "/admin/foyers",
            data={
                "csrf_token": csrf_of(page.text),
                "name": "Famille Kerbrat",
                "first_name": "Yann",
                "last_name": "Kerbrat",
                "email": "yann.kerbrat@exemple.fr",
            },
        )
        household_path = created.headers["location"]
        household_id = household_path.rsplit("/", 1)[1]
        household = await follow(system, created)
        assert "Responsable légal 1 : Yann Kerbrat" in household.text
        for section in ('id="foyer"', 'id="responsables"', 'id="enfants"', 'id="demandes"'):
            assert section in household.text

        # A child with a diet from the tenant's list; a form without a birth date is refused.
        new = await system.client.get(f"{household_path}/enfants/nouveau")
        assert new.status_code == 200
        assert '<option value="sans_porc">Sans porc</option>' in new.text
        child_form = {
            "csrf_token": csrf_of(new.text),
            "first_name": "Maëlys",
            "last_name": "Kerbrat",
            "birth_date": "2018-09-03",
            "school": "École Jean Jaurès",
            "level": "CE2",
            "school_year": "2026-2027",
            "diet": "sans_porc",
            "pai": "oui",
            "consent_photo": "oui",
            "consent_outings": "non",
            "contacts-0-first_name": "Anne",
            "contacts-0-last_name": "Le Goff",
            "contacts-0-relationship": "Grand-mère",
            "contacts-0-phone": "06 11 22 33 44",
            "contacts-0-pick_up": "oui",
        }
        refused = await system.client.post(
            f"{household_path}/enfants/nouveau", data={**child_form, "birth_date": ""}
        )
        assert refused.status_code == 422
        assert "Date de naissance : Ce champ est obligatoire." in text(refused)
        assert 'value="Maëlys"' in refused.text  # what was typed is kept
        added = await system.client.post(f"{household_path}/enfants/nouveau", data=child_form)
        child_path = added.headers["location"].split("?")[0]
        assert re.fullmatch(rf"{household_path}/enfants/{UUID_PATTERN}", child_path)
        child = await follow(system, added)
        shown = text(child)
        assert "L'enfant est ajouté au foyer." in shown
        assert "Fiche à valider" in shown and "Sans porc" in shown
        assert "Anne Le Goff" in shown and "0611223344" in shown

        # Found by the child's first name and by the "record to validate" filter.
        found = await system.client.get("/admin/foyers", params={"q": "maëlys"})
        assert "Famille Kerbrat" in found.text and "Famille Martin" not in found.text
        assert "Yann Kerbrat" in found.text
        to_validate = await system.client.get("/admin/foyers", params={"a_valider": "1"})
        assert "Famille Kerbrat" in to_validate.text
        too_long = await system.client.get("/admin/foyers", params={"q": "x" * 101})
        assert too_long.status_code == 422 and "Ce texte est trop long." in too_long.text

        # « Valider la fiche »: the household leaves the filter.
        validated = await system.client.post(
            f"{child_path}/validation", data={"csrf_token": csrf_of(child.text)}
        )
        validated_page = text(await follow(system, validated))
        assert "La fiche de l'enfant est validée." in validated_page
        assert (
            "Fiche validée" in validated_page and "Valider la fiche</button>" not in validated_page
        )
        to_validate = await system.client.get("/admin/foyers", params={"a_valider": "1"})
        assert "Famille Kerbrat" not in to_validate.text

        # The household's details: an error shows next to the form, then the change is saved.
        csrf = csrf_of(household.text)
        details = {
            "csrf_token": csrf,
            "address_street": "3 rue de Siam",
            "postcode": "29A",
            "city": "Brest",
            "email_authorised": "oui",
            "quotient": "850",
            "quotient_valid_until": "2027-08-31",
            "benefits_scheme": "caf",
            "benefits_number": "1234567",
        }
        wrong = await system.client.post(f"{household_path}/foyer", data=details)
        assert wrong.status_code == 422
        assert "Code postal : Ce format n'est pas accepté." in text(wrong)
        assert 'value="3 rue de Siam"' in wrong.text
        saved = await system.client.post(
            f"{household_path}/foyer", data={**details, "postcode": "29200"}
        )
        household = await follow(system, saved)
        shown = text(household)
        assert "Les modifications sont enregistrées." in shown
        assert "29200 Brest" in shown and "850 €, valable jusqu'au 31/08/2027" in shown
        unchanged = await system.client.post(
            f"{household_path}/foyer", data={**details, "postcode": "29200"}
        )
        assert "Aucune modification" in text(await follow(system, unchanged))

        # The guardian's phones, profession and parental authority.
        guardian_id = re.search(
            rf'action="{household_path}/responsables/({UUID_PATTERN})"', household.text
        )
        assert guardian_id
        changed = await system.client.post(
            f"{household_path}/responsables/{guardian_id.group(1)}",
            data={
                "csrf_token": csrf,
                "action": "modifier",
                "first_name": "Yann",
                "last_name": "Kerbrat",
                "email": "yann.kerbrat@exemple.fr",
                "phone": "06 98 76 54 32",
                "profession": "Marin pêcheur",
                "parental_authority": "yes",
            },
        )
        shown = text(await follow(system, changed))
        assert "0698765432" in shown and "Marin pêcheur" in shown
        assert re.search(r"<dt>Autorité parentale</dt><dd>Oui</dd>", shown)

        # A form without its CSRF token changes nothing.
        without_token = {name: value for name, value in details.items() if name != "csrf_token"}
        forged = await system.client.post(
            f"{household_path}/foyer",
            data={**without_token, "postcode": "75001", "city": "Paris"},
        )
        assert forged.status_code == 400
        assert "Le formulaire a expiré" in text(forged)
        assert "75001 Paris" not in text(await system.client.get(household_path))

        # The family proposes two changes through the API (the tenant has them go to staff).
        tenant = (await system.client.get("/api/family/tenants/by-slug/demo")).json()
        parent = tokens.headers(
            roles=["parent"], tenant_id=UUID(tenant["id"]), household_id=UUID(household_id)
        )
        school = await system.client.patch(
            f"/api/family/households/{household_id}/children/{child_path.rsplit('/', 1)[1]}",
            json={"school": "École Pasteur", "level": "CM1"},
            headers=parent,
        )
        assert school.status_code == 200, school.text
        assert school.json()["applied"] == [] and len(school.json()["requests"]) == 1
        quotient = await system.client.patch(
            f"/api/family/households/{household_id}",
            json={"quotient": 400, "quotient_valid_until": "2027-12-31"},
            headers=parent,
        )
        assert quotient.json()["requests"][0]["label"] == "Quotient familial et n° d'allocataire"

        inbox = await system.client.get("/admin/demandes")
        assert inbox.status_code == 200
        shown = words(inbox)
        assert "Famille Kerbrat (n° " in shown
        assert "École : École Pasteur" in shown and "Quotient familial (€) : 400 €" in shown
        ids = request_ids(inbox.text)
        assert set(ids) == {"Scolarité", "Quotient familial et n° d'allocataire"}
        csrf = csrf_of(inbox.text)

        # A refusal needs a reason; then the family's QF request is refused.
        quotient_id = ids["Quotient familial et n° d'allocataire"]
        no_reason = await system.client.post(
            f"/admin/demandes/{quotient_id}/refuser", data={"csrf_token": csrf, "reason": ""}
        )
        assert no_reason.status_code == 422
        assert "Ce champ est obligatoire." in text(no_reason)
        refused = await system.client.post(
            f"/admin/demandes/{quotient_id}/refuser",
            data={"csrf_token": csrf, "reason": "Joignez l'attestation CAF de 2026."},
        )
        assert "La demande est refusée" in text(await follow(system, refused))

        # Accepting without the CSRF token does nothing; with it, the school changes.
        school_id = ids["Scolarité"]
        forged = await system.client.post(f"/admin/demandes/{school_id}/accepter", data={})
        assert forged.status_code == 400
        assert request_ids((await system.client.get("/admin/demandes")).text) == {
            "Scolarité": school_id
        }
        accepted = await system.client.post(
            f"/admin/demandes/{school_id}/accepter", data={"csrf_token": csrf}
        )
        inbox = await follow(system, accepted)
        assert "La demande est acceptée" in text(inbox)
        assert "Aucune demande en attente." in inbox.text
        again = await system.client.post(
            f"/admin/demandes/{school_id}/accepter", data={"csrf_token": csrf}
        )
        assert again.status_code == 409
        assert "Cette demande a déjà été traitée." in text(again)

        # The household's page shows the outcome of both.
        shown = text(await system.client.get(household_path))
        assert "École Pasteur (CM1)" in shown
        assert "850 €" in shown and "400 €, valable" not in shown
        assert "Refusée" in shown and "Motif : Joignez l'attestation CAF de 2026." in shown
        assert "Acceptée" in shown
        assert "Demandes</a>" in shown and "en attente)" not in shown


async def test_a_manager_imports_families_and_erases_one_past_retention(
    embedded_env: dict[str, str],
) -> None:
    async with start_system(embedded_env) as system:
        page = await login(system, "admin@demo.test", DEMO_STAFF_PASSWORD, page_path="/admin")
        importer = await system.client.get("/admin/import")
        assert importer.status_code == 200
        content = (
            b"ref_foyer;nom_foyer;rl1_nom;rl1_prenom;rl1_email;enfant_nom;enfant_prenom;"
            b"enfant_date_naissance\n"
            b"K1;Famille Keller;Keller;Anna;anna.keller@exemple.fr;Keller;Max;04/07/2019\n"
            b"K2;Famille Bad;Bad;Bob;pas-une-adresse;Bad;Bo;31/02/2019\n"
        )
        refused = await system.client.post(
            "/admin/import",
            data={"csrf_token": csrf_of(importer.text), "real_run": "on"},
            files={"file": ("export.csv", content, "text/csv")},
        )
        assert refused.status_code == 422
        assert "Lignes refusées" in refused.text and "rl1_email" in refused.text
        empty = await system.client.post(
            "/admin/import",
            data={"csrf_token": csrf_of(importer.text)},
            files={"file": ("vide.csv", b"", "text/csv")},
        )
        assert empty.status_code == 422
        assert '<p class="field__error" id="file-erreur">Le fichier est vide.</p>' in empty.text
        good = content.split(b"K2;")[0]
        simulated = await system.client.post(
            "/admin/import",
            data={"csrf_token": csrf_of(importer.text)},
            files={"file": ("export.csv", good, "text/csv")},
        )
        assert "Simulation réussie : 1 foyer(s) et 1 enfant(s)" in words(simulated)
        imported = await system.client.post(
            "/admin/import",
            data={"csrf_token": csrf_of(importer.text), "real_run": "on"},
            files={"file": ("export.csv", good, "text/csv")},
        )
        assert "Import terminé : 1 foyer(s) et 1 enfant(s)" in words(imported)
        found = await system.client.get("/admin/foyers", params={"q": "Keller"})
        assert "Famille Keller" in found.text and "Famille Bad" not in found.text

        # Staff attach a document to the imported household and read it back.
        keller = re.search(rf'href="(/admin/foyers/{UUID_PATTERN})"', found.text)
        assert keller
        record = await system.client.get(keller.group(1))
        child_option = re.search(r'<option value="(child:[0-9a-f-]+)">Max Keller', record.text)
        assert child_option
        attached = await system.client.post(
            f"{keller.group(1)}/documents",
            data={
                "csrf_token": csrf_of(record.text),
                "person": child_option.group(1),
                "name": "Fiche sanitaire signée",
            },
            files={"file": ("fiche.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")},
        )
        record = await follow(system, attached)
        link = re.search(rf'href="({keller.group(1)}/documents/{UUID_PATTERN})">Fiche', record.text)
        assert link and "Max Keller" in record.text
        assert (await system.client.get(link.group(1))).content == b"%PDF-1.4\n%%EOF\n"
        export = await system.client.get(f"{keller.group(1)}/export.json")
        assert export.json()["household"]["children"][0]["first_name"] == "Max"
        disguised = await system.client.post(
            f"{keller.group(1)}/documents",
            data={"csrf_token": csrf_of(record.text), "person": child_option.group(1), "name": "X"},
            files={"file": ("x.pdf", b"<script>", "application/pdf")},
        )
        assert disguised.status_code == 415 and "PDF, JPEG et PNG" in text(disguised)

        personal = await system.client.get("/admin/donnees-personnelles")
        assert personal.status_code == 200 and "Dernières consultations" in personal.text
        household_id = re.search(rf'href="/admin/foyers/({UUID_PATTERN})"', found.text)
        assert household_id
        erased = await system.client.post(
            f"/admin/foyers/{household_id.group(1)}/effacement",
            data={"csrf_token": csrf_of(personal.text)},
        )
        assert "Le foyer a été effacé" in (await follow(system, erased)).text
        assert (
            "Foyer effacé"
            in (await system.client.get(f"/admin/foyers/{household_id.group(1)}")).text
        )
        assert page.status_code == 200


async def test_an_admin_chooses_what_families_change_directly_and_the_diets_served(
    embedded_env: dict[str, str],
) -> None:
    async with start_system(embedded_env) as system:
        agent = await login(system, "agent@demo.test", DEMO_STAFF_PASSWORD, page_path="/admin")
        assert 'href="/admin/reglages"' not in agent.text
        assert (await system.client.get("/admin/reglages")).status_code == 403
        await system.client.post("/deconnexion", data={"csrf_token": csrf_of(agent.text)})

        await login(system, "admin@demo.test", DEMO_STAFF_PASSWORD, page_path="/admin")
        page = await system.client.get("/admin/reglages")
        assert page.status_code == 200 and "sans_porc = Sans porc" in text(page)
        modes = dict(re.findall(r'name="(mode-[a-z.]+)" value="(\w+)"[^>]*checked', page.text))
        assert modes["mode-child.schooling"] == "request"
        modes["mode-child.schooling"] = "direct"
        saved = await system.client.post(
            "/admin/reglages",
            data={
                **modes,
                "diets": "sans_porc = Sans porc\nsans_viande = Sans viande\nbio = Tout bio",
                "csrf_token": csrf_of(page.text),
            },
        )
        page = await follow(system, saved)
        assert "Les réglages sont enregistrés" in page.text and "bio = Tout bio" in text(page)
        assert re.search(r'name="mode-child.schooling" value="direct"[^>]*checked', page.text)

        bad = await system.client.post(
            "/admin/reglages",
            data={**modes, "diets": "Sans Porc!", "csrf_token": csrf_of(page.text)},
        )
        assert bad.status_code == 422 and "minuscules" in text(bad)

        # The town's own criteria, then their values and another adult on a household.
        saved = await system.client.post(
            "/admin/reglages",
            data={
                **modes,
                "diets": "sans_porc = Sans porc",
                "criteria": (
                    "residence | Commune de résidence | choix | Villeurbanne, Hors commune\n"
                    "agent | Agent communal | oui/non"
                ),
                "csrf_token": csrf_of(page.text),
            },
        )
        page = await follow(system, saved)
        assert "residence | Commune de résidence | choix | Villeurbanne, Hors commune" in text(page)
        found = await system.client.get("/admin/foyers", params={"q": "Martin"})
        martin = re.search(rf'href="(/admin/foyers/{UUID_PATTERN})"', found.text)
        assert martin
        record = await system.client.get(martin.group(1))
        criteria = await system.client.post(
            f"{martin.group(1)}/criteres",
            data={"residence": "Villeurbanne", "agent": "oui", "csrf_token": csrf_of(record.text)},
        )
        record = await follow(system, criteria)
        assert '<option value="Villeurbanne" selected>' in record.text
        adult = await system.client.post(
            f"{martin.group(1)}/adultes",
            data={
                "first_name": "Marc",
                "last_name": "Petit",
                "relationship": "Beau-père",
                "phone": "06 01 02 03 04",
                "csrf_token": csrf_of(record.text),
            },
        )
        record = await follow(system, adult)
        assert "Marc Petit (Beau-père) — 0601020304" in text(record)
        nameless = await system.client.post(
            f"{martin.group(1)}/adultes",
            data={"relationship": "Oncle", "csrf_token": csrf_of(record.text)},
        )
        assert nameless.status_code == 422 and "obligatoire" in text(nameless)
