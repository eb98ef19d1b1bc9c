"""RGPD erasure and retention: staff anonymise a household whose balance is settled; the
household's row stays (family number, "Foyer effacé") so invoices keep their reference, every
personal field is cleared, people and documents are deleted, and the fact is published so the
other services erase or anonymise their copies."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from marelle_contracts import HouseholdErased
from marelle_family import catalogue
from marelle_family.documents.repository import BlobRepository
from marelle_family.guardians.service import GuardianService, guardians_of
from marelle_family.households.repository import HouseholdRepository
from marelle_family.models import Household, Tenant, events
from marelle_family.privacy.repository import BalanceRepository, ErasureRepository
from marelle_kit.clock import utcnow
from marelle_kit.database import ReadSession, WriteSession
from marelle_kit.events import record_event

PERSONAL_FIELDS = (
    "address_street",
    "address_complement",
    "postcode",
    "city",
    "phone",
    "quotient",
    "quotient_valid_until",
    "benefits_scheme",
    "benefits_number",
    "insurer",
    "insurance_number",
    "insurance_valid_until",
    "certified_at",
    "certified_by",
    "criteria_values",
)


async def erase_household(session: WriteSession, household: Household) -> list[UUID]:
    """Anonymise the household; returns the ids of the documents whose bytes must go too."""
    if household.erased_at is not None:
        raise catalogue.AlreadyErased(catalogue.HOUSEHOLD_ALREADY_ERASED)
    balance = await BalanceRepository(session).of_household(household.id)
    if balance is not None and balance.balance_cents != 0:
        amount = f"{balance.balance_cents / 100:.2f}".replace(".", ",")
        raise catalogue.UnpaidBalance(catalogue.UNPAID_BALANCE.format(amount=amount))
    guardians = GuardianService(session)
    for guardian in await guardians_of(session, household.tenant_id, household.id):
        await guardians.remove(household.tenant_id, household.id, guardian.id)
    erasure = ErasureRepository(session)
    documents = await erasure.document_ids(household.tenant_id, household.id)
    await BlobRepository(session).remove(documents)
    await erasure.delete_people_and_papers(household.tenant_id, household.id)
    for name in PERSONAL_FIELDS:
        setattr(household, name, None)
    household.name = catalogue.ERASED_NAME
    household.email_authorised = False
    household.sms_authorised = False
    household.erased_at = utcnow()
    await HouseholdRepository(session).save(household)
    await record_event(
        session,
        events,
        HouseholdErased(household_id=household.id, family_number=household.family_number),
        tenant_id=household.tenant_id,
        key=household.id,
    )
    return documents


async def past_retention(session: ReadSession, tenant: Tenant) -> list[Household]:
    """Households untouched (record, people, children) for longer than the tenant keeps them."""
    cutoff = utcnow() - timedelta(days=365 * tenant.retention_years)
    return await HouseholdRepository(session).past_retention(tenant.id, cutoff)
