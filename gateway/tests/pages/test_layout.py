"""Every page in its layout: the banner names the tenant, a signed-in person can log out from
any page (issue 8, defect 1), the footer links the pages every French public site needs
(defect 11), and the tenant's name takes its article (defect 9)."""

from __future__ import annotations

import re

import pytest
from page_harness import Pages

from marelle_kit.roles import ADMIN

PORTAL_PAGES = [
    "/accueil",
    "/mon-foyer",
    "/mes-enfants",
    "/mes-demandes",
    "/mon-compte/mot-de-passe",
    "/aide",
    "/accessibilite",
    "/donnees-personnelles",
    "/mentions-legales",
]
BACKOFFICE_PAGES = [
    "/admin/foyers",
    "/admin/foyers/{household}",
    "/admin/foyers/{household}/enfants/{child}",
    "/admin/foyers/{household}/enfants/nouveau",
    "/admin/foyers/{household}/responsables/{guardian}/retrait",
    "/admin/foyers/{household}/effacement",
    "/admin/demandes",
    "/admin/courriels",
    "/admin/comptes",
    "/admin/journal",
    "/admin/import",
    "/admin/donnees-personnelles",
    "/admin/reglages",
    "/admin/mon-mot-de-passe",
]


def logout_form(html: str, action: str) -> bool:
    return bool(
        re.search(rf'<form method="post" action="{action}" class="logout">', html)
        and "Se déconnecter" in html
    )


@pytest.mark.parametrize("path", PORTAL_PAGES)
async def test_a_parent_can_log_out_from_every_portal_page(pages: Pages, path: str) -> None:
    await pages.sign_in_parent()
    page = await pages.client.get(path)
    assert page.status_code == 200, page.text
    assert logout_form(page.text, "/deconnexion")
    assert "Mairie de Démonstration" in page.text  # the banner names the tenant


@pytest.mark.parametrize("path", BACKOFFICE_PAGES)
async def test_staff_can_log_out_from_every_back_office_page(pages: Pages, path: str) -> None:
    await pages.sign_in_staff(ADMIN)
    h = pages.family.record
    page = await pages.client.get(
        path.format(household=h.id, child=h.children[0].id, guardian=h.guardians[0].id)
    )
    assert page.status_code == 200, page.text
    assert logout_form(page.text, "/admin/deconnexion")


async def test_error_pages_keep_the_layout_and_the_logout(pages: Pages) -> None:
    await pages.sign_in_staff()
    page = await pages.client.get("/admin/foyers/00000000-0000-0000-0000-000000000000")
    assert page.status_code == 404 and "Fiche introuvable" in page.text
    assert logout_form(page.text, "/admin/deconnexion")


@pytest.mark.parametrize("path", ["/", "/aide", "/admin/"])
async def test_the_footer_links_the_legal_pages(pages: Pages, path: str) -> None:
    page = await pages.client.get(path)
    for target in ("/accessibilite", "/donnees-personnelles", "/mentions-legales"):
        assert f'{target}"' in page.text, target
    assert "Accessibilité : non conforme" in page.text


async def test_the_accessibility_statement_gives_the_rgaa_status_and_the_test_results(
    pages: Pages,
) -> None:
    page = await pages.client.get("/accessibilite")
    assert "Déclaration d'accessibilité" in page.text
    assert "non conformes" in page.text and "RGAA" in page.text
    assert "axe-core" in page.text and "Défauts relevés" in page.text
    assert "Défenseur des droits" in page.text


async def test_the_privacy_notice_names_the_controller_retention_rights_and_dpo(
    pages: Pages,
) -> None:
    page = await pages.client.get("/donnees-personnelles")
    text = page.text
    assert "La Mairie de Démonstration est responsable du traitement" in text
    assert "<strong>3 ans</strong>" in text  # the tenant's retention period
    assert "dpo@demo.test" in text and "CNIL" in text
    assert "rectifier" in text


async def test_the_legal_notice_names_the_publisher(pages: Pages) -> None:
    page = await pages.client.get("/mentions-legales")
    assert "édité par la Mairie de Démonstration" in page.text
    assert "Hôtel de ville" in page.text


async def test_the_tenants_name_takes_its_article(pages: Pages) -> None:
    ask = await pages.client.get("/premiere-connexion")
    assert "l'adresse e-mail que vous avez donnée à la Mairie de Démonstration" in ask.text
    login = await pages.client.get("/")
    assert "Portail Famille de la Mairie de Démonstration" in login.text
    pages.tenants.tenant = pages.tenants.tenant.model_copy(
        update={"article": "le", "name": "SIVU des Trois Vallées"}
    )
    login = await pages.client.get("/")
    assert "Portail Famille du SIVU des Trois Vallées" in login.text
    pages.tenants.tenant = pages.tenants.tenant.model_copy(update={"article": "", "name": "Lisle"})
    ask = await pages.client.get("/premiere-connexion")
    assert "donnée à Lisle" in ask.text
