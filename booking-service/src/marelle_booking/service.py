"""The booking-service: réservations, absences et présences."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter

from marelle_booking.absences import endpoints as absences
from marelle_booking.activities import endpoints as activities
from marelle_booking.calendars import endpoints as calendars
from marelle_booking.calendars.reference import load_reference_calendars
from marelle_booking.cells import endpoints as cells
from marelle_booking.counts import endpoints as counts
from marelle_booking.enrolments import endpoints as enrolments
from marelle_booking.families import consumers as families
from marelle_booking.feeds import endpoints as feeds
from marelle_booking.models import events, metadata, tenants
from marelle_booking.registers import endpoints as registers
from marelle_booking.seed import seed_demo
from marelle_booking.settings import BookingSettings
from marelle_booking.tasks import JOBS
from marelle_booking.town import endpoints as town
from marelle_kit.runtime import ServiceDefinition, ServiceRuntime
from marelle_kit.tenant_directory import tenant_directory_router


def routers() -> list[APIRouter]:
    return [
        tenant_directory_router(tenants),
        town.readers,
        town.supervisors,
        calendars.members,
        calendars.readers,
        calendars.supervisors,
        calendars.office,
        activities.readers,
        activities.supervisors,
        enrolments.members,
        enrolments.office,
        cells.members,
        cells.office,
        cells.readers,
        absences.members,
        absences.office,
        absences.supervisors,
        registers.roll_call,
        registers.office,
        counts.office,
        counts.roll_call,
        feeds.members,
        feeds.public,
    ]


async def start_booking(runtime: ServiceRuntime) -> None:
    """The national calendars come from the packages the service ships: load what is new."""
    async with runtime.database.transaction() as session:
        await load_reference_calendars(session)


definition = ServiceDefinition(
    name="booking",
    title="Marelle — réservations, absences et présences",
    settings_class=BookingSettings,
    metadata=metadata,
    tables=events,
    migrations=Path(__file__).parent / "migrations",
    routers=routers,
    handlers={**tenants.handlers(), **families.handlers},
    startup=start_booking,
    jobs=JOBS,
    seed=seed_demo,
)
