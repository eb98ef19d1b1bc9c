"""Where documents' bytes live, behind one interface: a local directory (embedded mode, outside
any web root: files are named by id, never by the uploaded name) or the service's database
(distributed mode: every replica sees the same bytes, committed with the metadata)."""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path
from typing import Protocol
from uuid import UUID

from marelle_family.documents.repository import BlobRepository
from marelle_family.models import DocumentBlob
from marelle_kit.database import ReadSession


class DocumentStore(Protocol):
    async def put(self, tenant_id: UUID, document_id: UUID, data: bytes) -> None: ...

    async def get(self, tenant_id: UUID, document_id: UUID) -> bytes | None: ...

    async def delete(self, tenant_id: UUID, document_id: UUID) -> None: ...


class LocalDirectoryStore:
    """One file per document under ``<root>/<tenant id>/``, written atomically (temporary file,
    then rename). The metadata row is written first in the request's transaction; should that
    transaction roll back after the file was written, the file stays unreferenced (harmless,
    never served: documents are served by id from their row)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, tenant_id: UUID, document_id: UUID) -> Path:
        return self.root / str(tenant_id) / str(document_id)

    async def put(self, tenant_id: UUID, document_id: UUID, data: bytes) -> None:
        await asyncio.to_thread(self._write, self._path(tenant_id, document_id), data)

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    async def get(self, tenant_id: UUID, document_id: UUID) -> bytes | None:
        path = self._path(tenant_id, document_id)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            return None

    async def delete(self, tenant_id: UUID, document_id: UUID) -> None:
        await asyncio.to_thread(self._path(tenant_id, document_id).unlink, missing_ok=True)


class DatabaseStore:
    """The bytes in the ``document_blob`` table, in the request's transaction (reading only on
    a read session)."""

    def __init__(self, session: ReadSession) -> None:
        self.blobs = BlobRepository(session)

    async def put(self, tenant_id: UUID, document_id: UUID, data: bytes) -> None:
        await self.blobs.add(DocumentBlob(id=document_id, data=data))

    async def get(self, tenant_id: UUID, document_id: UUID) -> bytes | None:
        return await self.blobs.data(document_id)

    async def delete(self, tenant_id: UUID, document_id: UUID) -> None:
        await self.blobs.remove([document_id])
