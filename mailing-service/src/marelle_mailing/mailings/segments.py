"""Recipients by criteria, from the read models only (never a call to another service).

Site and activity come from booking's cells (a child with a booking, an attendance or an
absence there in the period): booking publishes no enrolment fact yet. « Missing document » and
« record not validated » need facts the family-service does not publish (no document or
validation event): they are refused with a clear problem rather than guessed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from marelle_kit.database import WriteSession
from marelle_kit.localtime import local_today
from marelle_mailing import catalogue
from marelle_mailing.composing.context import Recipient, recipients_of
from marelle_mailing.directory.repository import (
    CellRepository,
    ChildRepository,
    GuardianRepository,
    HouseholdRepository,
)
from marelle_mailing.mailings.repository import UnsubscriptionRepository
from marelle_mailing.mailings.schemas import Criteria
from marelle_mailing.models import ChildCopy, GuardianCopy, HouseholdCopy
from marelle_mailing.publications.service import school_year_start


@dataclass(frozen=True)
class Member:
    household: HouseholdCopy
    guardians: list[GuardianCopy]
    children: list[ChildCopy]
    recipients: list[Recipient]


@dataclass
class Segment:
    members: list[Member] = field(default_factory=list)
    refused: int = 0  # matched, but refuse this channel
    without_address: int = 0
    unsubscribed: int = 0  # addresses left out

    @property
    def addresses(self) -> int:
        return sum(len(m.recipients) for m in self.members)


def _folded(values: list[str]) -> set[str]:
    return {v.casefold().strip() for v in values if v.strip()}


async def matching(
    session: WriteSession, tenant_id: UUID, criteria: Criteria, today: date | None = None
) -> list[tuple[HouseholdCopy, list[GuardianCopy], list[ChildCopy]]]:
    """The households matching the criteria (consents not applied yet), by family number."""
    if criteria.missing_document is not None:
        raise catalogue.CriterionUnavailable(
            catalogue.MISSING_DOCUMENT_UNAVAILABLE,
            field="criteria.missing_document",
        )
    if criteria.record_not_validated:
        raise catalogue.CriterionUnavailable(
            catalogue.NOT_VALIDATED_UNAVAILABLE,
            field="criteria.record_not_validated",
        )
    today = today or local_today()
    households = await HouseholdRepository(session).of_tenant(tenant_id)
    households = [h for h in households if h.name or h.family_number]  # stubs are not families
    if criteria.households:
        chosen = set(criteria.households)
        households = [h for h in households if h.id in chosen]
    if criteria.unpaid_balance:
        households = [h for h in households if h.balance_cents > 0]
    if criteria.never_signed_in:
        households = [h for h in households if h.first_signed_in_at is None]
    if criteria.activities or criteria.sites:
        attending = await CellRepository(session).households_attending(
            tenant_id,
            activity_ids=criteria.activities or None,
            site_ids=criteria.sites or None,
            first_day=criteria.period_from or school_year_start(today),
            last_day=criteria.period_to,
        )
        households = [h for h in households if h.id in attending]
    ids = [h.id for h in households]
    children = await ChildRepository(session).of_households(tenant_id, ids)
    schools, levels = _folded(criteria.schools), _folded(criteria.levels)
    if schools or levels:

        def fits(child: ChildCopy) -> bool:
            return (not schools or (child.school or "").casefold().strip() in schools) and (
                not levels or (child.level or "").casefold().strip() in levels
            )

        households = [h for h in households if any(fits(c) for c in children[h.id])]
    guardians = await GuardianRepository(session).of_households(
        tenant_id, [h.id for h in households]
    )
    return [(h, guardians[h.id], children[h.id]) for h in households]


async def email_segment(
    session: WriteSession, tenant_id: UUID, criteria: Criteria, today: date | None = None
) -> Segment:
    """Who a grouped mail reaches: the e-mail authorisation respected, unsubscribed addresses
    left out, households without any address counted apart."""
    segment = Segment()
    matched = await matching(session, tenant_id, criteria, today)
    all_addresses = {r.address for _h, g, _c in matched for r in recipients_of(g)}
    unsubscribed = await UnsubscriptionRepository(session).among(tenant_id, all_addresses)
    for household, guardians, children in matched:
        if not household.email_authorised:
            segment.refused += 1
            continue
        recipients = recipients_of(guardians)
        kept = [r for r in recipients if r.address.lower() not in unsubscribed]
        segment.unsubscribed += len(recipients) - len(kept)
        if not recipients:
            segment.without_address += 1
            continue
        if kept:
            segment.members.append(Member(household, guardians, children, kept))
    return segment
