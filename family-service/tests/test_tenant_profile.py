"""A tenant's public profile (article of its name, home-page text, contact details, DPO,
retention): set by its administrators, read by anyone, kept apart between tenants."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from uuid import UUID

from marelle_testkit.plugin import ServiceUnderTest
from marelle_testkit.tokens import TokenFactory

NewTenant = Callable[[str], Awaitable[UUID]]
PROFILE = {
    "article": "la",
    "home_text": "Bienvenue !\r\nInscriptions avant le 30 juin.",
    "contact_address": "Hôtel de ville\n1 place de la Mairie\n81500 Lavaur",
    "contact_phone": "05 63 00 00 00",
    "contact_email": "Enfance@Lavaur.FR",
    "contact_hours": "Du lundi au vendredi, 8 h 30 – 17 h",
    "dpo_contact": "dpo@lavaur.fr",
    "retention_years": 5,
}


async def test_an_admin_sets_the_profile_and_the_public_read_shows_it(
    family: ServiceUnderTest, new_tenant: NewTenant, tokens: TokenFactory
) -> None:
    tenant_id = await new_tenant("lavaur")
    admin = tokens.headers(roles=["admin"], tenant_id=tenant_id)
    saved = await family.client.put("/settings/tenant", json=PROFILE, headers=admin)
    assert saved.status_code == 200, saved.text
    public = (await family.client.get("/tenants/by-slug/lavaur")).json()
    assert public["article"] == "la" and public["retention_years"] == 5
    assert public["home_text"] == "Bienvenue !\nInscriptions avant le 30 juin."
    assert public["contact_address"].splitlines() == [
        "Hôtel de ville",
        "1 place de la Mairie",
        "81500 Lavaur",
    ]
    assert public["contact_phone"] == "0563000000"
    assert public["contact_email"] == "enfance@lavaur.fr"

    # An empty field is cleared; the article may be none.
    cleared = await family.client.put(
        "/settings/tenant", json={**PROFILE, "article": "", "home_text": ""}, headers=admin
    )
    assert cleared.json()["home_text"] is None and cleared.json()["article"] == ""


async def test_only_the_tenants_admins_change_it_and_bad_values_are_refused(
    family: ServiceUnderTest, new_tenant: NewTenant, tokens: TokenFactory
) -> None:
    tenant_id = await new_tenant("lavaur")
    other_id = await new_tenant("albi")
    agent = tokens.headers(roles=["agent"], tenant_id=tenant_id)
    assert (
        await family.client.put("/settings/tenant", json=PROFILE, headers=agent)
    ).status_code == 403
    admin = tokens.headers(roles=["admin"], tenant_id=tenant_id)
    for bad in (
        {"retention_years": 0},
        {"retention_years": 11},
        {"article": "du"},
        {"contact_email": "pas-une-adresse"},
        {"home_text": "x" * 2001},
        {"home_text": "caché\u200b"},
        {"unknown": "field"},
    ):
        refused = await family.client.put(
            "/settings/tenant", json={**PROFILE, **bad}, headers=admin
        )
        assert refused.status_code == 422, bad
    # Saving for one tenant leaves the other untouched (the token's tenant wins).
    await family.client.put(
        "/settings/tenant",
        json=PROFILE,
        headers={**admin, "X-Marelle-Tenant": str(other_id)},
    )
    albi = (await family.client.get("/tenants/by-slug/albi")).json()
    assert albi["article"] == "" and albi["retention_years"] == 3
