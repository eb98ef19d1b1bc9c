from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import col, select

from marelle_kit.database import WriteSession
from marelle_kit.repository import Page, Repository
from marelle_mailing.models import DeliveryLane, Mail, MailFile, StoredFile


class MailRepository(Repository[Mail]):
    model = Mail

    async def by_dedup_key(self, key: str) -> Mail | None:
        return await self.session.scalar(select(Mail).where(col(Mail.dedup_key) == key))

    async def claim_due(self, now: datetime, limit: int, *, kind: str | None = None) -> list[Mail]:
        """Due mails, each claimed by one dispatcher (rows locked, others skipped)."""
        if limit <= 0:
            return []
        query = (
            select(Mail)
            .where(col(Mail.status) == "queued", col(Mail.next_attempt_at) <= now)
            .order_by(col(Mail.next_attempt_at))
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        if kind is not None:
            query = query.where(col(Mail.kind) == kind)
        return list(await self.session.scalars(query))

    async def lock(self, mail_id: UUID) -> Mail | None:
        return await self.session.scalar(
            select(Mail).where(col(Mail.id) == mail_id).with_for_update()
        )

    async def of_tenant(self, tenant_id: UUID, *, limit: int, offset: int) -> Page[Mail]:
        return await self.paginate(
            self.scoped(tenant_id).order_by(col(Mail.created_at).desc()),
            limit=limit,
            offset=offset,
        )

    async def of_mailing(
        self, tenant_id: UUID, mailing_id: UUID, *, status: str | None, limit: int, offset: int
    ) -> Page[Mail]:
        query = self.scoped(tenant_id).where(col(Mail.mailing_id) == mailing_id)
        if status is not None:
            query = query.where(col(Mail.status) == status)
        return await self.paginate(query.order_by(col(Mail.to_address)), limit=limit, offset=offset)

    async def status_counts(self, mailing_id: UUID) -> dict[str, int]:
        rows = await self.session.execute(
            sa.select(col(Mail.status), sa.func.count())
            .where(col(Mail.mailing_id) == mailing_id)
            .group_by(col(Mail.status))
        )
        return {status: int(count) for status, count in rows.all()}

    async def requeue_failed(self, tenant_id: UUID, mailing_id: UUID, now: datetime) -> int:
        result = await self.session.execute(
            sa.update(Mail)
            .where(
                col(Mail.tenant_id) == tenant_id,
                col(Mail.mailing_id) == mailing_id,
                col(Mail.status) == "failed",
            )
            .values(status="queued", attempts=0, next_attempt_at=now, last_error=None)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def by_unsubscribe_token(self, token: str) -> Mail | None:
        return await self.session.scalar(select(Mail).where(col(Mail.unsubscribe_token) == token))

    async def add_files(self, mail: Mail, file_ids: Iterable[UUID]) -> None:
        self.session.add_all([MailFile(mail_id=mail.id, file_id=f) for f in file_ids])
        await self.session.flush()

    async def files_of(self, mail_id: UUID) -> list[StoredFile]:
        return list(
            await self.session.scalars(
                select(StoredFile)
                .join(MailFile, col(MailFile.file_id) == col(StoredFile.id))
                .where(col(MailFile.mail_id) == mail_id)
                .order_by(col(StoredFile.name))
            )
        )

    async def erase_household(self, household_id: UUID) -> list[str]:
        """Delete the household's mails; returns their addresses (for the unsubscriptions)."""
        ids = list(
            await self.session.scalars(
                select(col(Mail.id)).where(col(Mail.household_id) == household_id)
            )
        )
        addresses = list(
            await self.session.scalars(
                select(col(Mail.to_address))
                .where(col(Mail.household_id) == household_id)
                .distinct()
            )
        )
        if ids:
            await self.session.execute(sa.delete(MailFile).where(col(MailFile.mail_id).in_(ids)))
            await self.session.execute(sa.delete(Mail).where(col(Mail.id).in_(ids)))
        return addresses


class LaneRepository:
    """The grouped mails' throttle: a fixed one-minute window on one locked row."""

    def __init__(self, session: WriteSession) -> None:
        self.session = session

    async def allowance(self, name: str, per_minute: int, now: datetime) -> DeliveryLane:
        lane = await self.session.scalar(
            select(DeliveryLane).where(col(DeliveryLane.name) == name).with_for_update()
        )
        if lane is None:
            lane = DeliveryLane(name=name, window_started_at=now, handed_in_window=0)
            self.session.add(lane)
            await self.session.flush()
        if now - lane.window_started_at >= timedelta(minutes=1):
            lane.window_started_at, lane.handed_in_window = now, 0
        return lane
