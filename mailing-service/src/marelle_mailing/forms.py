"""Multipart fields (messages with attachments, uploads): checked with the same types as JSON
bodies, a failure answered like any payload validation error (422, the field named)."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any, TypeVar

from fastapi import UploadFile
from pydantic import TypeAdapter, ValidationError

from marelle_kit.errors import Problem, validation_message

T = TypeVar("T")


class InvalidField(Problem):
    status = 422
    type = "validation-error"
    title = "Données invalides"


def checked(adapter: TypeAdapter[T], value: Any, field: str) -> T:
    try:
        return adapter.validate_python(value)
    except ValidationError as exc:
        error = exc.errors()[0]
        message = validation_message(error)
        raise InvalidField(
            message,
            errors=[{"field": field, "code": str(error.get("type")), "message": message}],
        ) from exc


def upload_name(file: UploadFile) -> str:
    """A display name from the uploaded file's name (its extension dropped: the real type is
    read from the bytes), or « document »."""
    stem = PurePath(file.filename or "").stem.strip()
    cleaned = "".join(c for c in stem if c.isprintable())[:200]
    return cleaned or "document"


async def read_upload(file: UploadFile, max_bytes: int) -> bytes:
    """At most ``max_bytes + 1`` bytes: enough to refuse a larger file without holding it."""
    return await file.read(max_bytes + 1)
