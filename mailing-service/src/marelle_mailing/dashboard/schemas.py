from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, Field


class DashboardConversation(BaseModel):
    id: UUID
    desk_name: str
    subject: str
    last_message_at: datetime
    unread: int


class DashboardDocument(BaseModel):
    id: UUID
    category_name: str
    title: str
    published_on: date
    new: bool
    requires_acknowledgement: bool
    acknowledged: bool


class FamilyDashboard(BaseModel):
    """The mailing-service's part of the portal home: one read, fetched beside the other
    services' (bookings, invoices...)."""

    unread_messages: int = Field(description="Messages des services non lus.")
    conversations: list[DashboardConversation] = Field(
        description="Les conversations avec des messages non lus (5 au plus), récentes d'abord."
    )
    new_documents: int = Field(description="Documents publiés depuis la dernière visite.")
    recent_documents: list[DashboardDocument] = Field(description="Les 5 plus récents.")
    documents_to_acknowledge: list[DashboardDocument] = Field(
        description="Documents qui attendent « J'ai lu »."
    )
