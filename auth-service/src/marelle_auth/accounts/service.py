"""Parent accounts follow the family-service's facts about legal guardians."""

from __future__ import annotations

import logging
from uuid import UUID

from marelle_auth.accounts.repository import AccountRepository
from marelle_auth.models import Account
from marelle_auth.passwords.repository import PasswordLinkRepository
from marelle_kit.database import WriteSession

log = logging.getLogger(__name__)


class AccountService:
    def __init__(self, session: WriteSession) -> None:
        self.accounts = AccountRepository(session)
        self.links = PasswordLinkRepository(session)

    async def guardian_added(
        self,
        tenant_id: UUID,
        household_id: UUID,
        guardian_id: UUID,
        email: str | None,
        first_name: str,
        last_name: str,
    ) -> None:
        account = await self.accounts.by_guardian(guardian_id)
        if account is None:
            if email is None:
                return  # no e-mail, no login (yet)
            account = Account(
                tenant_id=tenant_id,
                email=email,
                kind="parent",
                household_id=household_id,
                guardian_id=guardian_id,
                first_name=first_name,
                last_name=last_name,
            )
        await self._take_email(account, email)
        account.first_name, account.last_name = first_name, last_name
        await self.accounts.save(account)

    async def guardian_email_changed(self, guardian_id: UUID, email: str | None) -> None:
        """The login moves with the e-mail; links sent to the old address stop working."""
        account = await self.accounts.by_guardian(guardian_id)
        if account is None:
            return
        await self._take_email(account, email)
        await self.links.void_all(account.id)
        await self.accounts.save(account)

    async def guardian_removed(self, guardian_id: UUID) -> None:
        account = await self.accounts.by_guardian(guardian_id)
        if account is None:
            return
        account.active = False
        await self.links.void_all(account.id)
        await self.accounts.save(account)

    async def _take_email(self, account: Account, email: str | None) -> None:
        if email is None:
            account.active = False
            return
        holder = await self.accounts.by_email(account.tenant_id, email)
        if holder is not None and holder.id != account.id:
            # The family-service keeps e-mails unique per tenant; a stale holder (e.g. a removed
            # guardian's disabled account) gives the address up.
            log.warning("e-mail reassigned from account %s to %s", holder.id, account.id)
            holder.email = f"{holder.id}@retired.invalid"
            holder.active = False
            await self.links.void_all(holder.id)
            await self.accounts.save(holder)
        account.email = email
        account.active = True
