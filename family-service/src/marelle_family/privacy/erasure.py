"""RGPD erasure and retention: staff anonymise a household whose balance is settled; the
household's row stays (family number, "Foyer effacé") so invoices keep their reference, every
personal field is cleared, people and documents are deleted, and the fact is published so the
other services erase or anonymise their copies."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from sqlalchemy import delete, exists, or_
from sqlmodel import col, select

from marelle_contracts import HouseholdErased
from marelle_family.guardians.service import GuardianService
from marelle_family.models import (
    Adult,
    AuthorisedContact,
    ChangeRequest,
    Child,
    Document,
    DocumentBlob,
    Guardian,
    Household,
    HouseholdBalance,
    Tenant,
    events,
)
from marelle_kit.clock import utcnow
from marelle_kit.database import WriteSession
from marelle_kit.errors import Conflict
from marelle_kit.events import record_event

ERASED_NAME = "Foyer effacé"
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


class UnpaidBalance(Conflict):
    type = "unpaid-balance"
    title = "Solde non réglé"


class AlreadyErased(Conflict):
    type = "already-erased"
    title = "Foyer déjà effacé"


async def erase_household(session: WriteSession, household: Household) -> list[UUID]:
    """Anonymise the household; returns the ids of the documents whose bytes must go too."""
    if household.erased_at is not None:
        raise AlreadyErased("Ce foyer a déjà été effacé.")
    balance = await session.get(HouseholdBalance, household.id)
    if balance is not None and balance.balance_cents != 0:
        amount = f"{balance.balance_cents / 100:.2f}".replace(".", ",")
        raise UnpaidBalance(
            f"Le solde du foyer n'est pas nul ({amount} €) : régularisez-le avant l'effacement."
        )
    guardians = GuardianService(session)
    for guardian in await guardians.of_household(household.tenant_id, household.id):
        await guardians.remove(household.tenant_id, household.id, guardian.id)
    documents = list(
        await session.scalars(select(Document.id).where(col(Document.household_id) == household.id))
    )
    await session.execute(delete(DocumentBlob).where(col(DocumentBlob.id).in_(documents)))
    for table in (Document, ChangeRequest, AuthorisedContact, Child, Adult):
        await session.execute(delete(table).where(col(table.household_id) == household.id))
    for name in PERSONAL_FIELDS:
        setattr(household, name, None)
    household.name = ERASED_NAME
    household.email_authorised = False
    household.sms_authorised = False
    household.erased_at = utcnow()
    session.add(household)
    await session.flush()
    await record_event(
        session,
        events,
        HouseholdErased(household_id=household.id, family_number=household.family_number),
        tenant_id=household.tenant_id,
        key=household.id,
    )
    return documents


async def past_retention(session: WriteSession, tenant: Tenant) -> list[Household]:
    """Households untouched (record, people, children) for longer than the tenant keeps them."""
    cutoff = utcnow() - timedelta(days=365 * tenant.retention_years)
    recent_guardian = exists().where(
        col(Guardian.household_id) == col(Household.id), col(Guardian.modified_at) >= cutoff
    )
    recent_child = exists().where(
        col(Child.household_id) == col(Household.id), col(Child.modified_at) >= cutoff
    )
    return list(
        await session.scalars(
            select(Household)
            .where(
                col(Household.tenant_id) == tenant.id,
                col(Household.erased_at).is_(None),
                col(Household.modified_at) < cutoff,
                ~or_(recent_guardian, recent_child),
            )
            .order_by(col(Household.modified_at))
        )
    )
