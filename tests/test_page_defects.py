"""Issue 8's defects, as a new user met them, through the whole system (embedded mode): each
assertion failed before the pages were rebuilt. The page tests with fake clients
(gateway/tests/pages/) cover each in detail; this journey checks them with the real services."""

from __future__ import annotations

import html
import re
from uuid import UUID

from marelle_auth.seed import DEMO_STAFF_PASSWORD
from marelle_testkit.tokens import TokenFactory

from whole_system import csrf_of, give_password, login, start_system

PASSWORD = "Cantine&Mercredi7"
UUID_PATTERN = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


async def test_a_new_users_defects_are_gone(
    embedded_env: dict[str, str], tokens: TokenFactory
) -> None:
    async with start_system(embedded_env) as system:
        client = system.client

        # 9, 10: the tenant's name with its article; the town's own text and contacts.
        welcome = html.unescape((await client.get("/")).text)
        assert "Portail Famille de la Mairie de Démonstration" in welcome
        assert "1 place de la Mairie" in welcome and "04 78 00 00 00" in welcome
        assert "Réservez la cantine" not in welcome  # nothing promised that does not exist

        # 11: the pages every public site needs, linked from the footer.
        for path in ("/accessibilite", "/donnees-personnelles", "/mentions-legales"):
            page = await client.get(path)
            assert page.status_code == 200, path
            assert f'href="{path}"' in welcome
        assert "dpo@demo.test" in (await client.get("/donnees-personnelles")).text

        # 1, 5, 6: a parent logs out from any page; malformed ids get the French page; an
        # e-mail already used elsewhere is refused when proposed.
        await give_password(system, "claire.martin@demo.test", PASSWORD)
        await login(system, "claire.martin@demo.test", PASSWORD)
        household = await client.get("/mon-foyer")
        assert "Se déconnecter" in household.text
        missing = await client.get("/mes-documents/123")
        assert missing.status_code == 404 and missing.headers["content-type"].startswith(
            "text/html"
        )
        email_form = re.search(
            rf'href="(/mon-dossier/guardian\.email/{UUID_PATTERN})"', household.text
        )
        assert email_form
        form = await client.get(email_form.group(1))
        refused = await client.post(
            email_form.group(1),
            data={"csrf_token": csrf_of(form.text), "email": "nadia.bernard@demo.test"},
        )
        assert refused.status_code == 409, refused.status_code
        assert "déjà celle d&#39;un autre responsable légal" in refused.text
        await client.post("/deconnexion", data={"csrf_token": csrf_of(household.text)})

        # 1, 3, 5, 13 in the back office.
        page = await login(system, "admin@demo.test", DEMO_STAFF_PASSWORD, page_path="/admin")
        assert "Se déconnecter" in (await client.get("/admin/demandes")).text
        bad = await client.get("/admin/foyers/not-a-uuid")
        assert bad.status_code == 404 and "Page introuvable" in bad.text
        found = await client.get("/admin/foyers", params={"q": "Martin"})
        martin = re.search(rf'href="/admin/foyers/({UUID_PATTERN})"', found.text)
        assert martin
        record = await client.get(f"/admin/foyers/{martin.group(1)}")
        removal = re.search(
            rf'href="(/admin/foyers/{martin.group(1)}/responsables/{UUID_PATTERN}/retrait)"',
            record.text,
        )
        assert removal
        confirm = await client.get(removal.group(1))
        assert confirm.status_code == 200 and "Ce qui sera perdu" in confirm.text
        assert f'href="/admin/foyers/{martin.group(1)}/effacement"' in record.text
        erase = await client.get(f"/admin/foyers/{martin.group(1)}/effacement")
        assert erase.status_code == 200 and "Effacer définitivement ce foyer" in erase.text
        settings = await client.get("/admin/reglages")
        assert 'name="retention_years"' in settings.text and 'name="article"' in settings.text

        # 2: French dates and Paris times, never ISO strings.
        mails = await client.get("/admin/courriels")
        assert not re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", mails.text)
        tenant = (await client.get("/api/family/tenants/by-slug/demo")).json()
        assert UUID(tenant["id"]) and page.status_code == 200
