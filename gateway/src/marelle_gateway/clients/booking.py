"""The booking-service's client. Its pages (week grid, bulk booking, roll call) come with the
booking issue: add a method per call here, on the base (a path, a model in, a model out)."""

from __future__ import annotations

from marelle_gateway.clients.base import ServiceClient


class BookingClient(ServiceClient):
    service = "booking"
