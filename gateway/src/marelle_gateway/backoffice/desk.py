"""The desk of a back-office area with forms: what its handlers share (the request, the page,
the staff member, the family client) and the three answers of the page pattern — the page
(``show``), the page again with a refused form open (``refused``), or back to it with a notice
(``done``). An area subclasses :class:`StaffDesk` and its handlers declare ``desk: Desk``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from fastapi import Request

from marelle_gateway.backoffice.layout import StaffPage
from marelle_gateway.clients.family import FamilyClient
from marelle_gateway.state import FamilyClientDep
from marelle_gateway.web.deps import Staff, StaffUser
from marelle_gateway.web.rendering import Page

D = TypeVar("D", bound="StaffDesk")


@dataclass(frozen=True)
class StaffDesk:
    request: Request
    page: Page
    staff: Staff
    family: FamilyClient


def desk_of(kind: type[D]) -> Callable[..., Awaitable[D]]:
    """The dependency that builds an area's desk."""

    async def build(
        request: Request, page: StaffPage, staff: StaffUser, family: FamilyClientDep
    ) -> D:
        return kind(request, page, staff, family)

    return build
