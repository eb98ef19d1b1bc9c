"""A parent keeps the household's record from the portal: « Mon foyer » and « Mes enfants »
with an edit form per category; what the town leaves open changes at once, the rest becomes a
request followed in « Mes demandes »; the certification and the RGPD download."""

from __future__ import annotations

import re
from uuid import UUID

from marelle_testkit.tokens import TokenFactory

from whole_system import RunningSystem, csrf_of, give_password, login, start_system

PASSWORD = "Cantine&Mercredi7"


async def signed_in_parent(system: RunningSystem, tokens: TokenFactory) -> dict[str, str]:
    tenant = (await system.client.get("/api/family/tenants/by-slug/demo")).json()
    agent = tokens.headers(roles=["agent"], tenant_id=UUID(tenant["id"]))
    household = (
        await system.client.post(
            "/api/family/households",
            json={
                "name": "Famille Garnier",
                "guardians": [
                    {
                        "rank": 1,
                        "first_name": "Sophie",
                        "last_name": "Garnier",
                        "email": "sophie.garnier@exemple.fr",
                    }
                ],
            },
            headers=agent,
        )
    ).json()
    child = await system.client.post(
        f"/api/family/households/{household['id']}/children",
        json={"first_name": "Hugo", "last_name": "Garnier", "birth_date": "2018-02-03"},
        headers=agent,
    )
    assert child.status_code == 201
    adult = await system.client.post(
        f"/api/family/households/{household['id']}/adults",
        json={"first_name": "Marc", "last_name": "Petit", "relationship": "Beau-père"},
        headers=agent,
    )
    assert adult.status_code == 201
    await give_password(system, "sophie.garnier@exemple.fr", PASSWORD)
    home = await login(system, "sophie.garnier@exemple.fr", PASSWORD)
    assert "Bonjour Sophie" in home.text
    return {
        "household": household["id"],
        "child": child.json()["id"],
        "adult": adult.json()["id"],
    }


async def test_a_parent_edits_the_record_and_follows_the_requests(
    embedded_env: dict[str, str], tokens: TokenFactory
) -> None:
    async with start_system(embedded_env) as system:
        ids = await signed_in_parent(system, tokens)
        household = await system.client.get("/mon-foyer")
        assert household.status_code == 200
        assert "Adresse de facturation" in household.text and "Famille Garnier" in household.text

        # The household's phone is open to parents: it changes at once.
        path = f"/mon-dossier/household.phone/{ids['household']}"
        form = await system.client.get(path)
        assert form.status_code == 200 and 'name="phone"' in form.text
        bad = await system.client.post(
            path, data={"phone": "appelez-moi", "csrf_token": csrf_of(form.text)}
        )
        assert bad.status_code == 422 and "téléphone invalide" in bad.text
        saved = await system.client.post(
            path, data={"phone": "04 72 00 00 00", "csrf_token": csrf_of(form.text)}
        )
        assert saved.status_code == 303
        page = await system.client.get(saved.headers["location"])
        assert "Vos modifications sont enregistrées" in page.text and "0472000000" in page.text

        # Another adult of the household: the phone is open to parents too.
        assert "Marc Petit (Beau-père)" in page.text
        path = f"/mon-dossier/adult.contact/{ids['adult']}"
        form = await system.client.get(path)
        saved = await system.client.post(
            path, data={"phone": "0611111111", "email": "", "csrf_token": csrf_of(form.text)}
        )
        assert "0611111111" in (await system.client.get(saved.headers["location"])).text

        # The school is the town's to check: it becomes a request.
        path = f"/mon-dossier/child.schooling/{ids['child']}"
        form = await system.client.get(path)
        sent = await system.client.post(
            path,
            data={
                "school": "École Victor Hugo",
                "level": "CE2",
                "school_year": "2026-2027",
                "csrf_token": csrf_of(form.text),
            },
        )
        page = await system.client.get(sent.headers["location"])
        assert "Votre demande est envoyée" in page.text and "demande en attente" in page.text
        requests = await system.client.get("/mes-demandes")
        assert "Scolarité" in requests.text and "En attente" in requests.text

        # Without the CSRF token nothing changes.
        refused = await system.client.post(
            f"/mon-dossier/household.phone/{ids['household']}", data={"phone": "0600000000"}
        )
        assert refused.status_code == 400
        assert "0600000000" not in (await system.client.get("/mon-foyer")).text

        certify = await system.client.post(
            "/mon-foyer/certification",
            data={"certify": "on", "csrf_token": csrf_of(household.text)},
        )
        assert (
            "Merci : vous avez certifié"
            in (await system.client.get(certify.headers["location"])).text
        )

        pdf = await system.client.get("/mon-foyer/mes-donnees.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
        data = await system.client.get("/mon-foyer/mes-donnees.json")
        assert data.json()["household"]["phone"] == "0472000000"

        # A document for the child, read back; a program disguised as a PDF is refused.
        attached = await system.client.post(
            "/mes-documents",
            data={
                "name": "Certificat médical de sport",
                "person_kind": "child",
                "person_id": ids["child"],
                "csrf_token": csrf_of(household.text),
            },
            files={"file": ("certificat.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")},
        )
        children = await system.client.get(attached.headers["location"])
        assert "Le document est ajouté" in children.text
        link = re.search(r'href="(/mes-documents/[0-9a-f-]+)">Certificat', children.text)
        assert link
        document = await system.client.get(link.group(1))
        assert document.content == b"%PDF-1.4\n%%EOF\n"
        assert document.headers["content-disposition"].startswith("attachment;")
        disguised = await system.client.post(
            "/mes-documents",
            data={
                "name": "Facture",
                "person_kind": "household",
                "person_id": ids["household"],
                "csrf_token": csrf_of(household.text),
            },
            files={"file": ("facture.pdf", b"MZ\x90\x00rest", "application/pdf")},
        )
        assert disguised.status_code == 422 and "PDF, JPEG et PNG" in disguised.text

        # Another household's child is out of reach from the portal too.
        other = await system.client.get(f"/mon-dossier/child.schooling/{UUID(int=7)}")
        assert other.status_code == 404
