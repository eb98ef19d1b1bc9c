"""The price API of the booking grid: fast (a handful of queries for the whole grid)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from uuid import UUID

from marelle_billing.money import cents_to_decimal
from marelle_billing.quotes.schemas import ChildTotal, QuoteIn, QuoteItemOut, QuoteOut
from marelle_billing.readmodels.repository import ReadModelRepository
from marelle_billing.tariffs.engine import Pricer
from marelle_billing.tariffs.pricing import CellInput
from marelle_billing.tariffs.repository import PricingLoader
from marelle_billing.tariffs.service import price_out
from marelle_kit.database import WriteSession

_TAKING_A_PLACE = frozenset({"booked", "present", "requested"})


class QuoteService:
    def __init__(self, session: WriteSession) -> None:
        self.session = session
        self.facts = ReadModelRepository(session)

    async def quote(self, tenant_id: UUID, data: QuoteIn) -> QuoteOut:
        pricing = await PricingLoader(self.session).load(tenant_id, [data.household_id])
        pricer = Pricer(pricing)
        first = min(item.day for item in data.items)
        last = max(item.day for item in data.items)
        # Who else is there that day (for tariffs reduced by the children present together).
        together: dict[tuple[UUID, date], set[UUID]] = defaultdict(set)
        for cell in await self.facts.cells_of(tenant_id, data.household_id, first, last):
            if cell.state in _TAKING_A_PLACE:
                together[(cell.activity_id, cell.day)].add(cell.child_id)
        for item in data.items:
            together[(item.activity_id, item.day)].add(item.child_id)

        items: list[QuoteItemOut] = []
        per_child: dict[UUID, int] = defaultdict(int)
        errors: list[str] = []
        for item in data.items:
            child = pricing.children.get(item.child_id)
            if child is None or child.household_id != data.household_id:
                errors.append(f"enfant inconnu de ce foyer : {item.child_id}")
                continue
            priced = pricer.price(
                data.household_id,
                item.child_id,
                item.activity_id,
                item.day,
                CellInput(
                    state="booked", late=item.late, arrival=item.arrival, departure=item.departure
                ),
                same_day_children=sorted(together[(item.activity_id, item.day)], key=str),
            )
            if priced.error:
                errors.append(priced.error)
            per_child[item.child_id] += priced.price.amount_cents
            items.append(
                QuoteItemOut(
                    child_id=item.child_id,
                    activity_id=item.activity_id,
                    day=item.day,
                    late=item.late,
                    price=price_out(priced),
                )
            )
        total = sum(per_child.values())
        return QuoteOut(
            household_id=data.household_id,
            items=items,
            children=[
                ChildTotal(
                    child_id=child_id,
                    child_name=pricing.children[child_id].name,
                    total=cents_to_decimal(cents),
                    total_cents=cents,
                )
                for child_id, cents in per_child.items()
            ],
            total=cents_to_decimal(total),
            total_cents=total,
            errors=sorted(set(errors)),
        )
