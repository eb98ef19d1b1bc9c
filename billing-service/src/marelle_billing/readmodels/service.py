"""Applying other services' facts to the billing-service's read models (idempotently)."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from marelle_billing.models import ActivityFact, ChildFact, GuardianFact, QuotientFact
from marelle_billing.readmodels.repository import ReadModelRepository
from marelle_contracts import ActivityPublished, CellFact
from marelle_contracts.family import ChildRecord
from marelle_kit.database import WriteSession

ERASED = "Effacé"


class ReadModelService:
    def __init__(self, session: WriteSession) -> None:
        self.facts = ReadModelRepository(session)

    async def child_recorded(self, tenant_id: UUID, event: ChildRecord) -> None:
        child = await self.facts.child(event.child_id)
        if child is None:
            child = ChildFact(
                id=event.child_id,
                tenant_id=tenant_id,
                household_id=event.household_id,
                first_name=event.first_name,
                last_name=event.last_name,
                birth_date=event.birth_date,
            )
        else:
            child.household_id = event.household_id
            child.first_name, child.last_name = event.first_name, event.last_name
            child.birth_date = event.birth_date
        await self.facts.add(child)

    async def guardian_added(
        self,
        tenant_id: UUID,
        household_id: UUID,
        guardian_id: UUID,
        rank: int,
        first_name: str,
        last_name: str,
        email: str | None,
    ) -> None:
        guardian = await self.facts.guardian(guardian_id) or GuardianFact(
            id=guardian_id,
            tenant_id=tenant_id,
            household_id=household_id,
            rank=rank,
            first_name=first_name,
            last_name=last_name,
        )
        guardian.rank, guardian.email = rank, email
        guardian.first_name, guardian.last_name = first_name, last_name
        await self.facts.add(guardian)

    async def guardian_email_changed(self, guardian_id: UUID, email: str | None) -> None:
        guardian = await self.facts.guardian(guardian_id)
        if guardian is not None:
            guardian.email = email
            await self.facts.add(guardian)

    async def guardian_renamed(self, guardian_id: UUID, first_name: str, last_name: str) -> None:
        guardian = await self.facts.guardian(guardian_id)
        if guardian is not None:
            guardian.first_name, guardian.last_name = first_name, last_name
            await self.facts.add(guardian)

    async def guardian_removed(self, guardian_id: UUID) -> None:
        guardian = await self.facts.guardian(guardian_id)
        if guardian is not None:
            await self.facts.delete(guardian)

    async def address_changed(
        self, household_id: UUID, postcode: str | None, city: str | None
    ) -> None:
        account = await self.facts.account(household_id)
        if account is not None:
            account.postcode, account.city = postcode, city
            await self.facts.add(account)

    async def quotient_changed(
        self,
        tenant_id: UUID,
        household_id: UUID,
        quotient: int | None,
        valid_until: date | None,
        at: datetime,
    ) -> None:
        """A new quotient supersedes the known ones whose validity ends on or after its own
        end (a correction, or a shortened validity); earlier ones stay for the days they
        cover. No quotient any more: none is known (the family-service has none)."""
        if quotient is None:
            await self.facts.delete_quotients(household_id, ending_on_or_after=None)
            return
        if valid_until is None:
            await self.facts.delete_quotients(household_id, ending_on_or_after=None)
        else:
            await self.facts.delete_quotients(household_id, ending_on_or_after=valid_until)
        await self.facts.add(
            QuotientFact(
                tenant_id=tenant_id,
                household_id=household_id,
                quotient=quotient,
                valid_until=valid_until,
                recorded_at=at,
            )
        )

    async def household_erased(self, tenant_id: UUID, household_id: UUID) -> None:
        """The read models forget the people; issued invoices are accounting records and are
        kept as issued (legal retention)."""
        await self.facts.delete_guardians(household_id)
        await self.facts.delete_quotients(household_id, ending_on_or_after=None)
        for child in await self.facts.children_of(tenant_id, household_id):
            child.first_name, child.last_name = ERASED, ERASED
            await self.facts.add(child)

    async def activity_published(self, tenant_id: UUID, event: ActivityPublished) -> None:
        activity = await self.facts.activity(event.activity_id) or ActivityFact(
            id=event.activity_id,
            tenant_id=tenant_id,
            code=event.code,
            name=event.name,
            kind=event.kind.value,
            site_id=event.site_id,
            site_name=event.site_name,
            billing_mode=event.billing_mode.value,
            billing_unit=event.billing_unit.value,
            fiscal_share=event.fiscal_share.value,
            active=event.active,
        )
        activity.code, activity.name, activity.kind = event.code, event.name, event.kind.value
        activity.site_id, activity.site_name = event.site_id, event.site_name
        activity.billing_mode = event.billing_mode.value
        activity.billing_unit = event.billing_unit.value
        activity.fiscal_share = event.fiscal_share.value
        activity.active = event.active
        await self.facts.add(activity)

    async def cells_changed(self, tenant_id: UUID, cells: list[CellFact]) -> None:
        await self.facts.upsert_cells(
            tenant_id,
            [
                {
                    "id": cell.cell_id,
                    "version": cell.version,
                    "household_id": cell.household_id,
                    "child_id": cell.child_id,
                    "activity_id": cell.activity_id,
                    "day": cell.day,
                    "state": cell.state.value,
                    "late": cell.late,
                    "absence_reason": cell.absence_reason,
                    "absence_charge": cell.absence_charge.value if cell.absence_charge else None,
                    "penalty_percent": cell.penalty_percent,
                    "arrival": cell.arrival,
                    "departure": cell.departure,
                    "free_of_charge": cell.free_of_charge,
                }
                for cell in cells
            ],
        )

    async def register_changed(
        self,
        tenant_id: UUID,
        register_id: UUID,
        activity_id: UUID,
        day: date,
        *,
        closed: bool,
        at: datetime,
    ) -> None:
        await self.facts.set_register(
            tenant_id, register_id, activity_id, day, closed=closed, at=at
        )
