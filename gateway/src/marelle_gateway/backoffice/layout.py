"""The back office's layout: the page its handlers render with (tenant, staff member, their
navigation), and the error page in the same layout."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends

from marelle_gateway.backoffice.navigation import entries_for
from marelle_gateway.web.rendering import Page, error_renderer, page_dependency
from marelle_gateway.web.session import SessionUser


def layout(user: SessionUser | None) -> dict[str, Any]:
    entries = entries_for(user.roles) if user is not None and user.is_staff else ()
    navigation = tuple((entry.label, entry.route, entry.prefix) for entry in entries)
    return {
        "layout": "backoffice/layout.html",
        "navigation": navigation,
        "home_route": "admin.login",
    }


staff_page = page_dependency(layout)
StaffPage = Annotated[Page, Depends(staff_page)]
render_error = error_renderer(layout)
