"""The portal's login (its home page), the OIDC callback, and logout (web/login.py). A staff
account is told it is one, with the way to the back office."""

from __future__ import annotations

from marelle_gateway.portal.layout import portal_page
from marelle_gateway.web.login import login_router
from marelle_gateway.web.rendering import Page
from marelle_gateway.web.session import SessionUser


def families_only(user: SessionUser) -> str | None:
    return None if user.household_id is not None else "staff-account"


def portal_address(page: Page) -> str:
    return page.settings.public_url.rstrip("/")


router = login_router(
    audience="portal",
    names="portal.",
    page=portal_page,
    template="portal/login/login.html",
    home="portal.home",
    base_url=portal_address,
    admit=families_only,
    callback_path="/auth/callback",
)
