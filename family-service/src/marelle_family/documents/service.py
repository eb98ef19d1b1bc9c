"""Documents attached to a household or one of its people. The type is read from the bytes
(magic numbers), never from the client's Content-Type or the file name."""

from __future__ import annotations

import hashlib
from uuid import UUID

from fastapi import Request

from marelle_family import catalogue
from marelle_family.children.service import child_in
from marelle_family.documents.repository import DocumentRepository
from marelle_family.documents.schemas import PersonKind
from marelle_family.documents.storage import DatabaseStore, DocumentStore, LocalDirectoryStore
from marelle_family.guardians.service import guardian_in
from marelle_family.households.service import require_editable
from marelle_family.models import Document, Household
from marelle_family.settings import FamilySettings
from marelle_kit import roles
from marelle_kit.database import ReadSession, WriteSession
from marelle_kit.errors import Forbidden, InvalidPayload, NotFound
from marelle_kit.ids import new_id
from marelle_kit.security import Principal

# (leading bytes, content type, extension)
SIGNATURES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)
EXTENSIONS = {content_type: extension for _, content_type, extension in SIGNATURES}


def sniff(data: bytes) -> str:
    for magic, content_type, _extension in SIGNATURES:
        if data.startswith(magic):
            return content_type
    raise catalogue.UnsupportedType(catalogue.DOCUMENT_TYPES, field="file")


def store_for(request: Request, session: ReadSession) -> DocumentStore:
    settings: FamilySettings = request.app.state.runtime.settings
    if settings.resolved_documents_store == "database":
        return DatabaseStore(session)
    return LocalDirectoryStore(settings.resolved_documents_dir)


def _staff_may_change(principal: Principal) -> bool:
    """Staff who only read records (and other non-office roles) attach nothing."""
    return principal.holds(roles.OFFICE) or principal.is_operator


async def documents_of(
    session: ReadSession, household: Household, person_id: UUID | None = None
) -> list[Document]:
    return await DocumentRepository(session).of_household(
        household.tenant_id, household.id, person_id
    )


async def document_in(session: ReadSession, household: Household, document_id: UUID) -> Document:
    document = await DocumentRepository(session).in_household(
        household.tenant_id, household.id, document_id
    )
    if document is None:
        raise NotFound(catalogue.DOCUMENT_NOT_FOUND)
    return document


async def content_of(store: DocumentStore, document: Document) -> bytes:
    data = await store.get(document.tenant_id, document.id)
    if data is None:
        raise NotFound(catalogue.DOCUMENT_CONTENT_MISSING)
    return data


class DocumentService:
    def __init__(self, session: WriteSession, store: DocumentStore) -> None:
        self.session = session
        self.documents = DocumentRepository(session)
        self.store = store

    async def _check_person(self, household: Household, kind: PersonKind, person_id: UUID) -> None:
        if kind == "household":
            if person_id != household.id:
                raise NotFound(catalogue.DOCUMENT_PERSON_NOT_IN_HOUSEHOLD, field="person_id")
        elif kind == "guardian":
            await guardian_in(self.session, household.tenant_id, household.id, person_id)
        else:
            await child_in(self.session, household.tenant_id, household.id, person_id)

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
        if principal.is_staff and not _staff_may_change(principal):
            raise catalogue.ReadOnlyRole(catalogue.READ_ONLY_ROLE)
        require_editable(household)
        if len(data) > max_bytes:
            raise catalogue.TooLarge(
                catalogue.DOCUMENT_TOO_LARGE.format(megabytes=max_bytes // (1024 * 1024)),
                field="file",
            )
        if not data:
            raise InvalidPayload("file", catalogue.DOCUMENT_EMPTY, code="empty_file")
        content_type = sniff(data)
        await self._check_person(household, kind, person_id)
        document = await self.documents.add(
            Document(
                id=new_id(),
                tenant_id=household.tenant_id,
                household_id=household.id,
                person_kind=kind,
                person_id=person_id,
                name=name,
                description=description,
                content_type=content_type,
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                uploaded_by=principal.subject,
                uploaded_by_staff=principal.is_staff,
            )
        )
        await self.store.put(household.tenant_id, document.id, data)
        return document

    async def remove(self, principal: Principal, document: Document) -> None:
        uploader = principal.subject == document.uploaded_by
        if not uploader and not (principal.is_staff and _staff_may_change(principal)):
            raise Forbidden(catalogue.DOCUMENT_REMOVAL)
        await self.documents.delete(document)
        await self.store.delete(document.tenant_id, document.id)
