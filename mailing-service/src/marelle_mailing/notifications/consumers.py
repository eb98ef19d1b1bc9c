"""The other contexts' facts that tell a family something (booking, family, billing), and the
erasure of a household."""

from __future__ import annotations

from marelle_contracts import (
    BookingGranted,
    BookingRefused,
    ChangeRequestDecided,
    ClosureDeclared,
    HouseholdErased,
    InvoiceIssued,
    PaymentFailed,
    PaymentReceived,
)
from marelle_kit.database import WriteSession
from marelle_kit.events import EventEnvelope, Handler
from marelle_mailing.directory.erasure import erase_household
from marelle_mailing.directory.service import Directory
from marelle_mailing.notifications.service import Notifier
from marelle_mailing.settings import MailingSettings


def handlers(settings: MailingSettings) -> dict[str, Handler]:
    async def on_refused(session: WriteSession, envelope: EventEnvelope) -> None:
        event = envelope.event_as(BookingRefused)
        fresh = await Directory(session).cells(envelope.tenant_id, event.cells)
        if fresh:  # a stale redelivery tells nothing new
            await Notifier(session, settings).booking_refused(
                envelope.tenant_id, envelope.id, fresh, event.reason
            )

    async def on_granted(session: WriteSession, envelope: EventEnvelope) -> None:
        event = envelope.event_as(BookingGranted)
        fresh = await Directory(session).cells(envelope.tenant_id, event.cells)
        if fresh:
            await Notifier(session, settings).booking_granted(
                envelope.tenant_id, envelope.id, fresh
            )

    async def on_closure(session: WriteSession, envelope: EventEnvelope) -> None:
        event = envelope.event_as(ClosureDeclared)
        await Directory(session).cells(envelope.tenant_id, event.cells)
        await Notifier(session, settings).closure(envelope.tenant_id, event)

    async def on_change_request(session: WriteSession, envelope: EventEnvelope) -> None:
        await Notifier(session, settings).change_request(
            envelope.tenant_id, envelope.event_as(ChangeRequestDecided)
        )

    async def on_invoice(session: WriteSession, envelope: EventEnvelope) -> None:
        await Notifier(session, settings).invoice_issued(
            envelope.tenant_id, envelope.event_as(InvoiceIssued)
        )

    async def on_payment(session: WriteSession, envelope: EventEnvelope) -> None:
        await Notifier(session, settings).payment_received(
            envelope.tenant_id, envelope.event_as(PaymentReceived)
        )

    async def on_payment_failed(session: WriteSession, envelope: EventEnvelope) -> None:
        await Notifier(session, settings).payment_failed(
            envelope.tenant_id, envelope.event_as(PaymentFailed)
        )

    async def on_erased(session: WriteSession, envelope: EventEnvelope) -> None:
        event = envelope.event_as(HouseholdErased)
        await erase_household(session, settings, envelope.tenant_id, event.household_id)

    return {
        BookingRefused.event_type: on_refused,
        BookingGranted.event_type: on_granted,
        ClosureDeclared.event_type: on_closure,
        ChangeRequestDecided.event_type: on_change_request,
        InvoiceIssued.event_type: on_invoice,
        PaymentReceived.event_type: on_payment,
        PaymentFailed.event_type: on_payment_failed,
        HouseholdErased.event_type: on_erased,
    }
