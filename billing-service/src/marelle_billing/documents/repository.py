"""PDFs to render (claimed with SKIP LOCKED by several workers at once) and PDFs stored."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import col

from marelle_billing.models import (
    BillingAccount,
    GuardianFact,
    Invoice,
    PdfState,
    StoredDocument,
    table_of,
    tenants,
)
from marelle_kit.database import WriteSession


class DocumentRepository:
    def __init__(self, session: WriteSession) -> None:
        self.session = session

    async def claim_pending(self, now: datetime, lease_until: datetime, limit: int) -> list[UUID]:
        """Invoices whose PDF is due, not leased to another worker: leased to this one."""
        query = (
            sa.select(col(Invoice.id))
            .where(
                col(Invoice.pdf_state) == PdfState.PENDING,
                sa.or_(
                    col(Invoice.pdf_claimed_until).is_(None), col(Invoice.pdf_claimed_until) < now
                ),
            )
            .order_by(col(Invoice.issued_at), col(Invoice.number))
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        ids = list(await self.session.scalars(query))
        if ids:
            await self.session.execute(
                sa.update(Invoice)
                .where(col(Invoice.id).in_(ids))
                .values(pdf_claimed_until=lease_until)
            )
        return ids

    async def invoices(self, ids: Sequence[UUID]) -> list[Invoice]:
        return list(
            await self.session.scalars(sa.select(Invoice).where(col(Invoice.id).in_(list(ids))))
        )

    async def accounts(self, household_ids: Sequence[UUID]) -> dict[UUID, BillingAccount]:
        rows = await self.session.scalars(
            sa.select(BillingAccount).where(col(BillingAccount.id).in_(list(household_ids)))
        )
        return {account.id: account for account in rows}

    async def guardians(self, household_ids: Sequence[UUID]) -> dict[UUID, list[GuardianFact]]:
        rows = await self.session.scalars(
            sa.select(GuardianFact)
            .where(col(GuardianFact.household_id).in_(list(household_ids)))
            .order_by(col(GuardianFact.rank))
        )
        found: dict[UUID, list[GuardianFact]] = {}
        for guardian in rows:
            found.setdefault(guardian.household_id, []).append(guardian)
        return found

    async def tenant_names(self, tenant_ids: Sequence[UUID]) -> dict[UUID, str]:
        table = tenants.table
        rows = await self.session.execute(
            sa.select(table.c.id, table.c.name).where(table.c.id.in_(list(tenant_ids)))
        )
        return {row[0]: row[1] for row in rows}

    async def store(
        self, documents: list[dict[str, Any]], rendered: list[UUID], failed: list[UUID]
    ) -> None:
        table = table_of(StoredDocument)
        owners = [doc["owner_id"] for doc in documents]
        if owners:
            # A PDF rendered again after a lost lease replaces the first one.
            await self.session.execute(
                sa.delete(table).where(table.c.kind == "invoice", table.c.owner_id.in_(owners))
            )
            await self.session.execute(table.insert(), documents)
        if rendered:
            await self.session.execute(
                sa.update(Invoice)
                .where(col(Invoice.id).in_(rendered))
                .values(pdf_state=PdfState.RENDERED, pdf_claimed_until=None)
            )
        if failed:
            await self.session.execute(
                sa.update(Invoice)
                .where(col(Invoice.id).in_(failed))
                .values(
                    pdf_attempts=col(Invoice.pdf_attempts) + 1,
                    pdf_claimed_until=None,
                    pdf_state=sa.case(
                        (col(Invoice.pdf_attempts) >= 4, PdfState.FAILED),
                        else_=PdfState.PENDING,
                    ),
                )
            )

    async def document(self, kind: str, owner_id: UUID) -> StoredDocument | None:
        return await self.session.scalar(
            sa.select(StoredDocument).where(
                col(StoredDocument.kind) == kind, col(StoredDocument.owner_id) == owner_id
            )
        )

    async def unclaimed_count(self) -> int:
        return int(
            await self.session.scalar(
                sa.select(sa.func.count()).where(
                    col(Invoice.pdf_state) == PdfState.PENDING,
                    col(Invoice.pdf_claimed_until).is_(None),
                )
            )
            or 0
        )

    async def pending_count(self) -> int:
        return int(
            await self.session.scalar(
                sa.select(sa.func.count()).where(col(Invoice.pdf_state) == PdfState.PENDING)
            )
            or 0
        )
