"""The read models' rules: apply other services' facts, idempotently and in any order.

Facts of one household arrive in order (they are keyed by household), but a household's
balance (billing) or first sign-in (auth) may arrive before its creation (family): a stub row
is made then and completed when the family's fact comes. Booking cells keep the highest version
seen (DECISIONS.md), so duplicates and late deliveries never bring back a stale state."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from uuid import UUID

from marelle_contracts import CellFact, ChildAdded, ChildChanged, GuardianAdded
from marelle_kit.database import WriteSession
from marelle_mailing.directory.repository import (
    ActivityRepository,
    CellRepository,
    ChildRepository,
    GuardianRepository,
    HouseholdRepository,
)
from marelle_mailing.models import (
    ActivityCopy,
    BookingCellCopy,
    ChildCopy,
    GuardianCopy,
    HouseholdCopy,
)


class Directory:
    def __init__(self, session: WriteSession) -> None:
        self.session = session
        self.households = HouseholdRepository(session)
        self.guardians = GuardianRepository(session)
        self.children = ChildRepository(session)
        self.activities = ActivityRepository(session)
        self.cell_rows = CellRepository(session)

    async def household(self, tenant_id: UUID, household_id: UUID) -> HouseholdCopy:
        """The household's copy, a stub if the family's fact has not arrived yet."""
        found = await self.households.by_id(household_id)
        if found is None:
            found = HouseholdCopy(id=household_id, tenant_id=tenant_id, family_number="", name="")
            await self.households.add(found)
        return found

    async def household_created(
        self, tenant_id: UUID, household_id: UUID, family_number: str, name: str
    ) -> None:
        household = await self.household(tenant_id, household_id)
        if household.erased_at is None:
            household.family_number, household.name = family_number, name
            await self.households.add(household)

    async def household_details(
        self,
        tenant_id: UUID,
        household_id: UUID,
        *,
        postcode: str | None,
        city: str | None,
        email_authorised: bool,
        sms_authorised: bool,
    ) -> None:
        household = await self.household(tenant_id, household_id)
        if household.erased_at is not None:
            return
        household.postcode, household.city = postcode, city
        household.email_authorised, household.sms_authorised = email_authorised, sms_authorised
        await self.households.add(household)

    async def quotient(self, tenant_id: UUID, household_id: UUID, valid_until: date | None) -> None:
        household = await self.household(tenant_id, household_id)
        if household.erased_at is None:
            household.quotient_valid_until = valid_until
            await self.households.add(household)

    async def balance(self, tenant_id: UUID, household_id: UUID, balance_cents: int) -> None:
        household = await self.household(tenant_id, household_id)
        if household.erased_at is None:
            household.balance_cents = balance_cents
            await self.households.add(household)

    async def signed_in(self, tenant_id: UUID, household_id: UUID, at: datetime) -> None:
        household = await self.household(tenant_id, household_id)
        if household.erased_at is None and (
            household.first_signed_in_at is None or at < household.first_signed_in_at
        ):
            household.first_signed_in_at = at
            await self.households.add(household)

    async def guardian_added(self, tenant_id: UUID, event: GuardianAdded) -> None:
        household = await self.household(tenant_id, event.household_id)
        if household.erased_at is not None:
            return
        guardian = await self.guardians.by_id(event.guardian_id) or GuardianCopy(
            id=event.guardian_id,
            tenant_id=tenant_id,
            household_id=event.household_id,
            first_name=event.first_name,
            last_name=event.last_name,
        )
        guardian.rank, guardian.email = event.rank, event.email
        guardian.first_name, guardian.last_name = event.first_name, event.last_name
        await self.guardians.add(guardian)

    async def guardian_email(self, guardian_id: UUID, email: str | None) -> None:
        guardian = await self.guardians.by_id(guardian_id)
        if guardian is not None:
            guardian.email = email
            await self.guardians.add(guardian)

    async def guardian_details(
        self, guardian_id: UUID, first_name: str, last_name: str, phone: str | None
    ) -> None:
        guardian = await self.guardians.by_id(guardian_id)
        if guardian is not None:
            guardian.first_name, guardian.last_name, guardian.phone = first_name, last_name, phone
            await self.guardians.add(guardian)

    async def guardian_removed(self, guardian_id: UUID) -> None:
        guardian = await self.guardians.by_id(guardian_id)
        if guardian is not None:
            await self.guardians.delete(guardian)

    async def child(self, tenant_id: UUID, event: ChildAdded | ChildChanged) -> None:
        household = await self.household(tenant_id, event.household_id)
        if household.erased_at is not None:
            return
        child = await self.children.by_id(event.child_id) or ChildCopy(
            id=event.child_id,
            tenant_id=tenant_id,
            household_id=event.household_id,
            first_name=event.first_name,
            last_name=event.last_name,
        )
        child.first_name, child.last_name = event.first_name, event.last_name
        child.school, child.level, child.school_year = event.school, event.level, event.school_year
        await self.children.add(child)

    async def activity(
        self,
        tenant_id: UUID,
        activity_id: UUID,
        *,
        code: str,
        name: str,
        kind: str,
        site_id: UUID,
        site_name: str,
        active: bool,
    ) -> None:
        activity = await self.activities.by_id(activity_id) or ActivityCopy(
            id=activity_id,
            tenant_id=tenant_id,
            code=code,
            name=name,
            kind=kind,
            site_id=site_id,
            site_name=site_name,
        )
        activity.code, activity.name, activity.kind = code, name, kind
        activity.site_id, activity.site_name, activity.active = site_id, site_name, active
        await self.activities.add(activity)

    async def cells(self, tenant_id: UUID, facts: Sequence[CellFact]) -> list[CellFact]:
        """Keep each cell's newest fact; returns the facts that were new (not stale)."""
        applied = []
        for fact in facts:
            known = await self.cell_rows.lock(fact.cell_id)
            if known is not None and known.version >= fact.version:
                continue
            household = await self.households.by_id(fact.household_id)
            if household is not None and household.erased_at is not None:
                continue
            row = known or BookingCellCopy(
                id=fact.cell_id,
                tenant_id=tenant_id,
                version=fact.version,
                household_id=fact.household_id,
                child_id=fact.child_id,
                activity_id=fact.activity_id,
                day=fact.day,
                state=fact.state.value,
            )
            row.version, row.state = fact.version, fact.state.value
            row.household_id, row.child_id = fact.household_id, fact.child_id
            row.activity_id, row.day = fact.activity_id, fact.day
            await self.cell_rows.add(row)
            applied.append(fact)
        return applied
