"""Messaging: the portal's « Messagerie » (a household's parents) and the back office's inbox
per service (staff). A conversation of another household or tenant, or (with the tenant's
restriction) of a service the agent does not belong to, is a 404."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends, File, Form, Query, Request, Response, UploadFile
from pydantic import TypeAdapter

from marelle_kit.files import attachment_response
from marelle_kit.repository import MAX_LIMIT, MAX_OFFSET
from marelle_kit.security import CurrentPrincipal, require_roles
from marelle_kit.tenancy import TenantId
from marelle_kit.unit_of_work import SessionDep, transactional_router
from marelle_mailing.access import MESSAGING_STAFF, CurrentParent
from marelle_mailing.forms import checked, read_upload, upload_name
from marelle_mailing.messaging.schemas import (
    AssignIn,
    ConversationOut,
    ConversationPage,
    DeskCounts,
    MessageBody,
    MessageOut,
    ReadIn,
    Subject,
    UnreadOut,
)
from marelle_mailing.messaging.service import Messaging, Upload
from marelle_mailing.settings import MailingSettings

parents = transactional_router(
    prefix="/households/{household_id}/conversations", tags=["messaging"]
)
staff = transactional_router(
    prefix="/conversations",
    tags=["messaging (staff)"],
    dependencies=[Depends(require_roles(*MESSAGING_STAFF))],
)
staff_desks = transactional_router(
    tags=["messaging (staff)"], dependencies=[Depends(require_roles(*MESSAGING_STAFF))]
)

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
SearchText = Annotated[str | None, Query(max_length=100, description="Objet, texte, famille")]
Status = Annotated[str | None, Query(pattern="^(open|closed)$")]
Files = Annotated[list[UploadFile], File(description="PDF, JPEG ou PNG ; 5 au plus")]
_subject = TypeAdapter(Subject)
_body = TypeAdapter(MessageBody)


def _messaging(request: Request, session: SessionDep) -> Messaging:
    settings = request.app.state.runtime.settings
    assert isinstance(settings, MailingSettings)
    return Messaging(session, settings)


MessagingDep = Annotated[Messaging, Depends(_messaging)]


async def _uploads(messaging: Messaging, files: list[UploadFile]) -> list[Upload]:
    limit = messaging.settings.files_max_bytes
    return [Upload(upload_name(f), await read_upload(f, limit)) for f in files if f.filename]


# --- a household's parents -----------------------------------------------------------------


@parents.get("", response_model=ConversationPage)
async def household_conversations(
    household_id: UUID,
    parent: CurrentParent,
    tenant_id: TenantId,
    messaging: MessagingDep,
    status: Status = None,
    q: SearchText = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> ConversationPage:
    """« Mes conversations »: newest activity first, ``unread`` = the services' messages not
    yet read by the family."""
    return await messaging.search(
        messaging.parent_reader(parent, household_id),
        tenant_id,
        status=status,
        text=q,
        limit=limit,
        offset=offset,
    )


@parents.post("", response_model=ConversationOut, status_code=201)
async def household_writes(
    household_id: UUID,
    parent: CurrentParent,
    tenant_id: TenantId,
    messaging: MessagingDep,
    desk_id: Annotated[UUID, Form(description="Le service choisi (GET /contact)")],
    subject: Annotated[str, Form(max_length=200)],
    body: Annotated[str, Form(max_length=10_000)],
    files: Files = [],  # noqa: B006 - FastAPI's way to say "none sent"
) -> ConversationOut:
    """« Nouveau message »: a conversation with one service, its first message and up to 5
    attachments (PDF, JPEG, PNG: the type is read from the bytes; 413 too large, 415 another
    type). The service is told by mail when it has a notification address."""
    return await messaging.start(
        messaging.parent_reader(parent, household_id),
        tenant_id,
        household_id=household_id,
        desk_id=desk_id,
        subject=checked(_subject, subject, "subject"),
        body=checked(_body, body, "body"),
        uploads=await _uploads(messaging, files),
    )


@parents.get("/{conversation_id}", response_model=ConversationOut)
async def household_conversation(
    household_id: UUID,
    conversation_id: UUID,
    parent: CurrentParent,
    tenant_id: TenantId,
    messaging: MessagingDep,
) -> ConversationOut:
    """The conversation and its messages (oldest first). Reading does not mark anything read:
    the page posts ``/read`` with the last message it showed."""
    return await messaging.view(
        messaging.parent_reader(parent, household_id), tenant_id, conversation_id
    )


@parents.post("/{conversation_id}/messages", response_model=MessageOut, status_code=201)
async def household_replies(
    household_id: UUID,
    conversation_id: UUID,
    parent: CurrentParent,
    tenant_id: TenantId,
    messaging: MessagingDep,
    body: Annotated[str, Form(max_length=10_000)],
    files: Files = [],  # noqa: B006
) -> MessageOut:
    """A reply. 409 ``conversation-closed`` when the service closed it."""
    return await messaging.post(
        messaging.parent_reader(parent, household_id),
        tenant_id,
        conversation_id,
        checked(_body, body, "body"),
        await _uploads(messaging, files),
    )


@parents.post("/{conversation_id}/read", response_model=UnreadOut)
async def household_reads(
    household_id: UUID,
    conversation_id: UUID,
    data: ReadIn,
    parent: CurrentParent,
    tenant_id: TenantId,
    messaging: MessagingDep,
) -> UnreadOut:
    """Mark the service's messages read up to ``up_to`` (all when null); returns what stays
    unread. Idempotent; the first read time is kept."""
    unread = await messaging.read(
        messaging.parent_reader(parent, household_id), tenant_id, conversation_id, data.up_to
    )
    return UnreadOut(unread=unread)


@parents.get("/{conversation_id}/attachments/{attachment_id}")
async def household_attachment(
    household_id: UUID,
    conversation_id: UUID,
    attachment_id: UUID,
    parent: CurrentParent,
    tenant_id: TenantId,
    messaging: MessagingDep,
) -> Response:
    """An attachment, as a download (Content-Disposition: attachment, nosniff)."""
    data, content_type, name = await messaging.attachment(
        messaging.parent_reader(parent, household_id), tenant_id, conversation_id, attachment_id
    )
    return attachment_response(data, content_type, name)


# --- staff -------------------------------------------------------------------------------------


@staff_desks.get("/desks/inbox", response_model=list[DeskCounts])
async def inbox_per_desk(
    tenant_id: TenantId, principal: CurrentPrincipal, messaging: MessagingDep
) -> list[DeskCounts]:
    """The inbox per service the agent may see: open conversations and unread messages."""
    reader = await messaging.staff_reader(principal, tenant_id)
    return await messaging.desk_counts(reader, tenant_id)


@staff.get("", response_model=ConversationPage)
async def staff_conversations(
    tenant_id: TenantId,
    principal: CurrentPrincipal,
    messaging: MessagingDep,
    desk_id: UUID | None = None,
    household_id: UUID | None = None,
    status: Status = None,
    assigned_to: Annotated[str | None, Query(max_length=200)] = None,
    unread_only: bool = False,
    q: SearchText = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> ConversationPage:
    """The inbox: filter by service, family, status, assignee, unread; search subject, text,
    family name or number. ``unread`` counts the families' messages no agent has read."""
    reader = await messaging.staff_reader(principal, tenant_id)
    return await messaging.search(
        reader,
        tenant_id,
        desk_id=desk_id,
        household_id=household_id,
        status=status,
        assigned_to=assigned_to,
        unread_only=unread_only,
        text=q,
        limit=limit,
        offset=offset,
    )


@staff.post("", response_model=ConversationOut, status_code=201)
async def staff_writes(
    tenant_id: TenantId,
    principal: CurrentPrincipal,
    messaging: MessagingDep,
    household_id: Annotated[UUID, Form()],
    desk_id: Annotated[UUID, Form()],
    subject: Annotated[str, Form(max_length=200)],
    body: Annotated[str, Form(max_length=10_000)],
    files: Files = [],  # noqa: B006
) -> ConversationOut:
    """A service writes first to a family (assigned to the writer); the family is told by
    mail."""
    return await messaging.start(
        await messaging.staff_reader(principal, tenant_id),
        tenant_id,
        household_id=household_id,
        desk_id=desk_id,
        subject=checked(_subject, subject, "subject"),
        body=checked(_body, body, "body"),
        uploads=await _uploads(messaging, files),
    )


@staff.get("/{conversation_id}", response_model=ConversationOut)
async def staff_conversation(
    conversation_id: UUID, tenant_id: TenantId, principal: CurrentPrincipal, messaging: MessagingDep
) -> ConversationOut:
    """The conversation with the family's name and number and every message (oldest first);
    ``unread`` counts the family's messages no agent has read. Reading marks nothing: post
    ``/read`` with the last message shown."""
    return await messaging.view(
        await messaging.staff_reader(principal, tenant_id), tenant_id, conversation_id
    )


@staff.post("/{conversation_id}/messages", response_model=MessageOut, status_code=201)
async def staff_replies(
    conversation_id: UUID,
    tenant_id: TenantId,
    principal: CurrentPrincipal,
    messaging: MessagingDep,
    body: Annotated[str, Form(max_length=10_000)],
    files: Files = [],  # noqa: B006
) -> MessageOut:
    """An answer; the family's guardians are told by mail (with the text unless the tenant
    says not to)."""
    return await messaging.post(
        await messaging.staff_reader(principal, tenant_id),
        tenant_id,
        conversation_id,
        checked(_body, body, "body"),
        await _uploads(messaging, files),
    )


@staff.post("/{conversation_id}/read", response_model=UnreadOut)
async def staff_reads(
    conversation_id: UUID,
    data: ReadIn,
    tenant_id: TenantId,
    principal: CurrentPrincipal,
    messaging: MessagingDep,
) -> UnreadOut:
    """Mark the family's messages read up to ``up_to`` (all when null), for every agent."""
    unread = await messaging.read(
        await messaging.staff_reader(principal, tenant_id), tenant_id, conversation_id, data.up_to
    )
    return UnreadOut(unread=unread)


@staff.post("/{conversation_id}/assign", response_model=ConversationOut)
async def assign(
    conversation_id: UUID,
    data: AssignIn,
    tenant_id: TenantId,
    principal: CurrentPrincipal,
    messaging: MessagingDep,
) -> ConversationOut:
    """Give the conversation to an agent (their account's subject), or free it (null)."""
    return await messaging.assign(
        await messaging.staff_reader(principal, tenant_id),
        tenant_id,
        conversation_id,
        data.staff_subject,
    )


@staff.post("/{conversation_id}/close", response_model=ConversationOut)
async def close(
    conversation_id: UUID, tenant_id: TenantId, principal: CurrentPrincipal, messaging: MessagingDep
) -> ConversationOut:
    """Close it (409 when already closed): the family can no longer reply in it."""
    return await messaging.close(
        await messaging.staff_reader(principal, tenant_id), tenant_id, conversation_id
    )


@staff.post("/{conversation_id}/reopen", response_model=ConversationOut)
async def reopen(
    conversation_id: UUID, tenant_id: TenantId, principal: CurrentPrincipal, messaging: MessagingDep
) -> ConversationOut:
    """Open a closed conversation again (409 when it is open)."""
    return await messaging.reopen(
        await messaging.staff_reader(principal, tenant_id), tenant_id, conversation_id
    )


@staff.get("/{conversation_id}/attachments/{attachment_id}")
async def staff_attachment(
    conversation_id: UUID,
    attachment_id: UUID,
    tenant_id: TenantId,
    principal: CurrentPrincipal,
    messaging: MessagingDep,
) -> Response:
    """An attachment, as a download (Content-Disposition: attachment, nosniff)."""
    data, content_type, name = await messaging.attachment(
        await messaging.staff_reader(principal, tenant_id),
        tenant_id,
        conversation_id,
        attachment_id,
    )
    return attachment_response(data, content_type, name)
