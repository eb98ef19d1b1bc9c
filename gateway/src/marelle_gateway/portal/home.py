"""The parent's home page: the household at a glance, what awaits the town, the town's own
word and how to reach it."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from marelle_gateway.portal.layout import PortalPage
from marelle_gateway.state import FamilyClientDep
from marelle_gateway.web.deps import CurrentParent

router = APIRouter(include_in_schema=False)


@router.get("/accueil", name="portal.home")
async def home(parent: CurrentParent, family: FamilyClientDep, page: PortalPage) -> HTMLResponse:
    household, requests, documents = await asyncio.gather(
        family.household(parent, parent.household_id),
        family.requests_of(parent, parent.household_id),
        family.documents(parent, parent.household_id),
    )
    return page.render(
        "portal/home/home.html",
        household=household,
        pending=sum(1 for r in requests if r.status == "pending"),
        documents=len(documents),
        children_to_validate=sum(1 for c in household.children if c.validated_at is None),
    )
