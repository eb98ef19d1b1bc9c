"""The family dashboard's messaging and documents card, page-shaped (WEB.md): one read."""

from __future__ import annotations

from uuid import UUID

from marelle_kit.database import WriteSession
from marelle_kit.security import Principal
from marelle_mailing.dashboard.schemas import (
    DashboardConversation,
    DashboardDocument,
    FamilyDashboard,
)
from marelle_mailing.messaging.service import Messaging
from marelle_mailing.publications.service import Publications
from marelle_mailing.settings import MailingSettings

SHOWN = 5


async def family_dashboard(
    session: WriteSession,
    settings: MailingSettings,
    principal: Principal,
    tenant_id: UUID,
    household_id: UUID,
) -> FamilyDashboard:
    messaging = Messaging(session, settings)
    reader = messaging.parent_reader(principal, household_id)
    unread_page = await messaging.search(reader, tenant_id, unread_only=True, limit=SHOWN, offset=0)
    unread = await messaging.conversations.unread_of_household(tenant_id, household_id)
    documents = await Publications(session, settings).family_page(tenant_id, household_id)
    flat = [
        DashboardDocument(
            id=d.id,
            category_name=c.name,
            title=d.title,
            published_on=d.published_on,
            new=d.new,
            requires_acknowledgement=d.requires_acknowledgement,
            acknowledged=d.acknowledged_at is not None,
        )
        for c in documents.categories
        for d in c.documents
    ]
    flat.sort(key=lambda d: (d.published_on, d.id), reverse=True)
    return FamilyDashboard(
        unread_messages=unread,
        conversations=[
            DashboardConversation(
                id=c.id,
                desk_name=c.desk_name,
                subject=c.subject,
                last_message_at=c.last_message_at,
                unread=c.unread,
            )
            for c in unread_page.items
        ],
        new_documents=documents.new,
        recent_documents=flat[:SHOWN],
        documents_to_acknowledge=[
            d for d in flat if d.requires_acknowledgement and not d.acknowledged
        ],
    )
