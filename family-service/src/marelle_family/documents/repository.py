from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import col

from marelle_family.models import Document, DocumentBlob
from marelle_kit.repository import Repository


class DocumentRepository(Repository[Document]):
    model = Document

    async def of_household(
        self, tenant_id: UUID, household_id: UUID, person_id: UUID | None = None
    ) -> list[Document]:
        """Newest first (a household keeps tens of documents)."""
        query = self.scoped(tenant_id).where(col(Document.household_id) == household_id)
        if person_id is not None:
            query = query.where(col(Document.person_id) == person_id)
        return await self.all(query.order_by(col(Document.created_at).desc()))

    async def in_household(
        self, tenant_id: UUID, household_id: UUID, document_id: UUID
    ) -> Document | None:
        return await self.get_one_or_none(
            self.scoped(tenant_id).where(
                col(Document.household_id) == household_id, col(Document.id) == document_id
            )
        )


class BlobRepository(Repository[DocumentBlob]):
    """The bytes of documents (the database store); a blob's id is its document's."""

    model = DocumentBlob

    async def data(self, document_id: UUID) -> bytes | None:
        blob = await self.get_one_or_none(
            self.unscoped().where(col(DocumentBlob.id) == document_id)
        )
        return blob.data if blob is not None else None

    async def remove(self, document_ids: Sequence[UUID]) -> None:
        if document_ids:
            await self.writer.execute(
                sa.delete(DocumentBlob).where(col(DocumentBlob.id).in_(document_ids))
            )
