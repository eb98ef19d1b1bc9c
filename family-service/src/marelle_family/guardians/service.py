from __future__ import annotations

from uuid import UUID

from marelle_contracts import (
    GuardianAdded,
    GuardianDetailsChanged,
    GuardianEmailChanged,
    GuardianRemoved,
)
from marelle_family import catalogue
from marelle_family.guardians.repository import GuardianRepository
from marelle_family.guardians.schemas import GuardianIn, GuardianPatch
from marelle_family.households.repository import HouseholdRepository
from marelle_family.models import Guardian, events
from marelle_kit.database import ReadSession, WriteSession
from marelle_kit.errors import NotFound
from marelle_kit.events import record_event


async def guardians_of(session: ReadSession, tenant_id: UUID, household_id: UUID) -> list[Guardian]:
    return await GuardianRepository(session).of_household(tenant_id, household_id)


async def guardian_in(
    session: ReadSession, tenant_id: UUID, household_id: UUID, guardian_id: UUID
) -> Guardian:
    guardian = await GuardianRepository(session).in_household(tenant_id, household_id, guardian_id)
    if guardian is None:
        raise NotFound(catalogue.GUARDIAN_NOT_FOUND)
    return guardian


class GuardianService:
    def __init__(self, session: WriteSession) -> None:
        self.session = session
        self.guardians = GuardianRepository(session)
        self.households = HouseholdRepository(session)

    async def _require_household(self, tenant_id: UUID, household_id: UUID) -> None:
        if await self.households.get(tenant_id, household_id) is None:
            raise NotFound(catalogue.HOUSEHOLD_NOT_FOUND)

    async def check_email_free(
        self, tenant_id: UUID, email: str | None, except_id: UUID | None = None
    ) -> None:
        if email and await self.guardians.email_taken(tenant_id, email, except_id=except_id):
            raise catalogue.EmailTaken(catalogue.EMAIL_TAKEN, field="email")

    async def add(self, tenant_id: UUID, household_id: UUID, data: GuardianIn) -> Guardian:
        await self._require_household(tenant_id, household_id)
        existing = await self.guardians.of_household(tenant_id, household_id)
        if any(g.rank == data.rank for g in existing):
            raise catalogue.GuardianRankTaken(
                catalogue.GUARDIAN_RANK_TAKEN.format(rank=data.rank), field="rank"
            )
        await self.check_email_free(tenant_id, data.email)
        guardian = Guardian(tenant_id=tenant_id, household_id=household_id, **data.model_dump())
        await self.guardians.add(guardian)
        await record_event(
            self.session,
            events,
            GuardianAdded(
                household_id=household_id,
                guardian_id=guardian.id,
                rank=guardian.rank,
                first_name=guardian.first_name,
                last_name=guardian.last_name,
                email=guardian.email,
            ),
            tenant_id=tenant_id,
            key=household_id,
        )
        return guardian

    async def update(
        self, tenant_id: UUID, household_id: UUID, guardian_id: UUID, data: GuardianPatch
    ) -> Guardian:
        guardian = await self.get(tenant_id, household_id, guardian_id)
        changes = data.model_dump(exclude_unset=True)
        if "email" in changes and changes["email"] != guardian.email:
            await self.check_email_free(tenant_id, changes["email"], except_id=guardian.id)
            await record_event(
                self.session,
                events,
                GuardianEmailChanged(
                    household_id=household_id, guardian_id=guardian.id, email=changes["email"]
                ),
                tenant_id=tenant_id,
                key=household_id,
            )
        for name, value in changes.items():
            setattr(guardian, name, value)
        await self.guardians.save(guardian)
        if changes.keys() & {"first_name", "last_name", "phone"}:
            await record_event(
                self.session,
                events,
                GuardianDetailsChanged(
                    household_id=household_id,
                    guardian_id=guardian.id,
                    first_name=guardian.first_name,
                    last_name=guardian.last_name,
                    phone=guardian.phone,
                ),
                tenant_id=tenant_id,
                key=household_id,
            )
        return guardian

    async def remove(self, tenant_id: UUID, household_id: UUID, guardian_id: UUID) -> None:
        guardian = await self.get(tenant_id, household_id, guardian_id)
        await self.guardians.delete(guardian)
        await record_event(
            self.session,
            events,
            GuardianRemoved(household_id=household_id, guardian_id=guardian_id),
            tenant_id=tenant_id,
            key=household_id,
        )

    async def get(self, tenant_id: UUID, household_id: UUID, guardian_id: UUID) -> Guardian:
        return await guardian_in(self.session, tenant_id, household_id, guardian_id)
