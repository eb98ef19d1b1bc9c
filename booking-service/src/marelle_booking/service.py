"""The booking-service: réservations, absences et présences."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter

from marelle_booking.models import events, metadata, tenants
from marelle_booking.settings import BookingSettings
from marelle_kit.runtime import ServiceDefinition
from marelle_kit.tenant_directory import tenant_directory_router


def routers() -> list[APIRouter]:
    return [tenant_directory_router(tenants)]


definition = ServiceDefinition(
    name="booking",
    title="Marelle — réservations, absences et présences",
    settings_class=BookingSettings,
    metadata=metadata,
    tables=events,
    migrations=Path(__file__).parent / "migrations",
    routers=routers,
    handlers=tenants.handlers(),
)
