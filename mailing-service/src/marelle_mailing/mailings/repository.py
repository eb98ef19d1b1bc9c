from __future__ import annotations

from collections.abc import Collection
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from marelle_kit.repository import Page, Repository
from marelle_mailing.models import Mailing, MailingAttachment, StoredFile, Unsubscription


class MailingRepository(Repository[Mailing]):
    model = Mailing

    async def page(self, tenant_id: UUID, *, limit: int, offset: int) -> Page[Mailing]:
        return await self.paginate(
            self.scoped(tenant_id).order_by(col(Mailing.created_at).desc()),
            limit=limit,
            offset=offset,
        )

    async def attachments(
        self, mailing_id: UUID, *, shared: bool
    ) -> list[tuple[MailingAttachment, StoredFile]]:
        query = (
            sa.select(MailingAttachment, StoredFile)
            .join(StoredFile, col(StoredFile.id) == col(MailingAttachment.file_id))
            .where(col(MailingAttachment.mailing_id) == mailing_id)
            .order_by(col(StoredFile.name))
        )
        query = query.where(
            col(MailingAttachment.household_id).is_(None)
            if shared
            else col(MailingAttachment.household_id).is_not(None)
        )
        return [(a, f) for a, f in (await self.session.execute(query)).all()]

    async def attachment(self, mailing_id: UUID, attachment_id: UUID) -> MailingAttachment | None:
        return await self.session.scalar(
            sa.select(MailingAttachment).where(
                col(MailingAttachment.mailing_id) == mailing_id,
                col(MailingAttachment.id) == attachment_id,
            )
        )

    async def documents_of(self, mailing_id: UUID) -> dict[UUID, MailingAttachment]:
        """Each household's own document (the last one pushed wins)."""
        rows = await self.session.scalars(
            sa.select(MailingAttachment).where(
                col(MailingAttachment.mailing_id) == mailing_id,
                col(MailingAttachment.household_id).is_not(None),
            )
        )
        return {a.household_id: a for a in rows if a.household_id is not None}

    async def add_attachment(self, attachment: MailingAttachment) -> None:
        self.session.add(attachment)
        await self.session.flush()

    async def remove_attachment(self, attachment: MailingAttachment) -> None:
        await self.session.delete(attachment)
        await self.session.flush()

    async def erase_household(self, household_id: UUID) -> list[UUID]:
        files = list(
            await self.session.scalars(
                sa.select(col(MailingAttachment.file_id)).where(
                    col(MailingAttachment.household_id) == household_id
                )
            )
        )
        await self.session.execute(
            sa.delete(MailingAttachment).where(col(MailingAttachment.household_id) == household_id)
        )
        return files


class UnsubscriptionRepository(Repository[Unsubscription]):
    model = Unsubscription

    async def of(self, tenant_id: UUID, email: str) -> Unsubscription | None:
        return await self.get_one_or_none(
            self.scoped(tenant_id).where(col(Unsubscription.email) == email.lower())
        )

    async def among(self, tenant_id: UUID, emails: Collection[str]) -> set[str]:
        wanted = [e.lower() for e in emails]
        if not wanted:
            return set()
        rows = await self.session.scalars(
            sa.select(col(Unsubscription.email)).where(
                col(Unsubscription.tenant_id) == tenant_id, col(Unsubscription.email).in_(wanted)
            )
        )
        return set(rows)

    async def unsubscribe(self, tenant_id: UUID, email: str) -> None:
        """Once per address (two clicks at once: the unique constraint keeps one)."""
        try:
            async with self.session.begin_nested():
                self.session.add(Unsubscription(tenant_id=tenant_id, email=email.lower()))
                await self.session.flush()
        except IntegrityError:
            return

    async def forget(self, tenant_id: UUID, emails: Collection[str]) -> None:
        wanted = [e.lower() for e in emails]
        if wanted:
            await self.session.execute(
                sa.delete(Unsubscription).where(
                    col(Unsubscription.tenant_id) == tenant_id,
                    col(Unsubscription.email).in_(wanted),
                )
            )
