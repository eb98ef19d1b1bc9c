from __future__ import annotations

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from marelle_contracts import HouseholdCreated
from marelle_family.guardians.schemas import GuardianOut
from marelle_family.guardians.service import GuardianService
from marelle_family.households.repository import HouseholdRepository
from marelle_family.households.schemas import HouseholdCreate, HouseholdOut, HouseholdSummary
from marelle_family.models import Household, events
from marelle_family.tenants.repository import TenantRepository
from marelle_kit.errors import NotFound
from marelle_kit.events import record_event
from marelle_kit.security import Principal


def format_family_number(number: int) -> str:
    return f"{number:06d}"


class HouseholdService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.households = HouseholdRepository(session)
        self.tenants = TenantRepository(session)

    async def create(self, tenant_id: UUID, data: HouseholdCreate) -> Household:
        try:
            number = await self.tenants.take_family_number(tenant_id)
        except LookupError as exc:
            raise NotFound("Cette structure n'existe pas.") from exc
        household = Household(
            tenant_id=tenant_id, family_number=format_family_number(number), name=data.name
        )
        await self.households.add(household)
        await record_event(
            self.session,
            events,
            HouseholdCreated(
                household_id=household.id,
                family_number=household.family_number,
                name=household.name,
            ),
            tenant_id=tenant_id,
            key=household.id,
        )
        guardians = GuardianService(self.session)
        for guardian in data.guardians:
            await guardians.add(tenant_id, household.id, guardian)
        return household

    async def view(self, household: Household) -> HouseholdOut:
        guardians = await GuardianService(self.session).of_household(
            household.tenant_id, household.id
        )
        return HouseholdOut(
            **HouseholdSummary.model_validate(household).model_dump(),
            guardians=[GuardianOut.model_validate(g) for g in guardians],
        )

    async def get_for(self, principal: Principal, tenant_id: UUID, household_id: UUID) -> Household:
        """Staff see their tenant's households; a parent only their own (object-level check)."""
        household = await self.households.get(tenant_id, household_id)
        if household is None or not principal.may_access_household(household.id):
            raise NotFound("Ce foyer n'existe pas.")
        return household

    async def list(self, tenant_id: UUID, *, limit: int, offset: int) -> list[Household]:
        return await self.households.list(tenant_id, limit=limit, offset=offset)
