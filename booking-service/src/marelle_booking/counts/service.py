from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from marelle_booking.activities.service import ActivityService, SiteService
from marelle_booking.cells.repository import CellRepository
from marelle_booking.cells.schemas import STATUS_LABELS
from marelle_booking.cells.states import HOLDS_A_PLACE
from marelle_booking.counts.repository import CountRepository
from marelle_booking.counts.schemas import ExpectedChild, ExpectedList, MealCounts, MealLine
from marelle_booking.models import MealOrder
from marelle_kit.database import ReadSession
from marelle_kit.errors import NotFound
from marelle_kit.security import Principal

NORMAL_DIET = "normal"


def diet_label(code: str | None) -> str:
    if not code or code == NORMAL_DIET:
        return "Sans régime particulier"
    text = code.replace("_", " ")
    return text[:1].upper() + text[1:]


def _person(contact: dict[str, Any]) -> str:
    name = f"{contact.get('first_name', '')} {contact.get('last_name', '')}".strip()
    return f"{name} ({contact.get('relationship', '')}) {contact.get('phone', '')}".strip()


class CountService:
    def __init__(self, session: ReadSession) -> None:
        self.session = session
        self.counts = CountRepository(session)

    async def meals(
        self, tenant_id: UUID, first: date, last: date, site_id: UUID | None = None
    ) -> MealCounts:
        rows = await self.counts.meals(tenant_id, first, last, site_id)
        lines = [
            MealLine(
                day=day,
                site_id=site,
                site_name=name,
                diet=diet or NORMAL_DIET,
                diet_label=diet_label(diet),
                count=count,
            )
            for day, site, name, diet, count in rows
        ]
        return MealCounts(
            first_day=first, last_day=last, lines=lines, total=sum(line.count for line in lines)
        )

    async def send_order(
        self, principal: Principal, tenant_id: UUID, first: date, last: date
    ) -> MealOrder:
        """The count as sent to the caterer now, kept as a new dated version."""
        view = await self.meals(tenant_id, first, last)
        version = await self.counts.last_version(tenant_id, first, last) + 1
        return await self.counts.add(
            MealOrder(
                tenant_id=tenant_id,
                first_day=first,
                last_day=last,
                version=version,
                lines=[line.model_dump(mode="json") for line in view.lines],
                total=view.total,
                created_by=principal.subject,
            )
        )

    async def orders(self, tenant_id: UUID, first: date, last: date) -> list[MealOrder]:
        return await self.counts.orders(tenant_id, first, last)

    async def order(self, tenant_id: UUID, order_id: UUID) -> MealOrder:
        order = await self.counts.get(tenant_id, order_id)
        if order is None:
            raise NotFound("Cette commande n'existe pas.")
        return order

    async def expected(self, tenant_id: UUID, activity_id: UUID, day: date) -> ExpectedList:
        activity = await ActivityService(self.session).get(tenant_id, activity_id)
        site = await SiteService(self.session).get(tenant_id, activity.site_id)
        rows = await CellRepository(self.session).of_activity_day(
            tenant_id, activity_id, day, HOLDS_A_PLACE
        )
        children = [
            ExpectedChild(
                child_id=cell.child_id,
                first_name=child.first_name if child else "",
                last_name=child.last_name if child else "",
                school=child.school if child else None,
                level=child.level if child else None,
                diet=diet_label(child.diet) if child and child.diet else None,
                pai=bool(child and child.pai),
                state=STATUS_LABELS.get(cell.state, cell.state),
                pick_up=[_person(p) for p in (child.pick_up if child else [])],
            )
            for cell, child in rows
        ]
        return ExpectedList(
            activity_id=activity.id,
            activity_name=activity.name,
            site_name=site.name,
            day=day,
            children=children,
        )
