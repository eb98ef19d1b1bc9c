"""Where documents' bytes live: the kit's stores (marelle_kit.files, shared with the
mailing-service's attachments), the database one on the ``documentblob`` table."""

from __future__ import annotations

from marelle_family.models import DocumentBlob
from marelle_kit.database import ReadSession
from marelle_kit.files import DatabaseStore as BlobTableStore
from marelle_kit.files import FileStore as DocumentStore
from marelle_kit.files import LocalDirectoryStore

__all__ = ["DatabaseStore", "DocumentStore", "LocalDirectoryStore"]


class DatabaseStore(BlobTableStore):
    """The bytes in the ``documentblob`` table, in the request's transaction."""

    def __init__(self, session: ReadSession) -> None:
        super().__init__(session, DocumentBlob)
