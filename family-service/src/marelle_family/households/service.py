from __future__ import annotations

from typing import Any
from uuid import UUID

from marelle_contracts import HouseholdCreated, HouseholdDetailsChanged, QuotientChanged
from marelle_family import catalogue
from marelle_family.adults.schemas import AdultOut
from marelle_family.adults.service import adults_of
from marelle_family.children.service import ChildService
from marelle_family.field_groups import split_by_group
from marelle_family.guardians.schemas import GuardianOut
from marelle_family.guardians.service import GuardianService, guardians_of
from marelle_family.households.repository import HouseholdRepository
from marelle_family.households.schemas import HouseholdCreate, HouseholdDetails, HouseholdOut
from marelle_family.models import Household, events
from marelle_family.tenants.repository import TenantRepository
from marelle_kit import roles
from marelle_kit.clock import utcnow
from marelle_kit.database import ReadSession, WriteSession
from marelle_kit.errors import NotFound
from marelle_kit.events import record_event
from marelle_kit.security import Principal


def format_family_number(number: int) -> str:
    return f"{number:06d}"


async def household_for(
    session: ReadSession, principal: Principal, tenant_id: UUID, household_id: UUID
) -> Household:
    """Staff who read records see their tenant's households; a parent only their own
    (object-level check): anything else is not found."""
    household = await HouseholdRepository(session).get(tenant_id, household_id)
    readers = roles.RECORD_READERS
    if household is None or not principal.may_access_household(household.id, staff=readers):
        raise NotFound(catalogue.HOUSEHOLD_NOT_FOUND)
    return household


def require_editable(household: Household) -> None:
    if household.erased_at is not None:
        raise catalogue.HouseholdErased(catalogue.HOUSEHOLD_ERASED)


class HouseholdService:
    def __init__(self, session: WriteSession) -> None:
        self.session = session
        self.households = HouseholdRepository(session)
        self.tenants = TenantRepository(session)

    async def create(self, tenant_id: UUID, data: HouseholdCreate) -> Household:
        try:
            number = await self.tenants.take_family_number(tenant_id)
        except LookupError as exc:
            raise NotFound(catalogue.TENANT_NOT_FOUND) from exc
        household = await self.households.add(
            Household(
                tenant_id=tenant_id, family_number=format_family_number(number), name=data.name
            )
        )
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
        tenant_id = household.tenant_id
        children = ChildService(self.session)
        kids = await children.of_household(tenant_id, household.id)
        return HouseholdOut(
            **HouseholdDetails.model_validate(household).model_dump(),
            guardians=[
                GuardianOut.model_validate(g)
                for g in await guardians_of(self.session, tenant_id, household.id)
            ],
            adults=[
                AdultOut.model_validate(a)
                for a in await adults_of(self.session, tenant_id, household.id)
            ],
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
        await self.households.save(household)
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
        if principal.household_id != household.id:
            raise catalogue.OnlyParents(catalogue.ONLY_PARENTS_CERTIFY)
        household.certified_at = utcnow()
        household.certified_by = principal.subject
        return await self.households.save(household)
