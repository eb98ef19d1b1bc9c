"""Identifiers: UUIDv7 so that ids sort by creation time (event ids, row keys)."""

from __future__ import annotations

import uuid

import uuid6


def new_id() -> uuid.UUID:
    return uuid.UUID(str(uuid6.uuid7()))
