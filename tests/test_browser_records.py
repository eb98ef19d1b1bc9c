"""A parent keeps the household's record by clicking (headless Chromium): edits the household's
phone (applied at once), attaches a document, proposes a school change (a request); an agent
accepts it from the back office's inbox and the parent sees it accepted. A screenshot of each
page is kept."""

from __future__ import annotations

import pytest

from marelle_auth.seed import DEMO_STAFF_PASSWORD

from whole_system import SCREENSHOTS, give_password, start_system

pytestmark = pytest.mark.browser
PASSWORD = "Cantine&Mercredi7"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def test_a_parent_edits_the_record_and_an_agent_accepts_the_request(
    embedded_env: dict[str, str], browser: object
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    async with start_system(embedded_env) as system:
        await give_password(system, "claire.martin@demo.test", PASSWORD)
        page = await browser.new_page(viewport={"width": 1100, "height": 900})  # type: ignore[attr-defined]
        await page.goto(system.portal)
        await page.get_by_label("Adresse e-mail").fill("claire.martin@demo.test")
        await page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
        await page.get_by_role("button", name="Se connecter").click()
        await page.wait_for_load_state()

        await page.get_by_role("link", name="Mon foyer").click()
        await page.locator("summary", has_text="Téléphone du foyer").click()  # it unfolds
        await page.get_by_role("link", name="Modifier : Téléphone du foyer").click()
        await page.get_by_label("Téléphone").fill("04 78 00 11 22")
        await page.get_by_role("button", name="Enregistrer").click()
        await page.wait_for_load_state()
        assert "Vos modifications sont enregistrées" in await page.content()
        assert "0478001122" in await page.content()
        await page.screenshot(path=SCREENSHOTS / "15-mon-foyer.png", full_page=True)

        # A document for the household: the insurance certificate, as a PDF.
        household_panel = page.locator("section", has_text="n° famille")
        await household_panel.locator("summary", has_text="Documents").click()
        await household_panel.get_by_label("Nom du document").fill("Attestation d'assurance")
        await household_panel.get_by_label("Fichier").set_input_files(
            files=[{"name": "assurance.pdf", "mimeType": "application/pdf", "buffer": PDF}]
        )
        await household_panel.get_by_role("button", name="Ajouter le document").click()
        await page.wait_for_load_state()
        assert "Le document est ajouté" in await page.content()
        assert "Attestation d'assurance" in await page.content()

        await page.get_by_role("link", name="Mes enfants").click()
        await page.locator("summary", has_text="Scolarité").first.click()
        await page.screenshot(path=SCREENSHOTS / "16-mes-enfants.png", full_page=True)
        await page.get_by_role("link", name="Modifier : Scolarité").first.click()
        await page.get_by_label("École").fill("École Victor Hugo")
        await page.get_by_role("button", name="Enregistrer").click()
        await page.wait_for_load_state()
        assert "Votre demande est envoyée" in await page.content()
        await page.get_by_role("link", name="Mes demandes").click()
        assert "En attente" in await page.content()
        await page.screenshot(path=SCREENSHOTS / "17-mes-demandes.png", full_page=True)

        staff = await browser.new_page(viewport={"width": 1100, "height": 900})  # type: ignore[attr-defined]
        await staff.goto(f"{system.portal}admin")
        await staff.get_by_label("Adresse e-mail professionnelle").fill("agent@demo.test")
        await staff.get_by_label("Mot de passe", exact=True).fill(DEMO_STAFF_PASSWORD)
        await staff.get_by_role("button", name="Se connecter").click()
        await staff.wait_for_load_state()
        await staff.get_by_role("link", name="Demandes", exact=True).click()
        assert "École Victor Hugo" in await staff.content()
        await staff.screenshot(path=SCREENSHOTS / "18-demandes-a-traiter.png", full_page=True)
        await staff.get_by_role("button", name="Accepter").first.click()
        await staff.wait_for_load_state()
        await staff.close()

        await page.reload()
        assert "Acceptée" in await page.content()
        await page.get_by_role("link", name="Mes enfants").click()
        assert "École Victor Hugo" in await page.content()
        await page.close()
