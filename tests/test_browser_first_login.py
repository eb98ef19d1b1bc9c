"""A guardian's first login, clicked through in headless Chromium (Debian's package, driven by
Playwright): link, password, login, home, password change; then an agent in the back office.
A screenshot of each page goes to docs/screenshots/."""

from __future__ import annotations

import re
from uuid import UUID

import pytest
import sqlalchemy as sa

from marelle_auth.seed import DEMO_STAFF_PASSWORD
from marelle_mailing.models import Mail
from marelle_testkit.tokens import TokenFactory

from whole_system import SCREENSHOTS, RunningSystem, start_system

pytestmark = pytest.mark.browser


async def last_link(system: RunningSystem, email: str) -> str | None:
    async with system.runtime("mailing").database.transaction() as session:
        texts = list(
            await session.scalars(
                # The embedded demo's captured copy: the stored one never holds the link.
                sa.select(Mail.captured_text)
                .where(Mail.to_address == email, Mail.captured_text.is_not(None))  # type: ignore[union-attr]
                .order_by(Mail.created_at)  # type: ignore[arg-type]
            )
        )
    found = re.findall(r"https?://\S+/mot-de-passe/[A-Za-z0-9_-]+", texts[-1]) if texts else []
    return found[0] if found else None


async def test_a_guardian_creates_a_password_by_clicking(
    embedded_env: dict[str, str], tokens: TokenFactory, browser: object
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    async with start_system(embedded_env) as system:
        tenant = (await system.client.get("/api/family/tenants/by-slug/demo")).json()
        agent = tokens.headers(roles=["agent"], tenant_id=UUID(tenant["id"]))
        created = await system.client.post(
            "/api/family/households",
            json={
                "name": "Famille Moreau",
                "guardians": [
                    {
                        "rank": 1,
                        "first_name": "Julie",
                        "last_name": "Moreau",
                        "email": "julie.moreau@exemple.fr",
                    }
                ],
            },
            headers=agent,
        )
        assert created.status_code == 201

        page = await browser.new_page(viewport={"width": 1100, "height": 900})  # type: ignore[attr-defined]
        await page.goto(system.portal)
        await page.screenshot(path=SCREENSHOTS / "01-connexion.png", full_page=True)
        await page.get_by_role("link", name="Première connexion ou mot de passe oublié ?").click()
        await page.get_by_label("Adresse e-mail").fill("julie.moreau@exemple.fr")
        await page.screenshot(path=SCREENSHOTS / "02-demande-de-lien.png", full_page=True)

        link = None
        for _ in range(50):  # the auth-service learns of the guardian through an event
            await page.goto(f"{system.portal}premiere-connexion")
            await page.get_by_label("Adresse e-mail").fill("julie.moreau@exemple.fr")
            await page.get_by_role("button", name="Recevoir le lien").click()
            await page.wait_for_load_state()
            for _ in range(10):
                link = await last_link(system, "julie.moreau@exemple.fr")
                if link:
                    break
                await page.wait_for_timeout(100)
            if link:
                break
        assert link is not None, "the mail with the link arrived"
        await page.screenshot(path=SCREENSHOTS / "03-lien-envoye.png", full_page=True)

        await page.goto(link)
        await page.get_by_label("Nouveau mot de passe").fill("Jmlc7vt!Lpm")
        await page.get_by_label("Confirmez le mot de passe").fill("Jmlc7vt!Lpm")
        same = page.locator('[data-rule="same"]')
        await same.and_(page.locator(".ok")).wait_for(timeout=5000)  # live checklist (JS)
        assert await page.locator("#password-rules .ko").count() == 0
        await page.screenshot(path=SCREENSHOTS / "04-choisir-le-mot-de-passe.png", full_page=True)

        await page.get_by_label("Votre phrase").fill("Mon fils Léo a 7 ans et mange à la cantine !")
        await page.get_by_role("button", name="Construire le mot de passe").click()
        await page.wait_for_load_state()
        assert await page.locator("#suggested").inner_text() == "MfLa7aemàlc!"
        await page.screenshot(path=SCREENSHOTS / "05-mot-de-passe-phrase.png", full_page=True)

        await page.get_by_role("button", name="Enregistrer mon mot de passe").click()
        await page.wait_for_load_state()
        assert "Votre mot de passe est enregistré" in await page.content()
        await page.screenshot(path=SCREENSHOTS / "06-enregistre.png", full_page=True)

        await page.goto(link)
        assert "Lien déjà utilisé" in await page.content()
        await page.screenshot(path=SCREENSHOTS / "07-lien-deja-utilise.png", full_page=True)

        # The password is the one built from the sentence (it filled both fields).
        await page.goto(system.portal)
        await page.get_by_label("Adresse e-mail").fill("julie.moreau@exemple.fr")
        await page.get_by_label("Mot de passe", exact=True).fill("MfLa7aemàlc!")
        await page.get_by_role("button", name="Se connecter").click()
        await page.wait_for_load_state()
        home = await page.content()
        assert "Bonjour Julie" in home and "Famille Moreau" in home
        assert created.json()["family_number"] in home
        await page.screenshot(path=SCREENSHOTS / "08-accueil.png", full_page=True)

        await page.get_by_role("link", name="Changer mon mot de passe").click()
        await page.get_by_label("Mot de passe actuel").fill("MfLa7aemàlc!")
        await page.get_by_label("Nouveau mot de passe").fill("Cantine&Mercredi7")
        await page.get_by_label("Confirmez le mot de passe").fill("Cantine&Mercredi7")
        await same.and_(page.locator(".ok")).wait_for(timeout=5000)
        assert await page.locator("#password-rules .ko").count() == 0
        await page.screenshot(path=SCREENSHOTS / "09-changer-le-mot-de-passe.png", full_page=True)
        await page.get_by_role("button", name="Enregistrer mon mot de passe").click()
        await page.wait_for_load_state()
        assert "Votre mot de passe est changé" in await page.content()
        await page.screenshot(path=SCREENSHOTS / "10-mot-de-passe-change.png", full_page=True)
        await page.close()

        # An administrator signs in to the back office and finds the household and the mail
        # sent (agents no longer read the mails: issue 9 item 1).
        staff = await browser.new_page(viewport={"width": 1100, "height": 900})  # type: ignore[attr-defined]
        await staff.goto(f"{system.portal}admin")
        await staff.screenshot(path=SCREENSHOTS / "11-espace-agents-connexion.png", full_page=True)
        await staff.get_by_label("Adresse e-mail professionnelle").fill("admin@demo.test")
        await staff.get_by_label("Mot de passe", exact=True).fill(DEMO_STAFF_PASSWORD)
        await staff.get_by_role("button", name="Se connecter").click()
        await staff.wait_for_load_state()
        assert "Famille Moreau" in await staff.content()
        await staff.screenshot(path=SCREENSHOTS / "12-foyers.png", full_page=True)
        await staff.get_by_role("link", name="Famille Moreau").click()
        await staff.wait_for_load_state()
        assert "Julie" in await staff.content()
        await staff.screenshot(path=SCREENSHOTS / "13-foyer.png", full_page=True)
        await staff.get_by_role("link", name="Courriels envoyés").click()
        await staff.wait_for_load_state()
        assert "julie.moreau@exemple.fr" in await staff.content()
        await staff.screenshot(path=SCREENSHOTS / "14-courriels.png", full_page=True)
        await staff.close()
