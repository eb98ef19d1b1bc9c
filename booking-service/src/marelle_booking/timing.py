"""The service's clock, in one place so tests can set the time (deadlines depend on it).

Call ``timing.now()`` (through the module): a test replaces ``marelle_booking.timing.now``.
"""

from __future__ import annotations

from datetime import datetime

from marelle_kit import clock


def now() -> datetime:
    return clock.utcnow()
