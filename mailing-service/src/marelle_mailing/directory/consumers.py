"""The facts the read models follow (family, booking, billing, auth)."""

from __future__ import annotations

from marelle_contracts import (
    AbsenceDeclared,
    AbsenceValidated,
    AccountFirstSignedIn,
    ActivityPublished,
    BalanceChanged,
    BookingCancelled,
    BookingGranted,
    BookingMade,
    BookingRefused,
    BookingWaitlisted,
    ChildAdded,
    ChildChanged,
    ClosureDeclared,
    GuardianAdded,
    GuardianDetailsChanged,
    GuardianEmailChanged,
    GuardianRemoved,
    HouseholdCreated,
    HouseholdDetailsChanged,
    QuotientChanged,
    RegisterClosed,
)
from marelle_kit.database import WriteSession
from marelle_kit.events import EventEnvelope, Handler
from marelle_mailing.directory.service import Directory


async def on_household_created(session: WriteSession, envelope: EventEnvelope) -> None:
    event = envelope.event_as(HouseholdCreated)
    await Directory(session).household_created(
        envelope.tenant_id, event.household_id, event.family_number, event.name
    )


async def on_household_details(session: WriteSession, envelope: EventEnvelope) -> None:
    event = envelope.event_as(HouseholdDetailsChanged)
    await Directory(session).household_details(
        envelope.tenant_id,
        event.household_id,
        postcode=event.postcode,
        city=event.city,
        email_authorised=event.email_authorised,
        sms_authorised=event.sms_authorised,
    )


async def on_quotient(session: WriteSession, envelope: EventEnvelope) -> None:
    event = envelope.event_as(QuotientChanged)
    await Directory(session).quotient(envelope.tenant_id, event.household_id, event.valid_until)


async def on_guardian_added(session: WriteSession, envelope: EventEnvelope) -> None:
    await Directory(session).guardian_added(envelope.tenant_id, envelope.event_as(GuardianAdded))


async def on_guardian_email(session: WriteSession, envelope: EventEnvelope) -> None:
    event = envelope.event_as(GuardianEmailChanged)
    await Directory(session).guardian_email(event.guardian_id, event.email)


async def on_guardian_details(session: WriteSession, envelope: EventEnvelope) -> None:
    event = envelope.event_as(GuardianDetailsChanged)
    await Directory(session).guardian_details(
        event.guardian_id, event.first_name, event.last_name, event.phone
    )


async def on_guardian_removed(session: WriteSession, envelope: EventEnvelope) -> None:
    await Directory(session).guardian_removed(envelope.event_as(GuardianRemoved).guardian_id)


async def on_child_added(session: WriteSession, envelope: EventEnvelope) -> None:
    await Directory(session).child(envelope.tenant_id, envelope.event_as(ChildAdded))


async def on_child_changed(session: WriteSession, envelope: EventEnvelope) -> None:
    await Directory(session).child(envelope.tenant_id, envelope.event_as(ChildChanged))


async def on_activity(session: WriteSession, envelope: EventEnvelope) -> None:
    event = envelope.event_as(ActivityPublished)
    await Directory(session).activity(
        envelope.tenant_id,
        event.activity_id,
        code=event.code,
        name=event.name,
        kind=event.kind.value,
        site_id=event.site_id,
        site_name=event.site_name,
        active=event.active,
    )


async def on_balance(session: WriteSession, envelope: EventEnvelope) -> None:
    event = envelope.event_as(BalanceChanged)
    await Directory(session).balance(envelope.tenant_id, event.household_id, event.balance_cents)


async def on_first_sign_in(session: WriteSession, envelope: EventEnvelope) -> None:
    event = envelope.event_as(AccountFirstSignedIn)
    if event.household_id is not None:  # staff accounts have none
        await Directory(session).signed_in(
            envelope.tenant_id, event.household_id, event.signed_in_at
        )


# The cell events whose only use here is the read model (the notifications module handles
# the refused, granted and closure facts and updates the cells itself).
CELL_EVENTS = (
    BookingMade,
    BookingCancelled,
    BookingWaitlisted,
    AbsenceDeclared,
    AbsenceValidated,
    RegisterClosed,
)
NOTIFIED_CELL_EVENTS = (BookingRefused, BookingGranted, ClosureDeclared)


async def on_cells(session: WriteSession, envelope: EventEnvelope) -> None:
    event = envelope.event()
    cells = getattr(event, "cells", None)
    if cells:
        await Directory(session).cells(envelope.tenant_id, cells)


handlers: dict[str, Handler] = {
    HouseholdCreated.event_type: on_household_created,
    HouseholdDetailsChanged.event_type: on_household_details,
    QuotientChanged.event_type: on_quotient,
    GuardianAdded.event_type: on_guardian_added,
    GuardianEmailChanged.event_type: on_guardian_email,
    GuardianDetailsChanged.event_type: on_guardian_details,
    GuardianRemoved.event_type: on_guardian_removed,
    ChildAdded.event_type: on_child_added,
    ChildChanged.event_type: on_child_changed,
    ActivityPublished.event_type: on_activity,
    BalanceChanged.event_type: on_balance,
    AccountFirstSignedIn.event_type: on_first_sign_in,
    **{event.event_type: on_cells for event in CELL_EVENTS},
}
