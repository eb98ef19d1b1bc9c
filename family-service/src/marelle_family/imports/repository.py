from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import col

from marelle_family.models import Guardian
from marelle_kit.database import ReadSession

# How many e-mail addresses one query checks (below SQLite's bound parameters limit).
EMAIL_BATCH = 500


class ImportRepository:
    """What an import checks against the tenant's records before writing anything."""

    def __init__(self, session: ReadSession) -> None:
        self.session = session

    async def guardian_emails_among(self, tenant_id: UUID, emails: Iterable[str]) -> set[str]:
        """Those of ``emails`` that already are a guardian's of the tenant (in batches)."""
        ordered = sorted(set(emails))
        taken: set[str] = set()
        for start in range(0, len(ordered), EMAIL_BATCH):
            batch = ordered[start : start + EMAIL_BATCH]
            found = await self.session.scalars(
                sa.select(col(Guardian.email)).where(
                    col(Guardian.tenant_id) == tenant_id, col(Guardian.email).in_(batch)
                )
            )
            taken.update(email for email in found if email)
        return taken
