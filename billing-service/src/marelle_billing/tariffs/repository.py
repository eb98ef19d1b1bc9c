"""Tariffs, and the bulk loading of everything pricing needs (a few queries, no per-cell trip)."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import col

from marelle_billing.models import (
    ActivityFact,
    BillingAccount,
    BillingProfile,
    ChildFact,
    InvoiceLine,
    QuotientFact,
    Tariff,
)
from marelle_billing.tariffs.engine import (
    ActivityInfo,
    ChildInfo,
    HouseholdInfo,
    PricingData,
    QuotientEntry,
    TariffVersion,
)
from marelle_billing.tariffs.rules import TariffRules
from marelle_kit.database import WriteSession
from marelle_kit.repository import Repository


def tariff_version(tariff: Tariff) -> TariffVersion:
    return TariffVersion(
        id=tariff.id,
        activity_id=tariff.activity_id,
        label=tariff.label,
        valid_from=tariff.valid_from,
        valid_to=tariff.valid_to,
        day_kind=tariff.day_kind,
        family_category=tariff.family_category,
        site_id=tariff.site_id,
        rules=TariffRules.model_validate(tariff.rules),
    )


class TariffRepository(Repository[Tariff]):
    model = Tariff

    async def of_tenant(self, tenant_id: UUID, activity_id: UUID | None = None) -> list[Tariff]:
        query = self.scoped(tenant_id)
        if activity_id is not None:
            query = query.where(col(Tariff.activity_id) == activity_id)
        query = query.order_by(col(Tariff.activity_id), col(Tariff.valid_from), col(Tariff.label))
        return list(await self.session.scalars(query))

    async def same_activity(self, tenant_id: UUID, activity_id: UUID) -> list[Tariff]:
        return await self.of_tenant(tenant_id, activity_id)

    async def used_on_invoices(self, tariff_id: UUID) -> bool:
        found = await self.session.scalar(
            sa.select(col(InvoiceLine.id)).where(col(InvoiceLine.tariff_id) == tariff_id).limit(1)
        )
        return found is not None


class PricingLoader:
    """Loads the pricing data of a tenant, for some households or all of them."""

    def __init__(self, session: WriteSession) -> None:
        self.session = session

    async def load(
        self, tenant_id: UUID, household_ids: Iterable[UUID] | None = None
    ) -> PricingData:
        profile = await self.session.get(BillingProfile, tenant_id)
        data = PricingData(zone=profile.school_zone if profile is not None else "A")
        activities = await self.session.execute(
            sa.select(
                col(ActivityFact.id),
                col(ActivityFact.name),
                col(ActivityFact.site_id),
                col(ActivityFact.billing_mode),
                col(ActivityFact.billing_unit),
                col(ActivityFact.fiscal_share),
                col(ActivityFact.kind),
            ).where(col(ActivityFact.tenant_id) == tenant_id)
        )
        for row in activities:
            data.activities[row[0]] = ActivityInfo(*row)
        tariffs = await self.session.scalars(
            sa.select(Tariff).where(col(Tariff.tenant_id) == tenant_id)
        )
        for tariff in tariffs:
            data.tariffs.setdefault(tariff.activity_id, []).append(tariff_version(tariff))

        ids = list(household_ids) if household_ids is not None else None
        accounts = sa.select(col(BillingAccount.id), col(BillingAccount.category)).where(
            col(BillingAccount.tenant_id) == tenant_id
        )
        quotients = sa.select(
            col(QuotientFact.household_id),
            col(QuotientFact.quotient),
            col(QuotientFact.valid_until),
            col(QuotientFact.recorded_at),
        ).where(col(QuotientFact.tenant_id) == tenant_id)
        children = sa.select(
            col(ChildFact.id),
            col(ChildFact.household_id),
            col(ChildFact.first_name),
            col(ChildFact.last_name),
            col(ChildFact.birth_date),
        ).where(col(ChildFact.tenant_id) == tenant_id)
        if ids is not None:
            accounts = accounts.where(col(BillingAccount.id).in_(ids))
            quotients = quotients.where(col(QuotientFact.household_id).in_(ids))
            children = children.where(col(ChildFact.household_id).in_(ids))
        entries: dict[UUID, list[QuotientEntry]] = {}
        for household_id, quotient, valid_until, recorded_at in await self.session.execute(
            quotients
        ):
            entries.setdefault(household_id, []).append(
                QuotientEntry(quotient, valid_until, recorded_at)
            )
        for household_id, category in await self.session.execute(accounts):
            data.households[household_id] = HouseholdInfo(
                household_id, category, tuple(entries.get(household_id, ()))
            )
        for child_id, household_id, first, last, birth in await self.session.execute(children):
            data.children[child_id] = ChildInfo(child_id, household_id, f"{first} {last}", birth)
        return data
