"""family.household.erased: what mailing holds of the household goes. Conversations (with their
messages and attachments' bytes), the mails sent to it and their attachments of its own, its
per-recipient mailing documents, SMS, acknowledgements and visits are deleted; the addresses'
unsubscriptions too; the read models forget its people, children, cells and invoices. The
household's row stays, anonymised and marked erased, so a late fact about it changes nothing."""

from __future__ import annotations

from uuid import UUID

from marelle_kit.clock import utcnow
from marelle_kit.database import WriteSession
from marelle_mailing import catalogue
from marelle_mailing.directory.repository import (
    CellRepository,
    ChildRepository,
    GuardianRepository,
    HouseholdRepository,
)
from marelle_mailing.files.service import Files
from marelle_mailing.mailings.repository import MailingRepository, UnsubscriptionRepository
from marelle_mailing.mails.repository import MailRepository
from marelle_mailing.messaging.service import Messaging
from marelle_mailing.publications.service import Publications
from marelle_mailing.settings import MailingSettings
from marelle_mailing.sms.repository import SmsRepository


async def erase_household(
    session: WriteSession, settings: MailingSettings, tenant_id: UUID, household_id: UUID
) -> None:
    households = HouseholdRepository(session)
    household = await households.lock(household_id)
    if household is not None and household.tenant_id != tenant_id:
        return  # not this tenant's: nothing of ours
    guardians = GuardianRepository(session)
    addresses = {
        g.email.lower() for g in await guardians.of_household(tenant_id, household_id) if g.email
    }
    await Messaging(session, settings).erase_household(household_id, tenant_id)
    await Publications(session, settings).erase_household(household_id)
    addresses |= {a.lower() for a in await MailRepository(session).erase_household(household_id)}
    documents = await MailingRepository(session).erase_household(household_id)
    await Files(session, settings).remove(tenant_id, documents)
    await UnsubscriptionRepository(session).forget(tenant_id, addresses)
    await SmsRepository(session).erase_household(household_id)
    await guardians.delete_of_household(household_id)
    await ChildRepository(session).delete_of_household(household_id)
    await CellRepository(session).delete_of_household(household_id)
    await households.erase_invoices(household_id)
    if household is None:
        return
    household.name = catalogue.ERASED_HOUSEHOLD
    household.postcode = household.city = None
    household.email_authorised = household.sms_authorised = False
    household.balance_cents = 0
    household.quotient_valid_until = None
    household.erased_at = utcnow()
    await households.add(household)
