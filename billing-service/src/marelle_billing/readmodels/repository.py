"""Queries of the read models fed by the family-service's and the booking-service's events."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col

from marelle_billing.models import (
    ActivityFact,
    BillingAccount,
    CellFactRow,
    ChildFact,
    GuardianFact,
    QuotientFact,
    RegisterFact,
    table_of,
)
from marelle_kit.database import WriteSession

_CELL_COLUMNS = (
    "tenant_id",
    "version",
    "household_id",
    "child_id",
    "activity_id",
    "day",
    "state",
    "late",
    "absence_reason",
    "absence_charge",
    "penalty_percent",
    "arrival",
    "departure",
    "free_of_charge",
)


def _insert(session: WriteSession, table: sa.Table) -> Any:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise RuntimeError(f"unsupported database {dialect}")  # pragma: no cover


class ReadModelRepository:
    def __init__(self, session: WriteSession) -> None:
        self.session = session

    async def tenant_by_slug(self, slug: str) -> UUID | None:
        from marelle_billing.models import tenants

        table = tenants.table
        found: UUID | None = await self.session.scalar(
            sa.select(table.c.id).where(table.c.slug == slug)
        )
        return found

    async def tenant_slug(self, tenant_id: UUID) -> str | None:
        from marelle_billing.models import tenants

        table = tenants.table
        found: str | None = await self.session.scalar(
            sa.select(table.c.slug).where(table.c.id == tenant_id)
        )
        return found

    async def count(self, model: Any, tenant_id: UUID) -> int:
        table = table_of(model)
        total = await self.session.scalar(
            sa.select(sa.func.count()).select_from(table).where(table.c.tenant_id == tenant_id)
        )
        return int(total or 0)

    # accounts ---------------------------------------------------------------------------------
    async def account(self, household_id: UUID) -> BillingAccount | None:
        return await self.session.get(BillingAccount, household_id)

    # children and guardians -------------------------------------------------------------------
    async def child(self, child_id: UUID) -> ChildFact | None:
        return await self.session.get(ChildFact, child_id)

    async def children_of(self, tenant_id: UUID, household_id: UUID) -> list[ChildFact]:
        return list(
            await self.session.scalars(
                sa.select(ChildFact).where(
                    col(ChildFact.tenant_id) == tenant_id,
                    col(ChildFact.household_id) == household_id,
                )
            )
        )

    async def guardian(self, guardian_id: UUID) -> GuardianFact | None:
        return await self.session.get(GuardianFact, guardian_id)

    async def guardians_of(self, tenant_id: UUID, household_id: UUID) -> list[GuardianFact]:
        return list(
            await self.session.scalars(
                sa.select(GuardianFact)
                .where(
                    col(GuardianFact.tenant_id) == tenant_id,
                    col(GuardianFact.household_id) == household_id,
                )
                .order_by(col(GuardianFact.rank))
            )
        )

    async def delete_guardians(self, household_id: UUID) -> None:
        await self.session.execute(
            sa.delete(GuardianFact).where(col(GuardianFact.household_id) == household_id)
        )

    async def add(self, item: Any) -> None:
        self.session.add(item)
        await self.session.flush()

    async def delete(self, item: Any) -> None:
        await self.session.delete(item)
        await self.session.flush()

    # quotients --------------------------------------------------------------------------------
    async def quotients_of(self, household_id: UUID) -> list[QuotientFact]:
        return list(
            await self.session.scalars(
                sa.select(QuotientFact).where(col(QuotientFact.household_id) == household_id)
            )
        )

    async def delete_quotients(
        self, household_id: UUID, *, ending_on_or_after: date | None
    ) -> None:
        """Forget the household's quotients; with a date, only those whose validity ends on or
        after it (a new fact supersedes them)."""
        query = sa.delete(QuotientFact).where(col(QuotientFact.household_id) == household_id)
        if ending_on_or_after is not None:
            query = query.where(
                sa.or_(
                    col(QuotientFact.valid_until).is_(None),
                    col(QuotientFact.valid_until) >= ending_on_or_after,
                )
            )
        await self.session.execute(query)

    # activities -------------------------------------------------------------------------------
    async def activity(self, activity_id: UUID) -> ActivityFact | None:
        return await self.session.get(ActivityFact, activity_id)

    async def activities(
        self, tenant_id: UUID, ids: Iterable[UUID] | None = None
    ) -> list[ActivityFact]:
        query = sa.select(ActivityFact).where(col(ActivityFact.tenant_id) == tenant_id)
        if ids is not None:
            query = query.where(col(ActivityFact.id).in_(list(ids)))
        return list(await self.session.scalars(query.order_by(col(ActivityFact.name))))

    # cells ------------------------------------------------------------------------------------
    async def upsert_cells(self, tenant_id: UUID, cells: Sequence[dict[str, Any]]) -> None:
        """Keep per cell the fact of the highest version: an older or equal version arriving
        late (or twice) changes nothing."""
        if not cells:
            return
        table = table_of(CellFactRow)
        rows = [
            {
                "id": cell["id"],
                **{k: cell[k] for k in _CELL_COLUMNS if k != "tenant_id"},
                "tenant_id": tenant_id,
            }
            for cell in cells
        ]
        statement = _insert(self.session, table)
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.id],
            set_={name: statement.excluded[name] for name in _CELL_COLUMNS},
            where=table.c.version < statement.excluded.version,
        )
        for start in range(0, len(rows), 500):
            await self.session.execute(statement, rows[start : start + 500])

    async def cell(self, cell_id: UUID) -> CellFactRow | None:
        return await self.session.get(CellFactRow, cell_id)

    async def cells_of(
        self, tenant_id: UUID, household_id: UUID, first_day: date, last_day: date
    ) -> list[CellFactRow]:
        return list(
            await self.session.scalars(
                sa.select(CellFactRow).where(
                    col(CellFactRow.tenant_id) == tenant_id,
                    col(CellFactRow.household_id) == household_id,
                    col(CellFactRow.day) >= first_day,
                    col(CellFactRow.day) <= last_day,
                )
            )
        )

    # registers --------------------------------------------------------------------------------
    async def register(self, register_id: UUID) -> RegisterFact | None:
        return await self.session.get(RegisterFact, register_id)

    async def set_register(
        self,
        tenant_id: UUID,
        register_id: UUID,
        activity_id: UUID,
        day: date,
        *,
        closed: bool,
        at: datetime,
    ) -> None:
        register = await self.register(register_id)
        if register is None:
            self.session.add(
                RegisterFact(
                    id=register_id,
                    tenant_id=tenant_id,
                    activity_id=activity_id,
                    day=day,
                    closed=closed,
                    changed_at=at,
                )
            )
        elif register.changed_at <= at:
            register.closed = closed
            register.changed_at = at
        await self.session.flush()

    async def closed_registers(
        self, tenant_id: UUID, activity_ids: Iterable[UUID], first_day: date, last_day: date
    ) -> set[tuple[UUID, date]]:
        rows = await self.session.execute(
            sa.select(col(RegisterFact.activity_id), col(RegisterFact.day)).where(
                col(RegisterFact.tenant_id) == tenant_id,
                col(RegisterFact.activity_id).in_(list(activity_ids)),
                col(RegisterFact.day) >= first_day,
                col(RegisterFact.day) <= last_day,
                col(RegisterFact.closed).is_(True),
            )
        )
        return {(row[0], row[1]) for row in rows}
