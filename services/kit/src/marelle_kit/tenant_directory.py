"""The tenants read model that every service other than the family-service keeps.

The family-service owns tenants; the others learn of them from ``family.tenant.created`` and
keep a local copy (name and slug for their pages and mails), never reading its tables.
"""

from __future__ import annotations

from uuid import UUID

import sqlalchemy as sa
from fastapi import APIRouter
from pydantic import BaseModel

from marelle_contracts import TenantCreated
from marelle_kit.clock import utcnow
from marelle_kit.database import ReadSession, WriteSession
from marelle_kit.errors import NotFound
from marelle_kit.events.consumer import Handler
from marelle_kit.events.envelope import EventEnvelope
from marelle_kit.tenancy import TenantId
from marelle_kit.types import UTCDateTime
from marelle_kit.unit_of_work import ReadSessionDep, transactional_router


def tenant_table(metadata: sa.MetaData) -> sa.Table:
    return sa.Table(
        "tenant",
        metadata,
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("slug", sa.String(63), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("modified_at", UTCDateTime(), nullable=False),
    )


class TenantDirectory:
    def __init__(self, table: sa.Table) -> None:
        self.table = table

    async def upsert(self, session: WriteSession, tenant_id: UUID, slug: str, name: str) -> None:
        now = utcnow()
        updated = await session.execute(
            self.table.update()
            .where(self.table.c.id == tenant_id)
            .values(slug=slug, name=name, modified_at=now)
        )
        if not updated.rowcount:  # type: ignore[attr-defined]
            await session.execute(
                self.table.insert().values(
                    id=tenant_id, slug=slug, name=name, created_at=now, modified_at=now
                )
            )

    async def name_of(self, session: ReadSession, tenant_id: UUID) -> str | None:
        return await session.scalar(
            sa.select(self.table.c.name).where(self.table.c.id == tenant_id)
        )

    async def id_of(self, session: ReadSession, slug: str) -> UUID | None:
        return await session.scalar(sa.select(self.table.c.id).where(self.table.c.slug == slug))

    async def slug_of(self, session: ReadSession, tenant_id: UUID) -> str | None:
        return await session.scalar(
            sa.select(self.table.c.slug).where(self.table.c.id == tenant_id)
        )

    async def known(self, session: ReadSession, tenant_id: UUID) -> dict[str, object] | None:
        query = sa.select(self.table).where(self.table.c.id == tenant_id)
        row = (await session.execute(query)).mappings().first()
        return dict(row) if row is not None else None

    def handlers(self) -> dict[str, Handler]:
        async def on_tenant_created(session: WriteSession, envelope: EventEnvelope) -> None:
            event = envelope.event_as(TenantCreated)
            await self.upsert(session, event.tenant_id, event.slug, event.name)

        return {TenantCreated.event_type: on_tenant_created}


class TenantKnown(BaseModel):
    id: UUID
    slug: str
    name: str


def tenant_directory_router(directory: TenantDirectory) -> APIRouter:
    """``GET /tenant``: what this service knows of the caller's tenant (from its read model)."""
    router = transactional_router(tags=["tenant"])

    @router.get("/tenant", response_model=TenantKnown)
    async def known_tenant(tenant_id: TenantId, session: ReadSessionDep) -> TenantKnown:
        row = await directory.known(session, tenant_id)
        if row is None:
            raise NotFound("Cette structure n'est pas (encore) connue de ce service.")
        return TenantKnown.model_validate(row)

    return router
