"""The staff member's own password: the current one, the new one with the checklist, and the
same two generators as the portal (one page for both audiences: web/passwords.py)."""

from __future__ import annotations

from marelle_gateway.backoffice.layout import staff_page
from marelle_gateway.backoffice.navigation import ANY_STAFF
from marelle_gateway.web import passwords
from marelle_gateway.web.deps import current_staff, require_roles

router = passwords.change_router(
    "/mon-mot-de-passe",
    "admin.password",
    person=current_staff,
    page=staff_page,
    back="admin.households",
    dependencies=[require_roles(ANY_STAFF)],
)
