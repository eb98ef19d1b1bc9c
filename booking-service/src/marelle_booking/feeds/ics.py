"""The ICS feed of a household's bookings (icalendar): one event per booked day and child,
timed with the activity's hours where it has some, all day otherwise. Pure: rows in, bytes out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from uuid import UUID

from icalendar import Calendar, Event

from marelle_kit.localtime import PARIS


@dataclass(frozen=True)
class FeedEntry:
    cell_id: UUID
    version: int
    day: date
    child_name: str
    activity_name: str
    site_name: str
    state_label: str
    start: time | None
    end: time | None


def render_ics(tenant_name: str, entries: list[FeedEntry], stamp: datetime) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Marelle//Réservations//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"Réservations — {tenant_name}")
    calendar.add("x-wr-timezone", "Europe/Paris")
    for entry in entries:
        event = Event()
        event.add("uid", f"{entry.cell_id}@marelle")
        event.add("sequence", entry.version)
        event.add("dtstamp", stamp)
        event.add("summary", f"{entry.activity_name} — {entry.child_name}")
        event.add("location", entry.site_name)
        event.add("description", entry.state_label)
        if entry.start is not None and entry.end is not None:
            event.add("dtstart", datetime.combine(entry.day, entry.start, tzinfo=PARIS))
            event.add("dtend", datetime.combine(entry.day, entry.end, tzinfo=PARIS))
        else:
            event.add("dtstart", entry.day)
            event.add("dtend", entry.day + timedelta(days=1))
        calendar.add_component(event)
    return bytes(calendar.to_ical())
