from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import col

from marelle_kit.repository import Page, Repository
from marelle_mailing.models import (
    Conversation,
    HouseholdCopy,
    Message,
    MessageAttachment,
    StoredFile,
)

OTHER_SIDE = {"household": "staff", "staff": "household"}


def _unread_of(reader_side: str) -> Any:
    """Per conversation: the other side's messages the reader has not opened."""
    return (
        sa.select(sa.func.count(col(Message.id)))
        .where(
            col(Message.conversation_id) == col(Conversation.id),
            col(Message.author_side) == OTHER_SIDE[reader_side],
            col(Message.read_at).is_(None),
        )
        .correlate(Conversation)
        .scalar_subquery()
    )


class ConversationRepository(Repository[Conversation]):
    model = Conversation

    async def lock(self, tenant_id: UUID, conversation_id: UUID) -> Conversation | None:
        return await self.get_for_update(tenant_id, conversation_id)

    async def search(
        self,
        tenant_id: UUID,
        *,
        reader_side: str,
        household_id: UUID | None = None,
        desk_ids: Collection[UUID] | None = None,
        status: str | None = None,
        assigned_to: str | None = None,
        unread_only: bool = False,
        text: str | None = None,
        limit: int,
        offset: int,
    ) -> tuple[list[tuple[Conversation, int, HouseholdCopy | None]], int]:
        unread = _unread_of(reader_side).label("unread")
        query = (
            sa.select(Conversation, unread, HouseholdCopy)
            .outerjoin(HouseholdCopy, col(HouseholdCopy.id) == col(Conversation.household_id))
            .where(col(Conversation.tenant_id) == tenant_id)
        )
        if household_id is not None:
            query = query.where(col(Conversation.household_id) == household_id)
        if desk_ids is not None:
            query = query.where(col(Conversation.desk_id).in_(list(desk_ids)))
        if status is not None:
            query = query.where(col(Conversation.status) == status)
        if assigned_to is not None:
            query = query.where(col(Conversation.assigned_to) == assigned_to)
        if unread_only:
            query = query.where(unread > 0)
        if text:
            pattern = f"%{text.lower()}%"
            in_messages = (
                sa.select(col(Message.id))
                .where(
                    col(Message.conversation_id) == col(Conversation.id),
                    sa.func.lower(col(Message.body)).like(pattern),
                )
                .correlate(Conversation)
                .exists()
            )
            matches = [sa.func.lower(col(Conversation.subject)).like(pattern), in_messages]
            if household_id is None:  # staff also search by family
                matches += [
                    sa.func.lower(col(HouseholdCopy.name)).like(pattern),
                    col(HouseholdCopy.family_number) == text,
                ]
            query = query.where(sa.or_(*matches))
        total = await self.session.scalar(
            sa.select(sa.func.count()).select_from(query.order_by(None).subquery())
        )
        rows = await self.session.execute(
            query.order_by(col(Conversation.last_message_at).desc()).limit(limit).offset(offset)
        )
        return [(c, int(n), h) for c, n, h in rows.all()], int(total or 0)

    async def unread_of(self, conversation_id: UUID, reader_side: str) -> int:
        return int(
            await self.session.scalar(
                sa.select(sa.func.count(col(Message.id))).where(
                    col(Message.conversation_id) == conversation_id,
                    col(Message.author_side) == OTHER_SIDE[reader_side],
                    col(Message.read_at).is_(None),
                )
            )
            or 0
        )

    async def unread_of_household(self, tenant_id: UUID, household_id: UUID) -> int:
        return int(
            await self.session.scalar(
                sa.select(sa.func.count(col(Message.id))).where(
                    col(Message.tenant_id) == tenant_id,
                    col(Message.household_id) == household_id,
                    col(Message.author_side) == "staff",
                    col(Message.read_at).is_(None),
                )
            )
            or 0
        )

    async def desk_counts(
        self, tenant_id: UUID, desk_ids: Collection[UUID] | None
    ) -> dict[UUID, tuple[int, int]]:
        """Per desk: (open conversations, unread family messages)."""
        opened = sa.select(col(Conversation.desk_id), sa.func.count()).where(
            col(Conversation.tenant_id) == tenant_id, col(Conversation.status) == "open"
        )
        unread = (
            sa.select(col(Conversation.desk_id), sa.func.count(col(Message.id)))
            .join(Message, col(Message.conversation_id) == col(Conversation.id))
            .where(
                col(Conversation.tenant_id) == tenant_id,
                col(Message.author_side) == "household",
                col(Message.read_at).is_(None),
            )
        )
        if desk_ids is not None:
            opened = opened.where(col(Conversation.desk_id).in_(list(desk_ids)))
            unread = unread.where(col(Conversation.desk_id).in_(list(desk_ids)))
        counts: dict[UUID, list[int]] = {}
        for desk_id, n in (
            await self.session.execute(opened.group_by(col(Conversation.desk_id)))
        ).all():
            counts.setdefault(desk_id, [0, 0])[0] = int(n)
        for desk_id, n in (
            await self.session.execute(unread.group_by(col(Conversation.desk_id)))
        ).all():
            counts.setdefault(desk_id, [0, 0])[1] = int(n)
        return {desk: (c[0], c[1]) for desk, c in counts.items()}

    async def of_household(self, household_id: UUID) -> list[Conversation]:
        return list(
            await self.session.scalars(
                sa.select(Conversation).where(col(Conversation.household_id) == household_id)
            )
        )


class MessageRepository(Repository[Message]):
    model = Message

    async def of_conversation(self, conversation_id: UUID) -> list[Message]:
        return list(
            await self.session.scalars(
                sa.select(Message)
                .where(col(Message.conversation_id) == conversation_id)
                .order_by(col(Message.id))
            )
        )

    async def mark_read(
        self, conversation_id: UUID, reader_side: str, up_to: UUID | None, now: datetime
    ) -> int:
        """Mark the other side's unread messages read, up to the last one the reader saw.

        One UPDATE guarded by ``read_at IS NULL``: concurrent readers never overwrite the first
        read time and never count a message twice; a message that arrived after the reader's
        page was drawn (an id above ``up_to``) stays unread."""
        query = sa.update(Message).where(
            col(Message.conversation_id) == conversation_id,
            col(Message.author_side) == OTHER_SIDE[reader_side],
            col(Message.read_at).is_(None),
        )
        if up_to is not None:
            query = query.where(col(Message.id) <= up_to)
        result = await self.session.execute(query.values(read_at=now))
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def attachments_of(
        self, message_ids: Collection[UUID]
    ) -> dict[UUID, list[tuple[MessageAttachment, StoredFile]]]:
        found: dict[UUID, list[tuple[MessageAttachment, StoredFile]]] = {m: [] for m in message_ids}
        if not message_ids:
            return found
        rows = await self.session.execute(
            sa.select(MessageAttachment, StoredFile)
            .join(StoredFile, col(StoredFile.id) == col(MessageAttachment.file_id))
            .where(col(MessageAttachment.message_id).in_(list(message_ids)))
            .order_by(col(StoredFile.name))
        )
        for attachment, stored in rows.all():
            found.setdefault(attachment.message_id, []).append((attachment, stored))
        return found

    async def attachment(
        self, tenant_id: UUID, conversation_id: UUID, attachment_id: UUID
    ) -> StoredFile | None:
        return await self.session.scalar(
            sa.select(StoredFile)
            .join(MessageAttachment, col(MessageAttachment.file_id) == col(StoredFile.id))
            .where(
                col(MessageAttachment.tenant_id) == tenant_id,
                col(MessageAttachment.conversation_id) == conversation_id,
                col(MessageAttachment.id) == attachment_id,
            )
        )

    async def erase_conversations(self, conversation_ids: Collection[UUID]) -> list[UUID]:
        """Delete conversations with their messages; returns their attachments' file ids."""
        ids = list(conversation_ids)
        if not ids:
            return []
        files = list(
            await self.session.scalars(
                sa.select(col(MessageAttachment.file_id)).where(
                    col(MessageAttachment.conversation_id).in_(ids)
                )
            )
        )
        await self.session.execute(
            sa.delete(MessageAttachment).where(col(MessageAttachment.conversation_id).in_(ids))
        )
        await self.session.execute(sa.delete(Message).where(col(Message.conversation_id).in_(ids)))
        await self.session.execute(sa.delete(Conversation).where(col(Conversation.id).in_(ids)))
        return files


def page_of(items: list[Any], total: int, limit: int, offset: int) -> Page[Any]:
    return Page(items=items, total=total, limit=limit, offset=offset)
