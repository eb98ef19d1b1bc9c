"""Demo data for the embedded mode: the demo tenant and a few households, created through the
same service layer as real data (so their events are published like any other)."""

from __future__ import annotations

from marelle_family.households.schemas import HouseholdCreate
from marelle_family.households.service import HouseholdService
from marelle_family.tenants.schemas import TenantCreate
from marelle_family.tenants.service import TenantService
from marelle_kit.runtime import ServiceRuntime

DEMO_TENANT = TenantCreate(slug="demo", name="Mairie de Démonstration")
DEMO_HOUSEHOLDS = ("Famille Martin", "Famille Bernard", "Famille Nguyen", "Famille Diallo")


async def seed_demo(runtime: ServiceRuntime) -> None:
    async with runtime.database.transaction() as session:
        tenants = TenantService(session)
        if await tenants.tenants.by_slug(DEMO_TENANT.slug) is not None:
            return
        tenant = await tenants.create(DEMO_TENANT)
        households = HouseholdService(session)
        for name in DEMO_HOUSEHOLDS:
            await households.create(tenant.id, HouseholdCreate(name=name))
    runtime.outbox_committed()
