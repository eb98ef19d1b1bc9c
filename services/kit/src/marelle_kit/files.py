"""Uploaded files, one set of rules for every service (SECURITY.md "Uploads"): a size limit, the
type read from the bytes (never from the client's Content-Type or the file name), the bytes kept
outside any web root, served as an attachment with ``nosniff``.

Two stores behind one interface: a local directory (embedded mode: files named by id, never by
the uploaded name) or the service's own database (distributed mode: every replica sees the same
bytes, committed with the metadata)."""

from __future__ import annotations

import asyncio
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote
from uuid import UUID

from fastapi import Response
from sqlalchemy.ext.asyncio import AsyncSession

from marelle_kit.errors import InvalidPayload, Problem

# (leading bytes, content type, extension): PDF, JPEG and PNG only.
SIGNATURES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)
EXTENSIONS = {content_type: extension for _, content_type, extension in SIGNATURES}


class UnsupportedType(Problem):
    status = 415
    type = "unsupported-document-type"
    title = "Type de document refusé"


class TooLarge(Problem):
    status = 413
    type = "document-too-large"
    title = "Document trop volumineux"


def sniff(data: bytes, field: str = "file") -> str:
    """The content type the bytes really are, or UnsupportedType."""
    for magic, content_type, _extension in SIGNATURES:
        if data.startswith(magic):
            return content_type
    raise UnsupportedType("Seuls les documents PDF, JPEG et PNG sont acceptés.", field=field)


@dataclass(frozen=True)
class CheckedFile:
    data: bytes
    content_type: str
    size: int
    sha256: str


def check_upload(data: bytes, max_bytes: int, field: str = "file") -> CheckedFile:
    """The upload's checks in their order: size, emptiness, type from the bytes. Read at most
    ``max_bytes + 1`` bytes from the client before calling this, so a huge body is never held."""
    if len(data) > max_bytes:
        raise TooLarge(f"Le document dépasse {_megabytes(max_bytes)} Mo.", field=field)
    if not data:
        raise InvalidPayload(field, "Le fichier envoyé est vide.", code="empty_file")
    return CheckedFile(
        data=data,
        content_type=sniff(data, field),
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _megabytes(size: int) -> str:
    value = size / (1024 * 1024)
    return str(int(value)) if value == int(value) else f"{value:.1f}".replace(".", ",")


def attachment_response(data: bytes, content_type: str, name: str) -> Response:
    """The bytes as a download, never rendered inline by the browser."""
    extension = EXTENSIONS.get(content_type, "bin")
    ascii_name = (
        "".join(c if c.isascii() and (c.isalnum() or c in "-_ ") else "_" for c in name)
        or "document"
    )
    utf8_name = quote(f"{name}.{extension}", safe="")
    return Response(
        data,
        media_type=content_type,
        headers={
            "Content-Disposition": (
                f"attachment; filename=\"{ascii_name}.{extension}\"; filename*=UTF-8''{utf8_name}"
            ),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


class FileStore(Protocol):
    async def put(self, tenant_id: UUID, file_id: UUID, data: bytes) -> None: ...

    async def get(self, tenant_id: UUID, file_id: UUID) -> bytes | None: ...

    async def delete(self, tenant_id: UUID, file_id: UUID) -> None: ...


class LocalDirectoryStore:
    """One file per id under ``<root>/<tenant id>/``, written atomically (temporary file, then
    rename). The metadata row is written first in the request's transaction; should that
    transaction roll back after the file was written, the file stays unreferenced (harmless,
    never served: files are served by id from their row)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, tenant_id: UUID, file_id: UUID) -> Path:
        return self.root / str(tenant_id) / str(file_id)

    async def put(self, tenant_id: UUID, file_id: UUID, data: bytes) -> None:
        await asyncio.to_thread(self._write, self._path(tenant_id, file_id), data)

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

    async def get(self, tenant_id: UUID, file_id: UUID) -> bytes | None:
        path = self._path(tenant_id, file_id)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            return None

    async def delete(self, tenant_id: UUID, file_id: UUID) -> None:
        await asyncio.to_thread(self._path(tenant_id, file_id).unlink, missing_ok=True)


class DatabaseStore:
    """The bytes in a blob table of the service (a model with ``id`` and ``data`` columns), in
    the caller's transaction."""

    def __init__(self, session: AsyncSession, blob_model: Any) -> None:
        self.session = session
        self.model = blob_model

    async def put(self, tenant_id: UUID, file_id: UUID, data: bytes) -> None:
        self.session.add(self.model(id=file_id, data=data))
        await self.session.flush()

    async def get(self, tenant_id: UUID, file_id: UUID) -> bytes | None:
        blob = await self.session.get(self.model, file_id)
        return blob.data if blob is not None else None

    async def delete(self, tenant_id: UUID, file_id: UUID) -> None:
        blob = await self.session.get(self.model, file_id)
        if blob is not None:
            await self.session.delete(blob)
            await self.session.flush()
