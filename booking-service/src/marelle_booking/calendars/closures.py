"""Closures (and the staff's bulk cancellations, which are closures of a class): declaring
one cancels the booked cells it covers, free of charge, with one event."""

from __future__ import annotations

from collections import Counter
from datetime import date
from uuid import UUID

from marelle_booking.activities.repository import ActivityRepository, SiteRepository
from marelle_booking.calendars.repository import ClosureRepository
from marelle_booking.calendars.schemas import ClosureIn, ClosurePreview
from marelle_booking.cells.staff import StaffBookingService
from marelle_booking.cells.writer import Actor, today
from marelle_booking.models import Closure
from marelle_booking.problems import SettingsConflict, UnknownActivity
from marelle_contracts import ChangeOrigin
from marelle_kit.database import ReadSession
from marelle_kit.errors import NotFound
from marelle_kit.security import Principal


class ClosureService:
    def __init__(self, session: ReadSession) -> None:
        self.session = session
        self.closures = ClosureRepository(session)

    async def _closure(self, principal: Principal, tenant_id: UUID, data: ClosureIn) -> Closure:
        if data.first_day < today():
            raise SettingsConflict(
                "Une fermeture commence aujourd'hui au plus tôt : les jours passés relèvent de "
                "l'appel (présences et absences)."
            )
        if (
            data.site_id is not None
            and await SiteRepository(self.session).get(tenant_id, data.site_id) is None
        ):
            raise NotFound("Ce site n'existe pas.")
        if data.activity_id is not None:
            activity = await ActivityRepository(self.session).get(tenant_id, data.activity_id)
            if activity is None:
                raise UnknownActivity("Cette activité n'existe pas.")
            if data.site_id is not None and activity.site_id != data.site_id:
                raise SettingsConflict("Cette activité n'a pas lieu sur ce site.")
        return Closure(tenant_id=tenant_id, created_by=principal.subject, **data.model_dump())

    async def preview(
        self, principal: Principal, tenant_id: UUID, data: ClosureIn
    ) -> ClosurePreview:
        closure = await self._closure(principal, tenant_id, data)
        cells = await StaffBookingService(self.session).closure_cells(tenant_id, closure)
        return ClosurePreview(
            cells_to_cancel=len(cells),
            households=len({c.household_id for c in cells}),
            by_day=dict(sorted(Counter(c.day for c in cells).items())),
        )

    async def declare(self, principal: Principal, tenant_id: UUID, data: ClosureIn) -> Closure:
        closure = await self.closures.add(await self._closure(principal, tenant_id, data))
        await StaffBookingService(self.session).close(
            tenant_id, closure, Actor(principal.subject, ChangeOrigin.CLOSURE, staff=True)
        )
        return closure

    async def in_period(self, tenant_id: UUID, first: date, last: date) -> list[Closure]:
        return await self.closures.overlapping(tenant_id, first, last)

    async def lift(self, tenant_id: UUID, closure_id: UUID) -> None:
        """The days may be booked again; what the closure cancelled stays cancelled."""
        closure = await self.closures.get(tenant_id, closure_id)
        if closure is None:
            raise NotFound("Cette fermeture n'existe pas.")
        if closure.last_day < today():
            raise SettingsConflict("Une fermeture passée reste dans l'historique.")
        await self.closures.delete(closure)
