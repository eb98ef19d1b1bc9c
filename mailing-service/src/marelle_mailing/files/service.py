"""Uploaded files of every module (message attachments, published documents, mailing
attachments): the kit's checks (size, type read from the bytes) and stores."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from fastapi import Request, Response

from marelle_kit.database import WriteSession
from marelle_kit.errors import NotFound
from marelle_kit.files import (
    DatabaseStore,
    FileStore,
    LocalDirectoryStore,
    attachment_response,
    check_upload,
)
from marelle_mailing import catalogue
from marelle_mailing.files.repository import FileRepository
from marelle_mailing.models import FileBlob, StoredFile
from marelle_mailing.settings import MailingSettings


def store_for(settings: MailingSettings, session: WriteSession) -> FileStore:
    if settings.resolved_files_store == "database":
        return DatabaseStore(session, FileBlob)
    return LocalDirectoryStore(settings.resolved_files_dir)


class Files:
    def __init__(self, session: WriteSession, settings: MailingSettings) -> None:
        self.session = session
        self.settings = settings
        self.store = store_for(settings, session)
        self.files = FileRepository(session)

    @classmethod
    def of(cls, request: Request, session: WriteSession) -> Files:
        settings = request.app.state.runtime.settings
        assert isinstance(settings, MailingSettings)
        return cls(session, settings)

    async def add(
        self, tenant_id: UUID, name: str, data: bytes, uploaded_by: str, field: str = "file"
    ) -> StoredFile:
        checked = check_upload(data, self.settings.files_max_bytes, field)
        stored = StoredFile(
            tenant_id=tenant_id,
            name=name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            uploaded_by=uploaded_by,
        )
        await self.files.add(stored)
        await self.store.put(tenant_id, stored.id, checked.data)
        return stored

    async def get(self, tenant_id: UUID, file_id: UUID) -> StoredFile:
        stored = await self.files.get(tenant_id, file_id)
        if stored is None:
            raise NotFound(catalogue.FILE_NOT_FOUND)
        return stored

    async def content(self, stored: StoredFile) -> bytes:
        data = await self.store.get(stored.tenant_id, stored.id)
        if data is None:
            raise NotFound(catalogue.FILE_CONTENT_MISSING)
        return data

    async def download(self, stored: StoredFile) -> Response:
        return attachment_response(await self.content(stored), stored.content_type, stored.name)

    async def remove(self, tenant_id: UUID, file_ids: Iterable[UUID]) -> None:
        ids = list(file_ids)
        for file_id in ids:
            await self.store.delete(tenant_id, file_id)
        await self.files.delete_many(ids)
