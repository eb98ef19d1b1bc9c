from __future__ import annotations

from datetime import date
from uuid import UUID

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col

from marelle_booking.models import Register
from marelle_booking.repository import BookingRepository
from marelle_kit.clock import utcnow
from marelle_kit.ids import new_id


class RegisterRepository(BookingRepository[Register]):
    model = Register

    async def find(
        self, tenant_id: UUID, activity_id: UUID, day: date, *, lock: bool = False
    ) -> Register | None:
        query = self.scoped(tenant_id).where(
            col(Register.activity_id) == activity_id, col(Register.day) == day
        )
        if lock:
            return (await self.writer.scalars(query.with_for_update().limit(2))).one_or_none()
        return await self.get_one_or_none(query)

    async def ensure(self, tenant_id: UUID, activity_id: UUID, day: date) -> Register:
        """The day's register, created if needed, locked: marks and closing are serialised."""
        values = {
            "id": new_id(),
            "tenant_id": tenant_id,
            "activity_id": activity_id,
            "day": day,
            "status": "open",
            "reopened_times": 0,
            "created_at": utcnow(),
        }
        dialect = self.session.get_bind().dialect.name
        insert = (postgresql if dialect == "postgresql" else sqlite).insert(Register).values(values)
        await self.writer.execute(
            insert.on_conflict_do_nothing(index_elements=["activity_id", "day"])
        )
        register = await self.find(tenant_id, activity_id, day, lock=True)
        assert register is not None
        return register
