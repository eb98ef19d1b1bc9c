"""Messaging between a household and one service of the town (seed 001 §7, seed 004
« Boîte de réception »).

Object checks: a parent reaches only its household's conversations, staff only their tenant's
and, when the tenant restricts it, only their services'; anything else is a 404 (never a 403
that would confirm it exists). Unread counts are counted from the messages' read times, never
kept as counters, so concurrent readers and writers cannot make them drift."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from marelle_kit.clock import utcnow
from marelle_kit.database import WriteSession
from marelle_kit.errors import InvalidPayload, NotFound
from marelle_kit.security import Principal
from marelle_mailing import catalogue
from marelle_mailing.composing.context import Links, recipients_of
from marelle_mailing.configuration.service import Configuration
from marelle_mailing.directory.repository import GuardianRepository, HouseholdRepository
from marelle_mailing.files.service import Files
from marelle_mailing.mails.service import MailQueue
from marelle_mailing.messaging.repository import ConversationRepository, MessageRepository
from marelle_mailing.messaging.schemas import (
    AttachmentOut,
    ConversationOut,
    ConversationPage,
    ConversationSummary,
    DeskCounts,
    MessageOut,
    Side,
)
from marelle_mailing.models import Conversation, Desk, HouseholdCopy, Message, MessageAttachment
from marelle_mailing.settings import MailingSettings

MAX_ATTACHMENTS = 5


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes


@dataclass(frozen=True)
class Reader:
    """Who reads: a household's parent, or staff (with the services they may see)."""

    principal: Principal
    side: Side
    household_id: UUID | None = None
    desk_ids: frozenset[UUID] | None = None  # None: every service of the tenant


class Messaging:
    def __init__(self, session: WriteSession, settings: MailingSettings) -> None:
        self.session = session
        self.settings = settings
        self.conversations = ConversationRepository(session)
        self.messages = MessageRepository(session)
        self.config = Configuration(session)
        self.files = Files(session, settings)

    async def staff_reader(self, principal: Principal, tenant_id: UUID) -> Reader:
        visible = await self.config.visible_desks(principal, tenant_id)
        return Reader(
            principal, "staff", desk_ids=frozenset(visible) if visible is not None else None
        )

    @staticmethod
    def parent_reader(principal: Principal, household_id: UUID) -> Reader:
        return Reader(principal, "household", household_id=household_id)

    def _may_see(self, reader: Reader, conversation: Conversation) -> bool:
        if reader.side == "household":
            return conversation.household_id == reader.household_id
        return reader.desk_ids is None or conversation.desk_id in reader.desk_ids

    async def _conversation(
        self, reader: Reader, tenant_id: UUID, conversation_id: UUID, *, lock: bool = False
    ) -> Conversation:
        found = (
            await self.conversations.lock(tenant_id, conversation_id)
            if lock
            else await self.conversations.get(tenant_id, conversation_id)
        )
        if found is None or not self._may_see(reader, found):
            raise NotFound(catalogue.CONVERSATION_NOT_FOUND)
        return found

    async def _household(self, tenant_id: UUID, household_id: UUID) -> HouseholdCopy:
        household = await HouseholdRepository(self.session).get(tenant_id, household_id)
        if household is None or household.erased_at is not None:
            raise NotFound(catalogue.HOUSEHOLD_NOT_FOUND, field="household_id")
        return household

    # --- writing ---------------------------------------------------------------------------

    async def start(
        self,
        reader: Reader,
        tenant_id: UUID,
        *,
        household_id: UUID,
        desk_id: UUID,
        subject: str,
        body: str,
        uploads: list[Upload],
    ) -> ConversationOut:
        desk = await self.config.desk(tenant_id, desk_id, active_only=reader.side == "household")
        if reader.desk_ids is not None and desk.id not in reader.desk_ids:
            raise NotFound(catalogue.DESK_NOT_FOUND, field="desk_id")
        household = await self._household(tenant_id, household_id)
        conversation = Conversation(
            tenant_id=tenant_id,
            household_id=household.id,
            desk_id=desk.id,
            subject=subject,
            started_by=reader.side,
            assigned_to=reader.principal.subject if reader.side == "staff" else None,
        )
        await self.conversations.add(conversation)
        await self._write(reader, conversation, desk, household, body, uploads)
        return await self.view(reader, tenant_id, conversation.id)

    async def post(
        self,
        reader: Reader,
        tenant_id: UUID,
        conversation_id: UUID,
        body: str,
        uploads: list[Upload],
    ) -> MessageOut:
        # The conversation's row is locked: a close and a message cannot cross.
        conversation = await self._conversation(reader, tenant_id, conversation_id, lock=True)
        if conversation.status == "closed":
            raise catalogue.ConversationClosed(
                catalogue.CLOSED_FOR_FAMILY
                if reader.side == "household"
                else catalogue.CLOSED_FOR_STAFF
            )
        desk = await self.config.desk(tenant_id, conversation.desk_id)
        household = await self._household(tenant_id, conversation.household_id)
        message = await self._write(reader, conversation, desk, household, body, uploads)
        [view] = await self._message_views([message], reader.side, desk)
        return view

    async def _write(
        self,
        reader: Reader,
        conversation: Conversation,
        desk: Desk,
        household: HouseholdCopy,
        body: str,
        uploads: list[Upload],
    ) -> Message:
        if len(uploads) > MAX_ATTACHMENTS:
            raise InvalidPayload(
                "files", catalogue.TOO_MANY_ATTACHMENTS.format(count=MAX_ATTACHMENTS)
            )
        if reader.side == "staff":
            name = (
                await self.config.display_name(conversation.tenant_id, reader.principal.subject)
                or desk.name
            )
        else:
            name = household.name or catalogue.FAMILY_AUTHOR
        message = Message(
            tenant_id=conversation.tenant_id,
            conversation_id=conversation.id,
            household_id=conversation.household_id,
            author_side=reader.side,
            author_subject=reader.principal.subject,
            author_name=name,
            body=body,
        )
        await self.messages.add(message)
        for upload in uploads:
            stored = await self.files.add(
                conversation.tenant_id, upload.name, upload.data, reader.principal.subject, "files"
            )
            self.session.add(
                MessageAttachment(
                    tenant_id=conversation.tenant_id,
                    message_id=message.id,
                    conversation_id=conversation.id,
                    file_id=stored.id,
                )
            )
        conversation.last_message_at = message.created_at
        await self.conversations.add(conversation)
        await self._notify(conversation, desk, household, message)
        return message

    async def _notify(
        self, conversation: Conversation, desk: Desk, household: HouseholdCopy, message: Message
    ) -> None:
        """A mail to the other side (without the text when the tenant says so)."""
        tenant_id = conversation.tenant_id
        settings = await self.config.of(tenant_id)
        links = Links(self.session, self.settings)
        context = {
            "foyer": household.name,
            "numero_famille": household.family_number,
            "service": desk.name,
            "objet": conversation.subject,
            "message": message.body if settings.notify_with_message_body else "",
        }
        queue = MailQueue(self.session, self.settings)
        if message.author_side == "household":
            if desk.notification_email:
                await queue.from_template(
                    tenant_id,
                    "message_to_service",
                    {
                        **context,
                        "lien": await links.page(
                            tenant_id, "staff_messages", f"/{conversation.id}"
                        ),
                    },
                    to=desk.notification_email,
                    dedup_key=f"message:{message.id}:{desk.notification_email}",
                    household_id=None,
                )
            return
        guardians = await GuardianRepository(self.session).of_household(tenant_id, household.id)
        link = await links.page(tenant_id, "messages", f"/{conversation.id}")
        for recipient in recipients_of(guardians):
            await queue.from_template(
                tenant_id,
                "message_to_family",
                {**context, "prenom": recipient.first_name, "lien": link},
                to=recipient.address,
                dedup_key=f"message:{message.id}:{recipient.address}",
                household_id=household.id,
            )

    async def read(
        self, reader: Reader, tenant_id: UUID, conversation_id: UUID, up_to: UUID | None
    ) -> int:
        """Mark read what the reader saw; returns what stays unread for them."""
        conversation = await self._conversation(reader, tenant_id, conversation_id)
        await self.messages.mark_read(conversation.id, reader.side, up_to, utcnow())
        return await self.conversations.unread_of(conversation.id, reader.side)

    async def assign(
        self, reader: Reader, tenant_id: UUID, conversation_id: UUID, staff_subject: str | None
    ) -> ConversationOut:
        conversation = await self._conversation(reader, tenant_id, conversation_id, lock=True)
        conversation.assigned_to = staff_subject
        await self.conversations.add(conversation)
        return await self.view(reader, tenant_id, conversation_id)

    async def close(
        self, reader: Reader, tenant_id: UUID, conversation_id: UUID
    ) -> ConversationOut:
        conversation = await self._conversation(reader, tenant_id, conversation_id, lock=True)
        if conversation.status == "closed":
            raise catalogue.ConversationState(catalogue.ALREADY_CLOSED)
        conversation.status, conversation.closed_at = "closed", utcnow()
        await self.conversations.add(conversation)
        return await self.view(reader, tenant_id, conversation_id)

    async def reopen(
        self, reader: Reader, tenant_id: UUID, conversation_id: UUID
    ) -> ConversationOut:
        conversation = await self._conversation(reader, tenant_id, conversation_id, lock=True)
        if conversation.status == "open":
            raise catalogue.ConversationState(catalogue.ALREADY_OPEN)
        conversation.status, conversation.closed_at = "open", None
        await self.conversations.add(conversation)
        return await self.view(reader, tenant_id, conversation_id)

    # --- reading ---------------------------------------------------------------------------

    async def search(
        self,
        reader: Reader,
        tenant_id: UUID,
        *,
        desk_id: UUID | None = None,
        household_id: UUID | None = None,
        status: str | None = None,
        assigned_to: str | None = None,
        unread_only: bool = False,
        text: str | None = None,
        limit: int,
        offset: int,
    ) -> ConversationPage:
        desk_ids: set[UUID] | None = set(reader.desk_ids) if reader.desk_ids is not None else None
        if desk_id is not None:
            desk_ids = {desk_id} & desk_ids if desk_ids is not None else {desk_id}
        rows, total = await self.conversations.search(
            tenant_id,
            reader_side=reader.side,
            household_id=reader.household_id if reader.side == "household" else household_id,
            desk_ids=desk_ids,
            status=status,
            assigned_to=assigned_to,
            unread_only=unread_only,
            text=text,
            limit=limit,
            offset=offset,
        )
        desks = await self.config.desks.many(tenant_id, list({c.desk_id for c, _n, _h in rows}))
        return ConversationPage(
            items=[
                self._summary(c, desks[c.desk_id], n, h if reader.side == "staff" else None)
                for c, n, h in rows
            ],
            total=total,
            limit=limit,
            offset=offset,
        )

    @staticmethod
    def _summary(
        conversation: Conversation, desk: Desk, unread: int, household: HouseholdCopy | None
    ) -> ConversationSummary:
        return ConversationSummary(
            id=conversation.id,
            household_id=conversation.household_id,
            household_name=household.name if household is not None else None,
            family_number=household.family_number if household is not None else None,
            desk_id=desk.id,
            desk_name=desk.name,
            subject=conversation.subject,
            status=conversation.status,
            assigned_to=conversation.assigned_to,
            last_message_at=conversation.last_message_at,
            unread=unread,
        )

    async def view(self, reader: Reader, tenant_id: UUID, conversation_id: UUID) -> ConversationOut:
        conversation = await self._conversation(reader, tenant_id, conversation_id)
        desk = await self.config.desk(tenant_id, conversation.desk_id)
        household = (
            await HouseholdRepository(self.session).get(tenant_id, conversation.household_id)
            if reader.side == "staff"
            else None
        )
        messages = await self.messages.of_conversation(conversation.id)
        unread = sum(1 for m in messages if m.author_side != reader.side and m.read_at is None)
        summary = self._summary(conversation, desk, unread, household)
        return ConversationOut(
            **summary.model_dump(),
            created_at=conversation.created_at,
            closed_at=conversation.closed_at,
            messages=await self._message_views(messages, reader.side, desk),
        )

    async def _message_views(
        self, messages: list[Message], reader_side: str, desk: Desk
    ) -> list[MessageOut]:
        attachments = await self.messages.attachments_of([m.id for m in messages])
        return [
            MessageOut(
                id=m.id,
                author_side=m.author_side,
                # A family sees the service, not which agent answered.
                author_name=desk.name
                if m.author_side == "staff" and reader_side == "household"
                else m.author_name,
                body=m.body,
                created_at=m.created_at,
                read_at=m.read_at,
                attachments=[
                    AttachmentOut(id=a.id, name=f.name, content_type=f.content_type, size=f.size)
                    for a, f in attachments[m.id]
                ],
            )
            for m in messages
        ]

    async def attachment(
        self, reader: Reader, tenant_id: UUID, conversation_id: UUID, attachment_id: UUID
    ) -> tuple[bytes, str, str]:
        conversation = await self._conversation(reader, tenant_id, conversation_id)
        stored = await self.messages.attachment(tenant_id, conversation.id, attachment_id)
        if stored is None:
            raise NotFound(catalogue.ATTACHMENT_NOT_FOUND)
        return await self.files.content(stored), stored.content_type, stored.name

    async def desk_counts(self, reader: Reader, tenant_id: UUID) -> list[DeskCounts]:
        desks = await self.config.desks.of_tenant(tenant_id, active_only=False)
        if reader.desk_ids is not None:
            desks = [d for d in desks if d.id in reader.desk_ids]
        counts = await self.conversations.desk_counts(tenant_id, reader.desk_ids)
        return [
            DeskCounts(
                desk_id=d.id,
                desk_name=d.name,
                open=counts.get(d.id, (0, 0))[0],
                unread=counts.get(d.id, (0, 0))[1],
            )
            for d in desks
        ]

    async def erase_household(self, household_id: UUID, tenant_id: UUID) -> None:
        conversations = await self.conversations.of_household(household_id)
        file_ids = await self.messages.erase_conversations([c.id for c in conversations])
        await self.files.remove(tenant_id, file_ids)
