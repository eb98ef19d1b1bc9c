"""Documents attached to a household or one of its people. The type is read from the bytes
(magic numbers), never from the client's Content-Type or the file name."""

from __future__ import annotations

from uuid import UUID

from fastapi import Request
from sqlmodel import col, select

from marelle_family.children.service import ChildService
from marelle_family.documents.schemas import PersonKind
from marelle_family.guardians.service import GuardianService
from marelle_family.models import Document, DocumentBlob, Household
from marelle_family.settings import FamilySettings
from marelle_kit.database import WriteSession
from marelle_kit.errors import Conflict, Forbidden, NotFound
from marelle_kit.files import DatabaseStore, FileStore, LocalDirectoryStore, check_upload
from marelle_kit.ids import new_id
from marelle_kit.security import Principal


def store_for(request: Request, session: WriteSession) -> FileStore:
    """The bytes' store (marelle_kit.files): the ``documentblob`` table or a local directory."""
    settings: FamilySettings = request.app.state.runtime.settings
    if settings.resolved_documents_store == "database":
        return DatabaseStore(session, DocumentBlob)
    return LocalDirectoryStore(settings.resolved_documents_dir)


class DocumentService:
    def __init__(self, session: WriteSession, store: FileStore) -> None:
        self.session = session
        self.store = store

    async def _check_person(self, household: Household, kind: PersonKind, person_id: UUID) -> None:
        if kind == "household":
            if person_id != household.id:
                raise NotFound("Cette personne n'appartient pas au foyer.", field="person_id")
        elif kind == "guardian":
            await GuardianService(self.session).get(household.tenant_id, household.id, person_id)
        else:
            await ChildService(self.session).get(household.tenant_id, household.id, person_id)

    async def add(
        self,
        principal: Principal,
        household: Household,
        *,
        kind: PersonKind,
        person_id: UUID,
        name: str,
        description: str | None,
        data: bytes,
        max_bytes: int,
    ) -> Document:
        if household.erased_at is not None:
            raise Conflict("Ce foyer a été effacé.")
        checked = check_upload(data, max_bytes)
        await self._check_person(household, kind, person_id)
        document = Document(
            id=new_id(),
            tenant_id=household.tenant_id,
            household_id=household.id,
            person_kind=kind,
            person_id=person_id,
            name=name,
            description=description,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            uploaded_by=principal.subject,
            uploaded_by_staff=principal.is_staff,
        )
        self.session.add(document)
        await self.session.flush()
        await self.store.put(household.tenant_id, document.id, data)
        return document

    async def of_household(
        self, household: Household, person_id: UUID | None = None
    ) -> list[Document]:
        query = select(Document).where(
            col(Document.tenant_id) == household.tenant_id,
            col(Document.household_id) == household.id,
        )
        if person_id is not None:
            query = query.where(col(Document.person_id) == person_id)
        return list(await self.session.scalars(query.order_by(col(Document.created_at).desc())))

    async def get(self, household: Household, document_id: UUID) -> Document:
        document = await self.session.scalar(
            select(Document).where(
                col(Document.tenant_id) == household.tenant_id,
                col(Document.household_id) == household.id,
                col(Document.id) == document_id,
            )
        )
        if document is None:
            raise NotFound("Ce document n'existe pas.")
        return document

    async def content(self, document: Document) -> bytes:
        data = await self.store.get(document.tenant_id, document.id)
        if data is None:
            raise NotFound("Le contenu de ce document est introuvable.")
        return data

    async def remove(self, principal: Principal, document: Document) -> None:
        if not principal.is_staff and principal.subject != document.uploaded_by:
            raise Forbidden("Seule la personne qui l'a déposé ou les services peuvent le retirer.")
        await self.session.delete(document)
        await self.session.flush()
        await self.store.delete(document.tenant_id, document.id)
