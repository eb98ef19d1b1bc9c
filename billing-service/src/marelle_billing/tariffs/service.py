"""Tariff versions (saved only when consistent) and the staff simulator."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from marelle_billing.errors import TariffInUse, TariffOverlap, UnknownActivity, UnknownChild
from marelle_billing.models import Tariff
from marelle_billing.money import cents_to_decimal
from marelle_billing.readmodels.repository import ReadModelRepository
from marelle_billing.tariffs.engine import PricedCell, Pricer, TariffVersion, quotient_on
from marelle_billing.tariffs.pricing import CellInput
from marelle_billing.tariffs.repository import PricingLoader, TariffRepository, tariff_version
from marelle_billing.tariffs.schemas import (
    PriceOut,
    PricePartOut,
    SimulationIn,
    SimulationOut,
    TariffIn,
    TariffOut,
)
from marelle_kit.database import WriteSession
from marelle_kit.errors import NotFound


def price_out(priced: PricedCell) -> PriceOut:
    cell_price = priced.price
    return PriceOut(
        billed=cell_price.billed,
        amount=cents_to_decimal(cell_price.amount_cents),
        amount_cents=cell_price.amount_cents,
        note=cell_price.note,
        parts=[
            PricePartOut(
                quantity=part.quantity,
                unit_price=part.unit_price,
                amount_cents=part.amount_cents,
                rule=part.rule,
                bracket=part.bracket,
            )
            for part in cell_price.parts
        ],
        tariff_id=priced.tariff.id if priced.tariff else None,
        tariff_label=priced.tariff.label if priced.tariff else None,
        fiscal_share=priced.fiscal_share,
        error=priced.error,
    )


class TariffService:
    def __init__(self, session: WriteSession) -> None:
        self.session = session
        self.tariffs = TariffRepository(session)
        self.facts = ReadModelRepository(session)

    async def _activity_name(self, tenant_id: UUID, activity_id: UUID) -> str:
        activity = await self.facts.activity(activity_id)
        if activity is None or activity.tenant_id != tenant_id:
            raise UnknownActivity(
                "Cette activité n'est pas connue de la facturation (publiez-la d'abord)."
            )
        return activity.name

    def _out(self, tariff: Tariff, activity_name: str | None) -> TariffOut:
        return TariffOut.model_validate({**tariff.model_dump(), "activity_name": activity_name})

    async def list(self, tenant_id: UUID, activity_id: UUID | None) -> list[TariffOut]:
        names = {a.id: a.name for a in await self.facts.activities(tenant_id)}
        return [
            self._out(tariff, names.get(tariff.activity_id))
            for tariff in await self.tariffs.of_tenant(tenant_id, activity_id)
        ]

    async def get(self, tenant_id: UUID, tariff_id: UUID) -> TariffOut:
        tariff = await self._tariff(tenant_id, tariff_id)
        return self._out(tariff, await self._activity_name(tenant_id, tariff.activity_id))

    async def _tariff(self, tenant_id: UUID, tariff_id: UUID) -> Tariff:
        tariff = await self.tariffs.get(tenant_id, tariff_id)
        if tariff is None:
            raise NotFound("Ce tarif n'existe pas.")
        return tariff

    async def _check_no_overlap(self, tenant_id: UUID, candidate: TariffVersion) -> None:
        for other in await self.tariffs.same_activity(tenant_id, candidate.activity_id):
            if other.id == candidate.id:
                continue
            version = tariff_version(other)
            if version.scope == candidate.scope and version.overlaps(candidate):
                end = f"{other.valid_to:%d/%m/%Y}" if other.valid_to else "sans fin"
                raise TariffOverlap(
                    f"Le tarif « {other.label} » (du {other.valid_from:%d/%m/%Y} au {end}) a la "
                    "même portée sur une partie de ces dates : fermez-le d'abord.",
                    conflicting_tariff_id=str(other.id),
                )

    async def create(self, tenant_id: UUID, data: TariffIn) -> TariffOut:
        name = await self._activity_name(tenant_id, data.activity_id)
        tariff = Tariff(tenant_id=tenant_id, **self._columns(data))
        await self._check_no_overlap(tenant_id, tariff_version(tariff))
        await self.tariffs.add(tariff)
        return self._out(tariff, name)

    async def update(self, tenant_id: UUID, tariff_id: UUID, data: TariffIn) -> TariffOut:
        tariff = await self.tariffs.get_for_update(tenant_id, tariff_id)
        if tariff is None:
            raise NotFound("Ce tarif n'existe pas.")
        name = await self._activity_name(tenant_id, data.activity_id)
        for key, value in self._columns(data).items():
            setattr(tariff, key, value)
        await self._check_no_overlap(tenant_id, tariff_version(tariff))
        await self.tariffs.add(tariff)
        return self._out(tariff, name)

    async def delete(self, tenant_id: UUID, tariff_id: UUID) -> None:
        tariff = await self._tariff(tenant_id, tariff_id)
        if await self.tariffs.used_on_invoices(tariff.id):
            raise TariffInUse(
                "Ce tarif a servi à des factures : fermez sa validité au lieu de le supprimer."
            )
        await self.tariffs.delete(tariff)

    @staticmethod
    def _columns(data: TariffIn) -> dict[str, Any]:
        return {
            "activity_id": data.activity_id,
            "label": data.label,
            "valid_from": data.valid_from,
            "valid_to": data.valid_to,
            "day_kind": data.day_kind,
            "family_category": data.family_category,
            "site_id": data.site_id,
            "rules": data.rules.model_dump(mode="json"),
        }

    async def simulate(self, tenant_id: UUID, data: SimulationIn) -> SimulationOut:
        """What the day costs the child, with the rule applied (the tariff editor's
        simulator)."""
        child = await self.facts.child(data.child_id)
        if child is None or child.tenant_id != tenant_id or child.household_id != data.household_id:
            raise UnknownChild("Cet enfant n'est pas connu de la facturation pour ce foyer.")
        activity_name = await self._activity_name(tenant_id, data.activity_id)
        pricing = await PricingLoader(self.session).load(tenant_id, [data.household_id])
        pricer = Pricer(pricing)
        cell = CellInput(
            state=data.state,
            late=data.late,
            absence_charge=data.absence_charge,
            penalty_percent=data.penalty_percent,
            arrival=data.arrival,
            departure=data.departure,
        )
        priced = pricer.price(data.household_id, data.child_id, data.activity_id, data.day, cell)
        household = pricing.households.get(data.household_id)
        quotient = quotient_on(household.quotients, data.day) if household else None
        return SimulationOut(
            **price_out(priced).model_dump(),
            quotient=quotient,
            child_name=f"{child.first_name} {child.last_name}",
            activity_name=activity_name,
        )
