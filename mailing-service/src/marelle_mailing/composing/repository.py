from __future__ import annotations

from uuid import UUID

from sqlmodel import col

from marelle_kit.repository import Repository
from marelle_mailing.models import MailTemplate


class TemplateRepository(Repository[MailTemplate]):
    model = MailTemplate

    async def by_key(self, tenant_id: UUID, key: str) -> MailTemplate | None:
        return await self.get_one_or_none(
            self.scoped(tenant_id).where(col(MailTemplate.key) == key)
        )

    async def of_tenant(self, tenant_id: UUID) -> list[MailTemplate]:
        return list(
            await self.session.scalars(self.scoped(tenant_id).order_by(col(MailTemplate.name)))
        )
