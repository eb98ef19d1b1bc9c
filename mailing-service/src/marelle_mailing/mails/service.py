"""Mails: queued once per fact (deduplication key), delivered by the dispatcher.

What is stored is the copy staff may read (issue 9 item 1): a personal link is never written in
it, only a placeholder; the password link's token stays sealed (only this service's link key
opens it) until the delivery writes the link into the mail that leaves, then it is forgotten."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from uuid import UUID

from marelle_contracts import AccountLocked, PasswordResetRequested
from marelle_kit import formats
from marelle_kit.database import WriteSession
from marelle_mailing import catalogue
from marelle_mailing.composing.context import Links
from marelle_mailing.composing.rendering import Layout, RenderedMail
from marelle_mailing.composing.service import Composer
from marelle_mailing.directory.repository import GuardianRepository
from marelle_mailing.mails.rendering import PasswordLinkMail, render_password_link
from marelle_mailing.mails.repository import MailRepository
from marelle_mailing.models import Mail
from marelle_mailing.settings import MailingSettings

# Where a secret goes in a stored mail; written in only on the way out.
LINK_PLACEHOLDER = "[[marelle:lien-personnel]]"
UNSUBSCRIBE_PLACEHOLDER = "[[marelle:desabonnement]]"


def redacted(body: str) -> str:
    return body.replace(LINK_PLACEHOLDER, catalogue.REDACTED_LINK).replace(
        UNSUBSCRIBE_PLACEHOLDER, catalogue.REDACTED_UNSUBSCRIBE
    )


class MailQueue:
    def __init__(self, session: WriteSession, settings: MailingSettings) -> None:
        self.session = session
        self.settings = settings
        self.mails = MailRepository(session)
        self.links = Links(session, settings)

    async def queue(
        self,
        tenant_id: UUID,
        dedup_key: str,
        template: str,
        to: str,
        rendered: RenderedMail,
        *,
        kind: str = "transactional",
        household_id: UUID | None = None,
        mailing_id: UUID | None = None,
        file_ids: Iterable[UUID] = (),
        sealed_secret: str | None = None,
    ) -> Mail | None:
        if await self.mails.by_dedup_key(dedup_key) is not None:
            return None  # this fact already produced its mail
        if household_id is None:
            household_id = await GuardianRepository(self.session).household_of_email(tenant_id, to)
        mail = Mail(
            tenant_id=tenant_id,
            dedup_key=dedup_key[:200],
            template=template,
            kind=kind,
            household_id=household_id,
            mailing_id=mailing_id,
            to_address=to,
            subject=rendered.subject,
            html=rendered.html,
            text=rendered.text,
            sealed_secret=sealed_secret,
            unsubscribe_token=secrets.token_urlsafe(24) if kind == "grouped" else None,
        )
        await self.mails.add(mail)
        await self.mails.add_files(mail, file_ids)
        return mail

    async def from_template(
        self,
        tenant_id: UUID,
        key: str,
        context: dict[str, object],
        *,
        to: str,
        dedup_key: str,
        household_id: UUID | None,
    ) -> Mail | None:
        """A transactional mail from the tenant's version of a shipped template."""
        if await self.mails.by_dedup_key(dedup_key) is not None:
            return None
        base = await self.links.common(tenant_id)
        rendered = await Composer(self.session).render(
            tenant_id, key, {**base, **context}, Layout(tenant_name=str(base["commune"]))
        )
        return await self.queue(tenant_id, dedup_key, key, to, rendered, household_id=household_id)

    async def password_link(
        self, tenant_id: UUID, dedup_key: str, event: PasswordResetRequested, household: str
    ) -> Mail | None:
        view = PasswordLinkMail(
            tenant_name=await self.links.tenant_name(tenant_id),
            first_name=event.first_name,
            purpose=event.purpose,
            link=LINK_PLACEHOLDER,
            expires_at=event.expires_at,
        )
        household_id = _uuid_or_none(household)
        return await self.queue(
            tenant_id,
            dedup_key,
            "password_link",
            event.email,
            render_password_link(view),
            household_id=household_id,
            sealed_secret=event.sealed_token,
        )

    async def account_locked(
        self, tenant_id: UUID, dedup_key: str, event: AccountLocked, household: str
    ) -> Mail | None:
        return await self.from_template(
            tenant_id,
            "account_locked",
            {
                "prenom": event.first_name,
                "jusqu_au": formats.moment(event.locked_until),
                "lien": await self.links.page(tenant_id, "home"),
            },
            to=event.email,
            dedup_key=dedup_key,
            household_id=_uuid_or_none(household),
        )


def _uuid_or_none(value: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        return None
