"""Read and write sessions (marelle_kit.database): services are built on either; what writes
asks for the write session, and a read session there is a programming error that raises."""

from __future__ import annotations

from marelle_kit.database import ReadOnlySessionError, ReadSession, WriteSession


def writable(session: ReadSession) -> WriteSession:
    if not isinstance(session, WriteSession):
        raise ReadOnlySessionError("this change needs a write session (SessionDep)")
    return session
