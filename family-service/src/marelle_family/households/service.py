from __future__ import annotations

from typing import Any
from uuid import UUID

from marelle_contracts import HouseholdCreated, HouseholdDetailsChanged, QuotientChanged
from marelle_family.adults.schemas import AdultOut
from marelle_family.adults.service import AdultService
from marelle_family.children.service import ChildService
from marelle_family.editing.groups import split_by_group
from marelle_family.guardians.schemas import GuardianOut
from marelle_family.guardians.service import GuardianService
from marelle_family.households.repository import HouseholdRepository
from marelle_family.households.schemas import HouseholdCreate, HouseholdDetails, HouseholdOut
from marelle_family.models import Household, events
from marelle_family.tenants.repository import TenantRepository
from marelle_kit import roles
from marelle_kit.clock import utcnow
from marelle_kit.database import WriteSession
from marelle_kit.errors import NotFound
from marelle_kit.events import record_event
from marelle_kit.security import Principal


def format_family_number(number: int) -> str:
    return f"{number:06d}"


class HouseholdService:
    def __init__(self, session: WriteSession) -> None:
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

    async def view(self, household: Household, reader: Principal | None = None) -> HouseholdOut:
        """The whole record; a staff reader is written to the children's access log."""
        guardians = await GuardianService(self.session).of_household(
            household.tenant_id, household.id
        )
        children = ChildService(self.session)
        kids = await children.of_household(household.tenant_id, household.id)
        adults = await AdultService(self.session).of_household(household.tenant_id, household.id)
        return HouseholdOut(
            **HouseholdDetails.model_validate(household).model_dump(),
            guardians=[GuardianOut.model_validate(g) for g in guardians],
            adults=[AdultOut.model_validate(a) for a in adults],
            children=await children.views(kids, reader),
        )

    async def apply(self, household: Household, changes: dict[str, Any]) -> list[str]:
        """Apply validated changes and publish them: the QF for tariffs, the rest as details."""
        groups = split_by_group("household", changes)
        for name, value in changes.items():
            if name == "criteria_values":
                merged = {**(household.criteria_values or {}), **(value or {})}
                value = {code: v for code, v in merged.items() if v is not None} or None
            setattr(household, name, value)
        self.session.add(household)
        await self.session.flush()
        if "household.quotient" in groups:
            await record_event(
                self.session,
                events,
                QuotientChanged(
                    household_id=household.id,
                    quotient=household.quotient,
                    valid_until=household.quotient_valid_until,
                    benefits_scheme=household.benefits_scheme,
                ),
                tenant_id=household.tenant_id,
                key=household.id,
            )
        others = sorted(groups.keys() - {"household.quotient"})
        if others:
            await record_event(
                self.session,
                events,
                HouseholdDetailsChanged(
                    household_id=household.id,
                    groups=others,
                    postcode=household.postcode,
                    city=household.city,
                    email_authorised=household.email_authorised,
                    sms_authorised=household.sms_authorised,
                ),
                tenant_id=household.tenant_id,
                key=household.id,
            )
        return list(groups)

    async def certify(self, household: Household, principal: Principal) -> Household:
        household.certified_at = utcnow()
        household.certified_by = principal.subject
        self.session.add(household)
        await self.session.flush()
        return household

    async def get_for(self, principal: Principal, tenant_id: UUID, household_id: UUID) -> Household:
        """Staff see their tenant's households; a parent only their own (object-level check)."""
        household = await self.households.get(tenant_id, household_id)
        if household is None or not principal.may_access_household(
            household.id, staff=roles.RECORD_READERS
        ):
            raise NotFound("Ce foyer n'existe pas.")
        return household

    async def list(self, tenant_id: UUID, *, limit: int, offset: int) -> list[Household]:
        return await self.households.list(tenant_id, limit=limit, offset=offset)
