"""Demo data for the embedded mode: the demo tenant and a few households, created through the
same service layer as real data (so their events are published like any other)."""

from __future__ import annotations

from marelle_family.guardians.schemas import GuardianIn
from marelle_family.households.schemas import HouseholdCreate
from marelle_family.households.service import HouseholdService
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


async def seed_demo(runtime: ServiceRuntime) -> None:
    async with runtime.database.transaction() as session:
        tenants = TenantService(session)
        if await tenants.tenants.by_slug(DEMO_TENANT.slug) is not None:
            return
        tenant = await tenants.create(DEMO_TENANT)
        households = HouseholdService(session)
        for household in DEMO_HOUSEHOLDS:
            await households.create(tenant.id, household)
    runtime.outbox_committed()
