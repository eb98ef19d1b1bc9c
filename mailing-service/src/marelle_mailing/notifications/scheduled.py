"""Scheduled notices: the reminder the day before a weekly booking deadline to the families
that have booked nothing for the week it closes (per tenant, opt-in), and the notice that a
document of the family's record is about to expire.

What they rest on, and what is missing: booking publishes neither the activities' deadlines
nor enrolments, so the tenant states its weekly deadline (weekday and time) in its
communication settings and « the families concerned » are those with a booking, attendance or
absence this school year (booking's cells); with a ``booking.enrolment.*`` fact and the
deadline in ``booking.activity.published`` they would be exact. The family-service publishes
no document facts (no expiry of an insurance or a certificate): the expiry notice covers the
family quotient's validity date (``family.quotient.changed``), the one document date it
publishes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from uuid import UUID

from marelle_kit import formats
from marelle_kit.database import WriteSession
from marelle_kit.localtime import local_instant, local_today, to_local
from marelle_mailing import catalogue
from marelle_mailing.composing.context import Links, household_fields, recipients_of
from marelle_mailing.composing.rendering import Layout, in_layout, render_source
from marelle_mailing.composing.service import Composer
from marelle_mailing.configuration.repository import SettingsRepository
from marelle_mailing.configuration.service import Configuration
from marelle_mailing.directory.repository import (
    CellRepository,
    ChildRepository,
    GuardianRepository,
    HouseholdRepository,
)
from marelle_mailing.mailings.repository import UnsubscriptionRepository
from marelle_mailing.mails.service import UNSUBSCRIBE_PLACEHOLDER, MailQueue
from marelle_mailing.notifications.repository import NoticeRepository
from marelle_mailing.notifications.service import Notifier
from marelle_mailing.publications.service import school_year_start
from marelle_mailing.settings import MailingSettings

# Reminders leave from this local hour on the day before the deadline.
REMINDER_FROM = time(9, 0)


@dataclass(frozen=True)
class Week:
    monday: date

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    @property
    def label(self) -> str:
        return catalogue.WEEK.format(
            monday=formats.long_day(self.monday), sunday=formats.long_day(self.sunday)
        )


def reminder_due(now: datetime, weekday: int, at: time) -> tuple[datetime, Week] | None:
    """On the day before the weekly deadline (from REMINDER_FROM): the deadline's instant and
    the week it closes (the one starting the Monday after the deadline). Pure."""
    local = to_local(now)
    deadline_day = local.date() + timedelta(days=1)
    if deadline_day.weekday() != weekday or local.time() < REMINDER_FROM:
        return None
    monday = deadline_day + timedelta(days=7 - deadline_day.weekday())
    return local_instant(deadline_day, at), Week(monday)


async def deadline_reminders(
    session: WriteSession, settings: MailingSettings, now: datetime
) -> int:
    """Queue the reminders due now (once per tenant, week and household). Returns mails
    queued. Grouped mails: the e-mail authorisation and unsubscriptions are respected."""
    queued = 0
    for tenant in await SettingsRepository(session).with_reminders():
        if tenant.deadline_weekday is None or tenant.deadline_time is None:
            continue
        due = reminder_due(now, tenant.deadline_weekday, tenant.deadline_time)
        if due is None:
            continue
        deadline, week = due
        queued += await _remind_tenant(session, settings, tenant.tenant_id, deadline, week)
    return queued


async def _remind_tenant(
    session: WriteSession,
    settings: MailingSettings,
    tenant_id: UUID,
    deadline: datetime,
    week: Week,
) -> int:
    cells = CellRepository(session)
    today = local_today(deadline)
    active = await cells.households_attending(
        tenant_id,
        activity_ids=None,
        site_ids=None,
        first_day=school_year_start(today),
        last_day=None,
    )
    booked = await cells.households_attending(
        tenant_id, activity_ids=None, site_ids=None, first_day=week.monday, last_day=week.sunday
    )
    households = await HouseholdRepository(session).many(tenant_id, sorted(active - booked))
    households = [h for h in households if h.email_authorised and h.erased_at is None]
    if not households:
        return 0
    ids = [h.id for h in households]
    guardians = await GuardianRepository(session).of_households(tenant_id, ids)
    children = await ChildRepository(session).of_households(tenant_id, ids)
    unsubscribed = await UnsubscriptionRepository(session).among(
        tenant_id, {r.address for g in guardians.values() for r in recipients_of(g)}
    )
    links = Links(session, settings)
    base = await links.common(tenant_id)
    source = await Composer(session).source(tenant_id, "deadline_reminder")
    layout = Layout(tenant_name=str(base["commune"]), unsubscribe_url=UNSUBSCRIBE_PLACEHOLDER)
    notices = NoticeRepository(session)
    queue = MailQueue(session, settings)
    queued = 0
    for household in households:
        if not await notices.claim(tenant_id, f"deadline:{tenant_id}:{week.monday}:{household.id}"):
            continue
        for recipient in recipients_of(guardians[household.id]):
            if recipient.address.lower() in unsubscribed:
                continue
            fields = household_fields(
                household, guardians[household.id], children[household.id], recipient
            )
            context = {
                **base,
                **fields,
                "date_butoir": catalogue.DEADLINE_AT.format(
                    day=formats.long_day(to_local(deadline).date()),
                    hour=to_local(deadline).hour,
                    minute=to_local(deadline).minute,
                ),
                "semaine": week.label,
                "lien": await links.page(tenant_id, "bookings"),
            }
            mail = await queue.queue(
                tenant_id,
                f"deadline:{week.monday}:{household.id}:{recipient.address.lower()}",
                "deadline_reminder",
                recipient.address,
                in_layout(render_source(source, context), layout),
                kind="grouped",
                household_id=household.id,
            )
            queued += mail is not None
    return queued


async def expiry_notices(session: WriteSession, settings: MailingSettings, today: date) -> int:
    """The family quotient's validity ends within the tenant's notice period: one notice per
    household and validity date."""
    config = Configuration(session)
    notices = NoticeRepository(session)
    notifier = Notifier(session, settings)
    queued = 0
    longest = today + timedelta(days=120)
    periods: dict[UUID, int] = {}
    for household in await HouseholdRepository(session).quotient_expiring(longest):
        valid_until = household.quotient_valid_until
        if valid_until is None or valid_until < today:
            continue
        if household.tenant_id not in periods:
            periods[household.tenant_id] = (await config.of(household.tenant_id)).expiry_notice_days
        if (valid_until - today).days > periods[household.tenant_id]:
            continue
        key = f"quotient-expiry:{household.id}:{valid_until}"
        if not await notices.claim(household.tenant_id, key):
            continue
        queued += await notifier.to_household(
            household.tenant_id,
            household.id,
            "document_expiring",
            {
                "document": catalogue.QUOTIENT_DOCUMENT,
                "date_expiration": formats.day(valid_until),
                "lien": await notifier.links.page(household.tenant_id, "records"),
            },
            key,
        )
    return queued
