"""Transactional mails: queued once per fact (deduplication key), delivered by the dispatcher."""

from __future__ import annotations

from uuid import UUID

from marelle_contracts import AccountLocked, PasswordResetRequested
from marelle_kit.database import WriteSession
from marelle_mailing.mails.rendering import (
    AccountLockedMail,
    PasswordLinkMail,
    RenderedMail,
    render_account_locked,
    render_password_link,
)
from marelle_mailing.mails.repository import MailRepository
from marelle_mailing.models import Mail, tenants
from marelle_mailing.settings import MailingSettings


class MailService:
    def __init__(self, session: WriteSession, settings: MailingSettings) -> None:
        self.session = session
        self.mails = MailRepository(session)
        self.settings = settings

    async def queue(
        self, tenant_id: UUID, dedup_key: str, template: str, to: str, rendered: RenderedMail
    ) -> Mail | None:
        if await self.mails.by_dedup_key(dedup_key) is not None:
            return None  # this fact already produced its mail
        mail = Mail(
            tenant_id=tenant_id,
            dedup_key=dedup_key,
            template=template,
            to_address=to,
            subject=rendered.subject,
            html=rendered.html,
            text=rendered.text,
        )
        await self.mails.add(mail)
        return mail

    async def portal_url(self, tenant_id: UUID) -> str:
        slug = await tenants.slug_of(self.session, tenant_id)
        return self.settings.portal_url.replace("{slug}", slug or "").rstrip("/")

    async def tenant_name(self, tenant_id: UUID) -> str:
        return await tenants.name_of(self.session, tenant_id) or "votre commune"

    async def password_link(
        self, tenant_id: UUID, dedup_key: str, event: PasswordResetRequested
    ) -> Mail | None:
        view = PasswordLinkMail(
            tenant_name=await self.tenant_name(tenant_id),
            first_name=event.first_name,
            purpose=event.purpose,
            link=f"{await self.portal_url(tenant_id)}/mot-de-passe/{event.token}",
            expires_at=event.expires_at,
        )
        rendered = render_password_link(view)
        return await self.queue(tenant_id, dedup_key, "password_link", event.email, rendered)

    async def account_locked(
        self, tenant_id: UUID, dedup_key: str, event: AccountLocked
    ) -> Mail | None:
        view = AccountLockedMail(
            tenant_name=await self.tenant_name(tenant_id),
            first_name=event.first_name,
            portal_url=await self.portal_url(tenant_id) + "/",
            locked_until=event.locked_until,
        )
        rendered = render_account_locked(view)
        return await self.queue(tenant_id, dedup_key, "account_locked", event.email, rendered)
