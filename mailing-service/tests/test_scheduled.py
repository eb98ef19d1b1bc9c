"""Scheduled notices: the deadline reminder the day before a weekly deadline to the families
that booked nothing for the week (opt-in per tenant), and the expiry notice of the family
quotient; each sent once however often the job runs."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from test_messaging import admin, agent
from test_publications import book, publish_activity

from marelle_contracts import QuotientChanged
from marelle_kit.jobs import InProcessJobRunner
from marelle_mailing.mails.delivery import LocalMailbox
from marelle_mailing.notifications.jobs import scheduled_notices
from marelle_mailing.notifications.scheduled import (
    deadline_reminders,
    expiry_notices,
    reminder_due,
)
from marelle_mailing.settings import MailingSettings
from marelle_testkit.plugin import ServiceUnderTest
from marelle_testkit.tokens import TokenFactory

from mailing_world import TENANT, add_household, deliver_round, mails

# Wednesday 14 January 2026, 10:00 in Paris (09:00 UTC); the deadline: Thursday 23:59.
WEDNESDAY = datetime(2026, 1, 14, 9, 0, tzinfo=UTC)
THURSDAY = 3


def test_the_reminder_is_due_the_day_before_the_deadline_for_the_week_it_closes() -> None:
    due = reminder_due(WEDNESDAY, THURSDAY, time(23, 59))
    assert due is not None
    deadline, week = due
    assert deadline == datetime(2026, 1, 15, 22, 59, tzinfo=UTC)  # 23:59 in Paris
    assert (week.monday, week.sunday) == (date(2026, 1, 19), date(2026, 1, 25))
    assert week.label == "du lundi 19 janvier 2026 au dimanche 25 janvier 2026"
    assert reminder_due(WEDNESDAY - timedelta(hours=2), THURSDAY, time(23, 59)) is None  # 08:00
    assert reminder_due(WEDNESDAY + timedelta(days=1), THURSDAY, time(23, 59)) is None
    # Across the DST change: Saturday 28 March 2026, deadline Sunday 29 at 12:00 (UTC+2).
    due = reminder_due(datetime(2026, 3, 28, 10, 0, tzinfo=UTC), 6, time(12, 0))
    assert due is not None and due[0] == datetime(2026, 3, 29, 10, 0, tzinfo=UTC)


async def enable_reminders(svc: ServiceUnderTest, tokens: TokenFactory) -> None:
    settings = (await svc.client.get("/settings/communication", headers=admin(tokens))).json()
    answer = await svc.client.put(
        "/settings/communication",
        json={
            **settings,
            "deadline_reminder_enabled": True,
            "deadline_weekday": THURSDAY,
            "deadline_time": "23:59:00",
        },
        headers=admin(tokens),
    )
    assert answer.status_code == 200, answer.text


async def test_families_that_booked_nothing_get_one_reminder(
    mailing: ServiceUnderTest, tokens: TokenFactory
) -> None:
    await publish_activity(mailing)
    booked = await add_household(
        mailing, name="ALAIN", number="000001", guardians=(("Paul", "paul@exemple.fr"),)
    )
    idle = await add_household(
        mailing, name="BRUN", number="000002", guardians=(("Marc", "marc@exemple.fr"),)
    )
    refuses = await add_household(
        mailing,
        name="COLIN",
        number="000003",
        guardians=(("Inès", "ines@exemple.fr"),),
        email_authorised=False,
    )
    await add_household(
        mailing, name="DUPONT", number="000004", guardians=(("Jean", "jean@exemple.fr"),)
    )
    for household in (booked, idle, refuses):  # active this school year
        await book(mailing, household, date(2025, 12, 1))
    await book(mailing, booked, date(2026, 1, 20))  # booked for the week the deadline closes
    settings = MailingSettings()

    async with mailing.runtime.database.transaction() as session:
        assert await deadline_reminders(session, settings, WEDNESDAY) == 0  # not opted in
    await enable_reminders(mailing, tokens)
    for _ in range(2):  # the job runs again: nothing twice
        async with mailing.runtime.database.transaction() as session:
            await deadline_reminders(session, settings, WEDNESDAY)
    [reminder] = await mails(mailing)
    assert reminder.to_address == "marc@exemple.fr" and reminder.kind == "grouped"
    assert "jeudi 15 janvier 2026 à 23 h 59" in reminder.text
    assert "du lundi 19 janvier 2026 au dimanche 25 janvier 2026" in reminder.text
    assert reminder.unsubscribe_token is not None


async def test_the_quotient_expiry_notice_goes_once_within_the_notice_period(
    mailing: ServiceUnderTest, tokens: TokenFactory
) -> None:
    soon = await add_household(
        mailing, name="ALAIN", number="000001", guardians=(("Paul", "paul@exemple.fr"),)
    )
    later = await add_household(
        mailing, name="BRUN", number="000002", guardians=(("Marc", "marc@exemple.fr"),)
    )
    today = date(2026, 8, 1)
    for household, until in ((soon, date(2026, 8, 31)), (later, date(2026, 12, 31))):
        await mailing.deliver(
            QuotientChanged(
                household_id=household, quotient=650, valid_until=until, benefits_scheme="caf"
            ),
            tenant_id=TENANT,
            key=household,
        )
    settings = MailingSettings()
    for _ in range(2):
        async with mailing.runtime.database.transaction() as session:
            await expiry_notices(session, settings, today)
    [notice] = await mails(mailing)
    assert notice.to_address == "paul@exemple.fr" and notice.kind == "transactional"
    assert "attestation de quotient familial expire le 31/08/2026" in notice.subject
    # A new validity date is a new notice, in its own time.
    await mailing.deliver(
        QuotientChanged(
            household_id=soon, quotient=650, valid_until=date(2026, 8, 20), benefits_scheme="caf"
        ),
        tenant_id=TENANT,
        key=soon,
    )
    async with mailing.runtime.database.transaction() as session:
        await expiry_notices(session, settings, today)
    assert len(await mails(mailing)) == 2


async def test_the_job_runs_both_and_the_mails_leave(
    mailing: ServiceUnderTest, tokens: TokenFactory
) -> None:
    runner = mailing.runtime.jobs
    assert isinstance(runner, InProcessJobRunner)
    assert {
        "mailing.scheduled-notices",
        "mailing.send-sms",
        "mailing.deliver-due",
        "mailing.send-mail",
    } <= set(runner.jobs)
    await runner.run(scheduled_notices)  # nothing due: runs clean
    assert await deliver_round(mailing, MailingSettings(), LocalMailbox()) == []


async def test_agents_cannot_enable_reminders(
    mailing: ServiceUnderTest, tokens: TokenFactory
) -> None:
    answer = await mailing.client.get("/settings/communication", headers=agent(tokens))
    assert answer.status_code == 403
