"""The facts billing keeps from the family-service and the booking-service."""

from __future__ import annotations

from marelle_billing.accounts.service import AccountService
from marelle_billing.readmodels.service import ReadModelService
from marelle_contracts import (
    AbsenceDeclared,
    AbsenceValidated,
    ActivityPublished,
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
    HouseholdDetailsChanged,
    HouseholdErased,
    QuotientChanged,
    RegisterClosed,
    RegisterReopened,
)
from marelle_contracts.booking import _CellsEvent
from marelle_kit.database import WriteSession
from marelle_kit.events import EventEnvelope, Handler


async def on_child(session: WriteSession, envelope: EventEnvelope) -> None:
    model = ChildAdded if envelope.type == ChildAdded.event_type else ChildChanged
    await ReadModelService(session).child_recorded(envelope.tenant_id, envelope.event_as(model))


async def on_guardian_added(session: WriteSession, envelope: EventEnvelope) -> None:
    event = envelope.event_as(GuardianAdded)
    await ReadModelService(session).guardian_added(
        envelope.tenant_id,
        event.household_id,
        event.guardian_id,
        event.rank,
        event.first_name,
        event.last_name,
        event.email,
    )


async def on_guardian_email(session: WriteSession, envelope: EventEnvelope) -> None:
    event = envelope.event_as(GuardianEmailChanged)
    await ReadModelService(session).guardian_email_changed(event.guardian_id, event.email)


async def on_guardian_details(session: WriteSession, envelope: EventEnvelope) -> None:
    event = envelope.event_as(GuardianDetailsChanged)
    await ReadModelService(session).guardian_renamed(
        event.guardian_id, event.first_name, event.last_name
    )


async def on_guardian_removed(session: WriteSession, envelope: EventEnvelope) -> None:
    event = envelope.event_as(GuardianRemoved)
    await ReadModelService(session).guardian_removed(event.guardian_id)


async def on_household_details(session: WriteSession, envelope: EventEnvelope) -> None:
    event = envelope.event_as(HouseholdDetailsChanged)
    await ReadModelService(session).address_changed(event.household_id, event.postcode, event.city)


async def on_quotient(session: WriteSession, envelope: EventEnvelope) -> None:
    event = envelope.event_as(QuotientChanged)
    await AccountService(session).quotient_changed(
        event.household_id, event.quotient, event.valid_until
    )
    await ReadModelService(session).quotient_changed(
        envelope.tenant_id,
        event.household_id,
        event.quotient,
        event.valid_until,
        envelope.occurred_at,
    )


async def on_household_erased(session: WriteSession, envelope: EventEnvelope) -> None:
    event = envelope.event_as(HouseholdErased)
    await AccountService(session).household_erased(event.household_id)
    await ReadModelService(session).household_erased(envelope.tenant_id, event.household_id)


async def on_activity(session: WriteSession, envelope: EventEnvelope) -> None:
    await ReadModelService(session).activity_published(
        envelope.tenant_id, envelope.event_as(ActivityPublished)
    )


_CELL_EVENTS: tuple[type[_CellsEvent], ...] = (
    BookingMade,
    BookingCancelled,
    BookingWaitlisted,
    BookingRefused,
    BookingGranted,
    AbsenceDeclared,
    AbsenceValidated,
    ClosureDeclared,
)


async def on_cells(session: WriteSession, envelope: EventEnvelope) -> None:
    model = next(m for m in _CELL_EVENTS if m.event_type == envelope.type)
    await ReadModelService(session).cells_changed(
        envelope.tenant_id, envelope.event_as(model).cells
    )


async def on_register_closed(session: WriteSession, envelope: EventEnvelope) -> None:
    event = envelope.event_as(RegisterClosed)
    service = ReadModelService(session)
    await service.cells_changed(envelope.tenant_id, event.cells)
    await service.register_changed(
        envelope.tenant_id,
        event.register_id,
        event.activity_id,
        event.day,
        closed=True,
        at=envelope.occurred_at,
    )


async def on_register_reopened(session: WriteSession, envelope: EventEnvelope) -> None:
    event = envelope.event_as(RegisterReopened)
    await ReadModelService(session).register_changed(
        envelope.tenant_id,
        event.register_id,
        event.activity_id,
        event.day,
        closed=False,
        at=envelope.occurred_at,
    )


handlers: dict[str, Handler] = {
    ChildAdded.event_type: on_child,
    ChildChanged.event_type: on_child,
    GuardianAdded.event_type: on_guardian_added,
    GuardianEmailChanged.event_type: on_guardian_email,
    GuardianDetailsChanged.event_type: on_guardian_details,
    GuardianRemoved.event_type: on_guardian_removed,
    HouseholdDetailsChanged.event_type: on_household_details,
    QuotientChanged.event_type: on_quotient,
    HouseholdErased.event_type: on_household_erased,
    ActivityPublished.event_type: on_activity,
    RegisterClosed.event_type: on_register_closed,
    RegisterReopened.event_type: on_register_reopened,
    **{model.event_type: on_cells for model in _CELL_EVENTS},
}
