"""The page-shaped read: a household's week (or month), per child, per enrolled activity, per
day — state, cut-offs, what the family may do now and why not, the nearest cut-off."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from uuid import UUID

from marelle_booking.calendars.days import days_between, week_label
from marelle_booking.cells.context import HouseholdContext
from marelle_booking.cells.rules import late_message, may_book, may_cancel
from marelle_booking.cells.schemas import (
    STATUS_LABELS,
    DayInfo,
    GridCell,
    GridChild,
    GridRow,
    NearestCutoff,
    Planning,
    Reason,
    Reminder,
    Status,
)
from marelle_booking.deadlines.rules import WEEKDAY_NAMES, describe
from marelle_contracts import AbsenceCharge, CellState

MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip
SHORT_MONTHS = (
    "janv.", "févr.", "mars", "avr.", "mai", "juin",
    "juil.", "août", "sept.", "oct.", "nov.", "déc.",
)  # fmt: skip


def day_label(day: date) -> str:
    return f"{WEEKDAY_NAMES[day.weekday()]} {day.day} {SHORT_MONTHS[day.month - 1]}"


def week_key(day: date) -> str:
    iso = day.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def month_key(day: date) -> str:
    return f"{day.year}-{day.month:02d}"


_BLOCKED_STATUS: dict[str, Status] = {
    "closed": "closed",
    "school-holiday": "holiday",
    "public-holiday": "holiday",
    "deadline-passed": "locked",
    "past-day": "locked",
    "documents-missing": "locked",
}


def _reason(refusal: object) -> Reason | None:
    if refusal is None:
        return None
    return Reason(code=refusal.code, message=refusal.message)  # type: ignore[attr-defined]


def build_planning(
    context: HouseholdContext,
    first: date,
    last: date,
    now: datetime,
    *,
    period: str,
) -> Planning:
    days = list(days_between(first, last))
    calendar = context.calendar
    infos = [
        DayInfo(
            day=day,
            label=day_label(day),
            school_holiday=calendar.holiday_of(day),
            public_holiday=calendar.public_holiday_of(day),
            closures=[c.label for c in context.closures if c.first_day <= day <= c.last_day],
        )
        for day in days
    ]
    enrolled: dict[UUID, set[UUID]] = {}
    for child_id, activity_id, _year in context.enrolments:
        enrolled.setdefault(child_id, set()).add(activity_id)
    nearest: NearestCutoff | None = None
    children = []
    for child in context.children.values():
        rows = []
        for activity_id, info in context.activities.items():
            if activity_id not in enrolled.get(child.id, set()):
                continue
            cells = []
            for day in days:
                cell, candidates = _cell(context, child.id, activity_id, day, now)
                cells.append(cell)
                for at, action in candidates:
                    if nearest is None or at < nearest.at:
                        nearest = NearestCutoff(
                            at=at,
                            child_id=child.id,
                            activity_id=activity_id,
                            day=day,
                            action=action,
                        )
            rows.append(
                GridRow(
                    activity_id=activity_id,
                    name=info.activity.name,
                    kind=info.activity.kind,
                    site_name=info.site.name,
                    book_rule_text=describe(info.terms.book_rule),
                    cancel_rule_text=describe(info.terms.cancel_rule),
                    late_booking_allowed=info.terms.late_booking_allowed,
                    can_book_period=any(c.can_book for c in cells),
                    cells=cells,
                )
            )
        children.append(
            GridChild(
                child_id=child.id, first_name=child.first_name, last_name=child.last_name, rows=rows
            )
        )
    shown = {row.activity_id for child in children for row in child.rows}
    reminders = [
        Reminder(
            activity_id=activity_id,
            name=info.activity.name,
            text=f"{info.activity.name} : réservation {describe(info.terms.book_rule)} ; "
            f"annulation {describe(info.terms.cancel_rule)}",
        )
        for activity_id, info in context.activities.items()
        if activity_id in shown
    ]
    if period == "week":
        key, label = week_key(first), week_label(first)
        previous, following = (
            week_key(first - timedelta(days=7)),
            week_key(first + timedelta(days=7)),
        )
    else:
        key, label = month_key(first), f"{MONTHS[first.month - 1]} {first.year}"
        previous = month_key(first - timedelta(days=1))
        following = month_key(last + timedelta(days=1))
    return Planning(
        household_id=context.household_id,
        period="week" if period == "week" else "month",
        key=key,
        label=label,
        first_day=first,
        last_day=last,
        previous=previous,
        next=following,
        now=now,
        days=infos,
        children=children,
        reminders=reminders,
        nearest_cutoff=nearest,
    )


def _cell(
    context: HouseholdContext, child_id: UUID, activity_id: UUID, day: date, now: datetime
) -> tuple[GridCell, list[tuple[datetime, str]]]:
    slot = context.slot(child_id, activity_id, day)
    book = may_book(slot, now)
    cancel = may_cancel(slot, now)
    live = context.live.get((child_id, activity_id, day))
    terms = context.activities[activity_id].terms
    status: Status
    if live is not None:
        status = live.state  # type: ignore[assignment]
    elif book.allowed:
        group = context.group_of(child_id, activity_id, day)
        available = context.available((activity_id, day, group))
        status = "full" if available is not None and available <= 0 else "available"
    else:
        assert book.refusal is not None
        status = _BLOCKED_STATUS.get(book.refusal.code, "unavailable")
    # A refusal says why not; an allowed late change says what it costs, before confirmation.
    book_blocked = _reason(book.refusal)
    if book.allowed and book.late:
        book_blocked = Reason(code="late", message=late_message("book", terms))
    cancel_blocked = _reason(cancel.refusal) if live is not None else None
    if cancel.allowed and cancel.late:
        cancel_blocked = Reason(code="late", message=late_message("cancel", terms))
    candidates: list[tuple[datetime, str]] = []
    if book.allowed and not book.late and book.cutoff is not None and book.cutoff > now:
        candidates.append((book.cutoff, "book"))
    if cancel.allowed and not cancel.late and cancel.cutoff is not None and cancel.cutoff > now:
        candidates.append((cancel.cutoff, "cancel"))
    label = STATUS_LABELS[status]
    if live is None and book.allowed and book.late:
        label = f"{label} (hors délai)"
    return (
        GridCell(
            day=day,
            status=status,
            label=label,
            state=CellState(live.state) if live else None,
            cell_id=live.id if live else None,
            version=live.version if live else None,
            late=bool(live.late) if live is not None else False,
            can_book=book.allowed,
            book_late=book.allowed and book.late,
            book_blocked=book_blocked,
            can_cancel=cancel.allowed,
            cancel_late=cancel.allowed and cancel.late,
            cancel_blocked=cancel_blocked,
            book_cutoff=book.cutoff,
            cancel_cutoff=cancel.cutoff,
            absence_reason=live.absence_reason if live else None,
            absence_charge=AbsenceCharge(live.absence_charge)
            if live and live.absence_charge
            else None,
            free_of_charge=bool(live.free_of_charge) if live else False,
        ),
        candidates,
    )


__all__ = ["build_planning", "day_label", "month_key", "week_key"]
