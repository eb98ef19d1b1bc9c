"""Every query on booking cells, their history and the capacity counters."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col

from marelle_booking.cells.states import HOLDS_A_PLACE
from marelle_booking.models import BookingCell, CapacityCounter, CellChange, ChildView
from marelle_contracts import CellState
from marelle_kit.ids import new_id
from marelle_kit.repository import Repository

CapacityKey = tuple[UUID, date, str]  # activity, day, group

_PLACE_VALUES = [state.value for state in HOLDS_A_PLACE]


class CellRepository(Repository[BookingCell]):
    model = BookingCell

    async def of_household(
        self, tenant_id: UUID, household_id: UUID, first: date, last: date
    ) -> list[BookingCell]:
        """A household's cells over days (the grid): current ones and history, oldest first,
        so a later cell of the same child, activity and day comes after an earlier one."""
        return list(
            await self.session.scalars(
                self.scoped(tenant_id)
                .where(
                    col(BookingCell.household_id) == household_id,
                    col(BookingCell.day) >= first,
                    col(BookingCell.day) <= last,
                )
                .order_by(col(BookingCell.requested_at), col(BookingCell.id))
            )
        )

    async def live_for_update(self, tenant_id: UUID, ids: Collection[UUID]) -> list[BookingCell]:
        if not ids:
            return []
        return list(
            await self.writer.scalars(
                self.scoped(tenant_id)
                .where(col(BookingCell.id).in_(list(ids)))
                .order_by(col(BookingCell.id))
                .with_for_update()
            )
        )

    async def of_activity_day(
        self, tenant_id: UUID, activity_id: UUID, day: date, states: Collection[CellState]
    ) -> list[tuple[BookingCell, ChildView | None]]:
        query = (
            sa.select(BookingCell, ChildView)
            .join(ChildView, col(ChildView.id) == col(BookingCell.child_id), isouter=True)
            .where(
                col(BookingCell.tenant_id) == tenant_id,
                col(BookingCell.activity_id) == activity_id,
                col(BookingCell.day) == day,
                col(BookingCell.state).in_([s.value for s in states]),
            )
            .order_by(col(ChildView.last_name), col(ChildView.first_name), col(BookingCell.id))
        )
        return [(cell, child) for cell, child in (await self.session.execute(query)).all()]

    async def in_range(
        self,
        tenant_id: UUID,
        first: date,
        last: date,
        *,
        states: Collection[CellState],
        activity_ids: Collection[UUID] | None = None,
        child_ids: Collection[UUID] | None = None,
        for_update: bool = False,
    ) -> list[BookingCell]:
        query = self.scoped(tenant_id).where(
            col(BookingCell.day) >= first,
            col(BookingCell.day) <= last,
            col(BookingCell.state).in_([s.value for s in states]),
        )
        if activity_ids is not None:
            query = query.where(col(BookingCell.activity_id).in_(list(activity_ids)))
        if child_ids is not None:
            query = query.where(col(BookingCell.child_id).in_(list(child_ids)))
        query = query.order_by(
            col(BookingCell.activity_id), col(BookingCell.day), col(BookingCell.id)
        )
        if for_update:
            return list(await self.writer.scalars(query.with_for_update()))
        return list(await self.session.scalars(query))

    async def first_in_line(
        self, tenant_id: UUID, activity_id: UUID, day: date, group_code: str
    ) -> BookingCell | None:
        """The waiting list's head: priority class first, then who asked first (locked)."""
        found = await self.writer.scalars(
            self.scoped(tenant_id)
            .where(
                col(BookingCell.activity_id) == activity_id,
                col(BookingCell.day) == day,
                col(BookingCell.group_code) == group_code,
                col(BookingCell.state) == CellState.WAITLISTED.value,
            )
            .order_by(
                col(BookingCell.priority_class),
                col(BookingCell.requested_at),
                col(BookingCell.id),
            )
            .limit(1)
            .with_for_update()
        )
        return found.first()

    async def waiting_list(
        self, tenant_id: UUID, activity_id: UUID, day: date
    ) -> list[BookingCell]:
        return list(
            await self.session.scalars(
                self.scoped(tenant_id)
                .where(
                    col(BookingCell.activity_id) == activity_id,
                    col(BookingCell.day) == day,
                    col(BookingCell.state) == CellState.WAITLISTED.value,
                )
                .order_by(
                    col(BookingCell.group_code),
                    col(BookingCell.priority_class),
                    col(BookingCell.requested_at),
                    col(BookingCell.id),
                )
            )
        )

    async def waiting_counts(
        self, tenant_id: UUID, keys: Collection[CapacityKey]
    ) -> dict[CapacityKey, int]:
        if not keys:
            return {}
        activity_ids = sorted({k[0] for k in keys})
        days = sorted({k[1] for k in keys})
        rows = await self.session.execute(
            sa.select(
                col(BookingCell.activity_id),
                col(BookingCell.day),
                col(BookingCell.group_code),
                sa.func.count(),
            )
            .where(
                col(BookingCell.tenant_id) == tenant_id,
                col(BookingCell.activity_id).in_(activity_ids),
                col(BookingCell.day) >= days[0],
                col(BookingCell.day) <= days[-1],
                col(BookingCell.state) == CellState.WAITLISTED.value,
            )
            .group_by(
                col(BookingCell.activity_id), col(BookingCell.day), col(BookingCell.group_code)
            )
        )
        return {(a, d, g): int(n) for a, d, g, n in rows if (a, d, g) in keys}

    async def count_by_state(self, tenant_id: UUID, activity_id: UUID, day: date) -> dict[str, int]:
        rows = await self.session.execute(
            sa.select(col(BookingCell.state), sa.func.count())
            .where(
                col(BookingCell.tenant_id) == tenant_id,
                col(BookingCell.activity_id) == activity_id,
                col(BookingCell.day) == day,
            )
            .group_by(col(BookingCell.state))
        )
        return {state: int(n) for state, n in rows}

    async def with_proof_overdue(self, today: date) -> list[BookingCell]:
        """Absences whose proof did not arrive by its due date (every tenant: a job)."""
        return list(
            await self.writer.scalars(
                sa.select(BookingCell)
                .where(
                    col(BookingCell.proof_due) < today,
                    col(BookingCell.proof_received_at).is_(None),
                    col(BookingCell.state).in_(
                        [CellState.ABSENT_EXCUSED.value, CellState.ABSENT_UNEXCUSED.value]
                    ),
                )
                .order_by(col(BookingCell.tenant_id), col(BookingCell.household_id))
                .with_for_update()
            )
        )

    async def waiting_past(self, today: date) -> list[BookingCell]:
        """Waiting-list entries and requests of days gone by (every tenant: a job)."""
        return list(
            await self.writer.scalars(
                sa.select(BookingCell)
                .where(
                    col(BookingCell.day) < today,
                    col(BookingCell.state).in_(
                        [CellState.WAITLISTED.value, CellState.REQUESTED.value]
                    ),
                )
                .order_by(col(BookingCell.tenant_id), col(BookingCell.household_id))
                .with_for_update()
            )
        )

    async def pending_absences(self, tenant_id: UUID, *, limit: int) -> list[BookingCell]:
        return list(
            await self.session.scalars(
                self.scoped(tenant_id)
                .where(
                    sa.or_(
                        col(BookingCell.absence_pending).is_(True),
                        sa.and_(
                            col(BookingCell.proof_due).is_not(None),
                            col(BookingCell.proof_received_at).is_(None),
                        ),
                    ),
                    col(BookingCell.state).in_(
                        [CellState.ABSENT_EXCUSED.value, CellState.ABSENT_UNEXCUSED.value]
                    ),
                )
                .order_by(col(BookingCell.day), col(BookingCell.id))
                .limit(limit)
            )
        )

    async def requests(self, tenant_id: UUID, *, limit: int) -> list[BookingCell]:
        return list(
            await self.session.scalars(
                self.scoped(tenant_id)
                .where(col(BookingCell.state) == CellState.REQUESTED.value)
                .order_by(col(BookingCell.day), col(BookingCell.requested_at))
                .limit(limit)
            )
        )

    async def history(self, tenant_id: UUID, cell_id: UUID) -> list[CellChange]:
        return list(
            await self.session.scalars(
                sa.select(CellChange)
                .where(col(CellChange.tenant_id) == tenant_id, col(CellChange.cell_id) == cell_id)
                .order_by(col(CellChange.version))
            )
        )

    async def record_changes(self, changes: Sequence[CellChange]) -> None:
        self.writer.add_all(changes)
        await self.writer.flush()

    async def save_cells(self, cells: Sequence[BookingCell]) -> None:
        self.writer.add_all(cells)
        await self.writer.flush()


class CapacityRepository(Repository[CapacityCounter]):
    model = CapacityCounter

    async def counters(
        self, tenant_id: UUID, activity_ids: Collection[UUID], first: date, last: date
    ) -> dict[CapacityKey, CapacityCounter]:
        if not activity_ids:
            return {}
        rows = await self.session.scalars(
            self.scoped(tenant_id).where(
                col(CapacityCounter.activity_id).in_(list(activity_ids)),
                col(CapacityCounter.day) >= first,
                col(CapacityCounter.day) <= last,
            )
        )
        return {(c.activity_id, c.day, c.group_code): c for c in rows}

    def _upsert(self, values: dict[str, Any]) -> Any:
        dialect = self.session.get_bind().dialect.name
        if dialect == "postgresql":
            return postgresql.insert(CapacityCounter).values(values)
        if dialect == "sqlite":
            return sqlite.insert(CapacityCounter).values(values)
        raise RuntimeError(f"unsupported database {dialect}")  # pragma: no cover

    async def take(
        self, tenant_id: UUID, key: CapacityKey, limit: int | None, *, force: bool = False
    ) -> bool:
        """Take one place of ``key`` if one is left (``limit`` None: no limit), atomically.

        One statement: insert the counter at 1, or add 1 to it while ``taken`` is under the
        day's override, else ``limit``. On PostgreSQL the conflicting row is locked and the
        condition re-read once a concurrent writer commits, so the last place goes to exactly
        one of them. ``force`` (the roll call's unexpected child) ignores the limit."""
        activity_id, day, group_code = key
        table = CapacityCounter.__table__  # type: ignore[attr-defined]
        override = table.c.limit_override
        condition: sa.ColumnElement[bool] | None
        if force:
            condition = None
        elif limit is None:
            condition = sa.or_(override.is_(None), table.c.taken < override)
        else:
            condition = table.c.taken < sa.func.coalesce(override, limit)
        if not force and limit is not None and limit <= 0:
            # No first place to insert: only a day whose override allows it can be taken.
            update = (
                sa.update(table)
                .where(
                    table.c.activity_id == activity_id,
                    table.c.day == day,
                    table.c.group_code == group_code,
                    table.c.taken < sa.func.coalesce(override, limit),
                )
                .values(taken=table.c.taken + 1)
                .returning(table.c.taken)
            )
            return await self.writer.scalar(update) is not None
        statement = (
            self._upsert(
                {
                    "id": new_id(),
                    "tenant_id": tenant_id,
                    "activity_id": activity_id,
                    "day": day,
                    "group_code": group_code,
                    "taken": 1,
                }
            )
            .on_conflict_do_update(
                index_elements=["activity_id", "day", "group_code"],
                set_={"taken": table.c.taken + 1},
                where=condition,
            )
            .returning(table.c.taken)
        )
        return await self.writer.scalar(statement) is not None

    async def release(self, tenant_id: UUID, key: CapacityKey) -> None:
        activity_id, day, group_code = key
        await self.writer.execute(
            sa.update(CapacityCounter)
            .where(
                col(CapacityCounter.tenant_id) == tenant_id,
                col(CapacityCounter.activity_id) == activity_id,
                col(CapacityCounter.day) == day,
                col(CapacityCounter.group_code) == group_code,
                col(CapacityCounter.taken) > 0,
            )
            .values(taken=col(CapacityCounter.taken) - 1)
        )

    async def set_override(self, tenant_id: UUID, key: CapacityKey, limit: int | None) -> None:
        activity_id, day, group_code = key
        statement = self._upsert(
            {
                "id": new_id(),
                "tenant_id": tenant_id,
                "activity_id": activity_id,
                "day": day,
                "group_code": group_code,
                "taken": 0,
                "limit_override": limit,
            }
        ).on_conflict_do_update(
            index_elements=["activity_id", "day", "group_code"],
            set_={"limit_override": limit},
        )
        await self.writer.execute(statement)

    async def places_held(self, tenant_id: UUID, activity_id: UUID, day: date) -> dict[str, int]:
        """Cells holding a place, per group (what the counters must equal)."""
        rows = await self.session.execute(
            sa.select(col(BookingCell.group_code), sa.func.count())
            .where(
                col(BookingCell.tenant_id) == tenant_id,
                col(BookingCell.activity_id) == activity_id,
                col(BookingCell.day) == day,
                col(BookingCell.state).in_(_PLACE_VALUES),
            )
            .group_by(col(BookingCell.group_code))
        )
        return {group: int(n) for group, n in rows}
