"""The portal's pages with fake clients: records, edit forms, documents, login."""

from __future__ import annotations

import re
from uuid import uuid4

from page_harness import Pages, csrf_of

from marelle_gateway.clients.base import UpstreamProblem
from marelle_kit.roles import AGENT


async def test_a_signed_out_visitor_is_sent_to_the_login_page(pages: Pages) -> None:
    for path in ("/accueil", "/mon-foyer", "/mes-enfants", "/mes-demandes"):
        answer = await pages.client.get(path)
        assert answer.status_code == 303 and answer.headers["location"] == "/"


async def test_the_login_page_promises_only_what_exists_and_shows_the_towns_word(
    pages: Pages,
) -> None:
    """Defect 10: no bookings nor invoices promised; the town's text and contact details."""
    page = await pages.client.get("/")
    text = page.text
    for absent in ("Réservez", "factures", "absences"):
        assert absent not in text, absent
    assert "Inscriptions pour la rentrée avant le 30 juin." in text
    assert "1 place de la Mairie" in text and "0478000000" in text
    assert "Du lundi au vendredi, 8 h 30 – 17 h" in text
    pages.tenants.tenant = pages.tenants.tenant.model_copy(update={"home_text": None})
    text = (await pages.client.get("/")).text
    assert "Tenez à jour le dossier de votre foyer" in text


async def test_the_home_page_shows_the_household_and_the_towns_contacts(pages: Pages) -> None:
    await pages.sign_in_parent()
    home = await pages.client.get("/accueil")
    assert "Bonjour Claire" in home.text and "2026-0007" in home.text
    assert "Contacter les services" in home.text and "enfance@demo.test" in home.text


async def test_a_staff_member_on_the_portal_is_told_where_to_go(pages: Pages) -> None:
    """Defect 4: a staff session on the portal is not a parent's: a French page with a link
    to the back office."""
    await pages.sign_in_staff(AGENT)
    page = await pages.client.get("/mon-foyer")
    assert page.status_code == 403
    assert "Votre compte est un compte agent" in page.text
    assert 'href="http://portail.test/admin/"' in page.text


async def test_malformed_ids_in_portal_addresses_get_the_french_404_page(pages: Pages) -> None:
    """Defect 5: never raw JSON."""
    await pages.sign_in_parent()
    for path in ("/mes-documents/123", "/mon-dossier/household.phone/pas-un-uuid"):
        page = await pages.client.get(path)
        assert page.status_code == 404, path
        assert page.headers["content-type"].startswith("text/html")
        assert "Page introuvable" in page.text and '<html lang="fr">' in page.text


async def test_another_households_record_is_a_404_in_the_portal(pages: Pages) -> None:
    await pages.sign_in_parent()
    for group in ("household.phone", "guardian.phones", "child.schooling", "unknown.group"):
        page = await pages.client.get(f"/mon-dossier/{group}/{uuid4()}")
        assert page.status_code == 404 and "text/html" in page.headers["content-type"]


async def test_an_edit_sends_the_group_and_says_what_became_of_it(pages: Pages) -> None:
    await pages.sign_in_parent()
    h = pages.family.record
    path = f"/mon-dossier/household.quotient/{h.id}"
    form = await pages.client.get(path)
    assert 'value="850"' in form.text and 'value="2027-08-31"' in form.text
    typed = {
        "csrf_token": csrf_of(form.text),
        "quotient": "9OO",
        "quotient_valid_until": "31/08/2027",
    }
    wrong = await pages.client.post(path, data=typed)
    assert wrong.status_code == 422
    assert "Quotient familial (€) : Un nombre entier est attendu." in wrong.text
    assert 'value="9OO"' in wrong.text  # what was typed comes back
    assert not [c for c in pages.family.calls if c[0] == "edit"]
    saved = await pages.client.post(path, data={**typed, "quotient": "900"})
    assert saved.status_code == 303 and saved.headers["location"] == "/mon-foyer?fait=applied"
    [(_, (target, target_id, changes))] = [c for c in pages.family.calls if c[0] == "edit"]
    assert target == "household" and target_id == h.id
    assert changes["quotient"] == 900 and changes["quotient_valid_until"] == "2027-08-31"


async def test_the_services_refusal_shows_next_to_the_field(pages: Pages) -> None:
    """Defect 6 (portal side): the family-service refuses an e-mail already used."""
    await pages.sign_in_parent()
    guardian = pages.family.record.guardians[0]
    path = f"/mon-dossier/guardian.email/{guardian.id}"
    token = await pages.csrf(path)
    pages.family.refusals["edit"] = UpstreamProblem(
        "family",
        409,
        type="urn:marelle:problem:email-taken",
        detail="Cette adresse e-mail est déjà celle d'un autre responsable légal de la structure.",
        field="email",
    )
    refused = await pages.client.post(path, data={"csrf_token": token, "email": "autre@demo.test"})
    assert refused.status_code == 409
    assert "déjà celle d&#39;un autre responsable légal" in refused.text
    assert re.search(r'aria-invalid="true" aria-describedby="edition-email-erreur"', refused.text)


async def test_a_diet_the_town_no_longer_serves_shows_next_to_the_field(pages: Pages) -> None:
    """The family-service's 409 ``unknown-diet`` (its settings changed meanwhile)."""
    await pages.sign_in_parent()
    child = pages.family.record.children[0]
    path = f"/mon-dossier/child.diet/{child.id}"
    token = await pages.csrf(path)
    pages.family.refusals["edit"] = UpstreamProblem(
        "family",
        409,
        type="urn:marelle:problem:unknown-diet",
        detail="Ce régime n'est pas servi par la structure (choix possibles : sans_porc).",
        field="diet",
    )
    refused = await pages.client.post(path, data={"csrf_token": token, "diet": "sans_viande"})
    assert refused.status_code == 409
    assert "Ce régime n&#39;est pas servi par la structure" in refused.text
    assert re.search(r'aria-invalid="true" aria-describedby="edition-diet-erreur"', refused.text)


async def test_a_form_without_its_csrf_token_changes_nothing(pages: Pages) -> None:
    await pages.sign_in_parent()
    h = pages.family.record
    forged = await pages.client.post(
        f"/mon-dossier/household.phone/{h.id}", data={"phone": "0600000000"}
    )
    assert forged.status_code == 400 and "Le formulaire a expiré" in forged.text
    assert not pages.family.calls


async def test_a_refused_document_says_why_in_french(pages: Pages) -> None:
    await pages.sign_in_parent()
    token = await pages.csrf("/mon-foyer")
    pages.family.refusals["add_document"] = UpstreamProblem(
        "family", 415, detail="Seuls les fichiers PDF, JPEG et PNG sont acceptés."
    )
    refused = await pages.client.post(
        "/mes-documents",
        data={"csrf_token": token, "name": "X", "person_kind": "household"},
        files={"file": ("x.pdf", b"MZ", "application/pdf")},
    )
    assert refused.status_code == 422 and "PDF, JPEG et PNG" in refused.text
