"""Demo data for the embedded mode: the demo tenant and a few households, created through the
same service layer as real data (so their events are published like any other)."""

from __future__ import annotations

from datetime import date

from marelle_family.children.schemas import ChildIn, ContactIn
from marelle_family.children.service import ChildService
from marelle_family.guardians.schemas import GuardianIn
from marelle_family.households.schemas import HouseholdCreate, HouseholdPatch
from marelle_family.households.service import HouseholdService
from marelle_family.tenants.profile import TenantProfile
from marelle_family.tenants.schemas import TenantCreate
from marelle_family.tenants.service import TenantService
from marelle_kit.runtime import ServiceRuntime

DEMO_TENANT = TenantCreate(slug="demo", name="Mairie de Démonstration")
# Demo addresses use the reserved .test domain (RFC 6761): no real mailbox can receive them.
DEMO_HOUSEHOLDS = (
    HouseholdCreate(
        name="Famille Martin",
        guardians=[
            GuardianIn(
                rank=1, first_name="Claire", last_name="Martin", email="claire.martin@demo.test"
            ),
            GuardianIn(
                rank=2, first_name="Thomas", last_name="Martin", email="thomas.martin@demo.test"
            ),
        ],
    ),
    HouseholdCreate(
        name="Famille Bernard",
        guardians=[
            GuardianIn(
                rank=1, first_name="Nadia", last_name="Bernard", email="nadia.bernard@demo.test"
            )
        ],
    ),
    HouseholdCreate(
        name="Famille Nguyen",
        guardians=[
            GuardianIn(rank=1, first_name="Linh", last_name="Nguyen", email="linh.nguyen@demo.test")
        ],
    ),
    HouseholdCreate(name="Famille Diallo"),
)
# Details and children of the demo households, by household name.
DEMO_DETAILS = {
    "Famille Martin": HouseholdPatch(
        address_street="12 rue des Tilleuls",
        postcode="69100",
        city="Villeurbanne",
        phone="0472000001",
        quotient=620,
        quotient_valid_until=date(2027, 8, 31),
        benefits_scheme="caf",
        benefits_number="1234567",
    ),
    "Famille Bernard": HouseholdPatch(
        address_street="4 place de la Mairie", postcode="69100", city="Villeurbanne"
    ),
}
DEMO_CHILDREN = {
    "Famille Martin": (
        ChildIn(
            first_name="Léo",
            last_name="Martin",
            birth_date=date(2019, 4, 12),
            school="École Jules Ferry",
            level="CP",
            school_year="2026-2027",
            diet="sans_porc",
            consent_photo=True,
            consent_outings=True,
            contacts=[
                ContactIn(
                    first_name="Monique",
                    last_name="Martin",
                    relationship="Grand-mère",
                    phone="0612345678",
                    pick_up=True,
                    emergency=True,
                )
            ],
        ),
        ChildIn(
            first_name="Jade",
            last_name="Martin",
            birth_date=date(2016, 11, 3),
            school="École Jules Ferry",
            level="CM1",
            school_year="2026-2027",
        ),
    ),
    "Famille Bernard": (
        ChildIn(
            first_name="Inès",
            last_name="Bernard",
            birth_date=date(2020, 6, 21),
            school="École maternelle Les Lilas",
            level="MS",
            school_year="2026-2027",
            diet="sans_viande",
            pai=True,
        ),
    ),
}


DEMO_PROFILE = TenantProfile(
    article="la",
    home_text=(
        "Les services enfance de la commune accueillent vos enfants à la restauration "
        "scolaire, à l'accueil périscolaire et à l'accueil de loisirs du mercredi.\n"
        "Gardez à jour le dossier de votre foyer et de vos enfants avant chaque rentrée."
    ),
    contact_address="Service Enfance\nHôtel de ville\n1 place de la Mairie\n69100 Démonstration",
    contact_phone="04 78 00 00 00",
    contact_email="enfance@demo.test",
    contact_hours=(
        "Du lundi au vendredi : 8 h 30 – 12 h et 13 h 30 – 17 h\nMercredi : 8 h 30 – 12 h"
    ),
    dpo_contact="Délégué à la protection des données\nHôtel de ville, 1 place de la Mairie, "
    "69100 Démonstration\ndpo@demo.test",
    retention_years=3,
)


async def seed_demo(runtime: ServiceRuntime) -> None:
    async with runtime.database.transaction() as session:
        tenants = TenantService(session)
        if await tenants.tenants.by_slug(DEMO_TENANT.slug) is not None:
            return
        tenant = await tenants.create(DEMO_TENANT)
        await tenants.update_profile(tenant.id, DEMO_PROFILE)
        households = HouseholdService(session)
        children = ChildService(session)
        for data in DEMO_HOUSEHOLDS:
            household = await households.create(tenant.id, data)
            if data.name in DEMO_DETAILS:
                details = DEMO_DETAILS[data.name].model_dump(exclude_unset=True)
                await households.apply(household, details)
            for child in DEMO_CHILDREN.get(data.name, ()):
                await children.add(tenant, household.id, child)
    runtime.outbox_committed()
