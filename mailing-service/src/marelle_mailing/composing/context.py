"""Merge-field values, built from the read models: the household's fields for one recipient,
the tenant's name and portal address, and links to the portal's pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from marelle_kit import formats
from marelle_kit.database import WriteSession
from marelle_mailing import catalogue
from marelle_mailing.models import ChildCopy, GuardianCopy, HouseholdCopy, tenants
from marelle_mailing.settings import MailingSettings

# The portal's pages the mails link to (the gateway serves them under the portal's address).
PORTAL_PAGES = {
    "home": "/",
    "messages": "/messagerie",
    "documents": "/documents",
    "bookings": "/reservations",
    "invoices": "/factures",
    "requests": "/mon-foyer/demandes",
    "records": "/mon-foyer",
    "password_link": "/mot-de-passe/",
    "staff_messages": "/admin/messagerie",
}


@dataclass(frozen=True)
class Recipient:
    """One address of a household and who it belongs to."""

    address: str
    first_name: str


class Links:
    def __init__(self, session: WriteSession, settings: MailingSettings) -> None:
        self.session = session
        self.settings = settings

    async def portal(self, tenant_id: UUID) -> str:
        slug = await tenants.slug_of(self.session, tenant_id)
        return self.settings.portal_url.replace("{slug}", slug or "").rstrip("/")

    async def page(self, tenant_id: UUID, page: str, suffix: str = "") -> str:
        return f"{await self.portal(tenant_id)}{PORTAL_PAGES[page]}{suffix}"

    async def tenant_name(self, tenant_id: UUID) -> str:
        return await tenants.name_of(self.session, tenant_id) or catalogue.SOME_TOWN

    async def common(self, tenant_id: UUID) -> dict[str, Any]:
        return {
            "commune": await self.tenant_name(tenant_id),
            "portail": await self.portal(tenant_id) + "/",
        }


def recipients_of(guardians: list[GuardianCopy]) -> list[Recipient]:
    """The guardians' distinct addresses, rank order."""
    seen: set[str] = set()
    found = []
    for guardian in guardians:
        if guardian.email and guardian.email.lower() not in seen:
            seen.add(guardian.email.lower())
            found.append(Recipient(guardian.email, guardian.first_name))
    return found


def household_fields(
    household: HouseholdCopy,
    guardians: list[GuardianCopy],
    children: list[ChildCopy],
    recipient: Recipient | None,
) -> dict[str, Any]:
    first = recipient.first_name if recipient else (guardians[0].first_name if guardians else "")
    return {
        "foyer": household.name,
        "numero_famille": household.family_number,
        "prenom": first,
        "responsables": formats.names([f"{g.first_name} {g.last_name}" for g in guardians]),
        "enfants": formats.names([c.first_name for c in children]),
        "montant_du": formats.money(household.balance_cents, cents=True)
        if household.balance_cents > 0
        else "",
    }
