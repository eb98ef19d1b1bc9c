"""Pages every French public site needs, linked from every page's footer: help with logging in,
the accessibility statement (RGAA), the privacy notice (RGPD) and the legal notice. The town's
own facts (its name, contacts, DPO, retention) come from its settings."""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from marelle_gateway.portal.layout import PortalPage

router = APIRouter(include_in_schema=False)
# Written by the accessibility test (tests/test_browser_accessibility.py) from its axe run.
AXE_REPORT = Path(__file__).resolve().parent.parent / "accessibility.json"


@cache
def axe_report() -> dict[str, Any]:
    report: dict[str, Any] = json.loads(AXE_REPORT.read_text(encoding="utf-8"))
    report["checked_on"] = date.fromisoformat(report["checked_on"])
    return report


@router.get("/aide", name="portal.help")
async def help_page(page: PortalPage) -> HTMLResponse:
    return page.render("portal/information/help.html")


@router.get("/accessibilite", name="portal.accessibility")
async def accessibility(page: PortalPage) -> HTMLResponse:
    return page.render("portal/information/accessibility.html", report=axe_report())


@router.get("/donnees-personnelles", name="portal.privacy")
async def privacy(page: PortalPage) -> HTMLResponse:
    return page.render("portal/information/privacy.html")


@router.get("/mentions-legales", name="portal.legal")
async def legal_notice(page: PortalPage) -> HTMLResponse:
    return page.render("portal/information/legal.html")
