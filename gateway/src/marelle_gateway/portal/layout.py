"""The portal's layout: the page every portal handler renders with (tenant, signed-in parent,
their navigation), and the error page in the same layout."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends

from marelle_gateway.web.rendering import Page, error_renderer, page_dependency
from marelle_gateway.web.session import SessionUser

# (label, route name, path prefix it also covers): the signed-in parent's navigation.
NAVIGATION = (
    ("Accueil", "portal.home", ""),
    ("Mon foyer", "portal.household", ""),
    ("Mes enfants", "portal.children", ""),
    ("Mes demandes", "portal.requests", ""),
    ("Mon mot de passe", "portal.password", ""),
)


def layout(user: SessionUser | None) -> dict[str, Any]:
    parent = user is not None and user.household_id is not None
    return {
        "layout": "portal/layout.html",
        "navigation": NAVIGATION if parent else (),
        "home_route": "portal.login",
    }


portal_page = page_dependency(layout)
PortalPage = Annotated[Page, Depends(portal_page)]
render_error = error_renderer(layout)
