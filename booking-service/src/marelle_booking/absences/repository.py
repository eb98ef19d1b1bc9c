from __future__ import annotations

from uuid import UUID

from sqlmodel import col

from marelle_booking.models import AbsenceReason
from marelle_booking.repository import BookingRepository


class AbsenceReasonRepository(BookingRepository[AbsenceReason]):
    model = AbsenceReason

    async def of_tenant(self, tenant_id: UUID) -> list[AbsenceReason]:
        return list(
            await self.session.scalars(
                self.scoped(tenant_id).order_by(
                    col(AbsenceReason.position), col(AbsenceReason.label)
                )
            )
        )

    async def by_code(self, tenant_id: UUID, code: str) -> AbsenceReason | None:
        return await self.get_one_or_none(
            self.scoped(tenant_id).where(col(AbsenceReason.code) == code)
        )

    async def save_all(self, reasons: list[AbsenceReason]) -> None:
        await self.add_all(reasons)
