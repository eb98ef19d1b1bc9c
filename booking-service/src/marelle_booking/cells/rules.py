"""May this child book (or cancel) this activity on this day, now? (pure: no I/O)

The week grid shows the answer for every cell and the batch PUT applies the same answer, so
what the page offers is exactly what the API accepts. A refusal has a stable ``code`` and a
French ``message`` for the family.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from marelle_booking.calendars.days import ActivityDays, Unavailable, unavailability
from marelle_booking.cells.states import LIVE, OUTCOMES
from marelle_booking.deadlines.rules import DeadlineRule, RuleCannotBeMet, cutoff, describe
from marelle_contracts import CellState
from marelle_kit.localtime import local_day


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str


@dataclass(frozen=True)
class Terms:
    """What the rules need of an activity."""

    name: str
    active: bool
    booking_approval: bool
    book_rule: DeadlineRule
    cancel_rule: DeadlineRule
    late_booking_allowed: bool
    late_cancellation_allowed: bool
    days: ActivityDays


@dataclass(frozen=True)
class Slot:
    """One child x activity x day, with what is known about it."""

    day: date
    child_name: str
    terms: Terms
    enrolment_status: str | None  # pending, approved, refused, ended; None: not enrolled
    documents_missing: bool  # the tenant's gate is on and the enrolment's file is incomplete
    closure_label: str | None
    state: CellState | None  # the current (live) cell's state, if any


@dataclass(frozen=True)
class Answer:
    allowed: bool
    refusal: Refusal | None
    late: bool
    cutoff: datetime | None


_UNAVAILABLE = {
    Unavailable.OUTSIDE_SCHOOL_YEAR: "Ce jour est en dehors de l'année scolaire.",
    Unavailable.NO_SEASON: (
        "Les jours d'ouverture de « {activity} » ne sont pas encore publiés pour cette année."
    ),
    Unavailable.NOT_OPEN: "« {activity} » n'a pas lieu ce jour-là.",
}


def _unavailable(slot: Slot) -> Refusal | None:
    reason = unavailability(slot.day, slot.terms.days.calendar, slot.terms.days.seasons)
    if reason is None:
        return None
    calendar = slot.terms.days.calendar
    if reason is Unavailable.PUBLIC_HOLIDAY:
        return Refusal(reason.value, f"Jour férié ({calendar.public_holiday_of(slot.day)}).")
    if reason is Unavailable.SCHOOL_HOLIDAY:
        return Refusal(reason.value, f"Vacances scolaires ({calendar.holiday_of(slot.day)}).")
    return Refusal(reason.value, _UNAVAILABLE[reason].format(activity=slot.terms.name))


def _cutoff(rule: DeadlineRule, slot: Slot) -> datetime | None:
    try:
        return cutoff(rule, slot.day, slot.terms.days)
    except RuleCannotBeMet:
        return None


def bookable(slot: Slot) -> Refusal | None:
    """Why the day cannot be booked whatever the time (None: it can, deadlines aside)."""
    if not slot.terms.active:
        return Refusal("activity-inactive", f"« {slot.terms.name} » n'est plus proposée.")
    unavailable = _unavailable(slot)
    if unavailable is not None:
        return unavailable
    if slot.closure_label is not None:
        return Refusal("closed", f"Fermeture : {slot.closure_label}.")
    if slot.enrolment_status is None or slot.enrolment_status in ("refused", "ended"):
        return Refusal(
            "not-enrolled",
            f"{slot.child_name} n'est pas inscrit(e) à « {slot.terms.name} » pour cette année.",
        )
    if slot.enrolment_status == "pending":
        return Refusal(
            "enrolment-pending",
            f"L'inscription de {slot.child_name} à « {slot.terms.name} » attend la validation "
            "du service.",
        )
    if slot.documents_missing:
        return Refusal(
            "documents-missing",
            f"Le dossier de {slot.child_name} est incomplet : les réservations sont bloquées "
            "jusqu'à réception des pièces.",
        )
    return None


def may_book(slot: Slot, now: datetime, *, override: bool = False) -> Answer:
    """``override``: staff booking past the deadline (logged by the caller)."""
    cut = _cutoff(slot.terms.book_rule, slot)
    refusal = bookable(slot)
    if refusal is None and slot.state is not None and slot.state in LIVE:
        if slot.state in OUTCOMES:
            refusal = Refusal(
                "outcome-recorded", "La présence ou l'absence de ce jour est enregistrée."
            )
        elif slot.state is CellState.BOOKED:
            refusal = Refusal("already-booked", "Ce jour est déjà réservé.")
        else:
            refusal = Refusal("already-requested", "Une demande est déjà en cours pour ce jour.")
    if refusal is not None:
        return Answer(False, refusal, False, cut)
    if cut is None:
        return Answer(
            False,
            Refusal("deadline-unknown", "La date limite de ce jour ne peut pas être calculée."),
            False,
            None,
        )
    late = now >= cut
    if not override and slot.day < local_day(now):
        return Answer(False, Refusal("past-day", "Ce jour est passé."), late, cut)
    if late and not override and not slot.terms.late_booking_allowed:
        return Answer(
            False,
            Refusal(
                "deadline-passed",
                f"La date limite est dépassée (réservation {describe(slot.terms.book_rule)}).",
            ),
            late,
            cut,
        )
    return Answer(True, None, late, cut)


def may_cancel(slot: Slot, now: datetime, *, override: bool = False) -> Answer:
    cut = _cutoff(slot.terms.cancel_rule, slot)
    if slot.state is None or slot.state not in LIVE:
        return Answer(False, Refusal("not-booked", "Rien à annuler ce jour-là."), False, cut)
    if slot.state in OUTCOMES:
        return Answer(
            False,
            Refusal("outcome-recorded", "La présence ou l'absence de ce jour est enregistrée."),
            False,
            cut,
        )
    past = slot.day < local_day(now)
    if slot.state is not CellState.BOOKED:
        # Withdrawing a request or a waiting-list entry costs nothing, until the day.
        if past and not override:
            return Answer(False, Refusal("past-day", "Ce jour est passé."), False, cut)
        return Answer(True, None, False, cut)
    late = cut is None or now >= cut
    if past and not override:
        return Answer(False, Refusal("past-day", "Ce jour est passé."), late, cut)
    if late and not override and not slot.terms.late_cancellation_allowed:
        return Answer(
            False,
            Refusal(
                "cancel-deadline-passed",
                f"La date limite d'annulation est dépassée ({describe(slot.terms.cancel_rule)}).",
            ),
            late,
            cut,
        )
    return Answer(True, None, late, cut)


def late_message(action: str, terms: Terms) -> str:
    if action == "book":
        return f"Hors délai : la réservation de « {terms.name} » sera facturée au tarif hors délai."
    return f"Hors délai : l'annulation de « {terms.name} » laisse ce jour facturé."


def capacity_limit(
    season_capacity: int | None, group_capacities: Mapping[str, int | None], group_code: str
) -> int | None:
    """The day's limit before any override: the group's where the child has one, else the
    season's; None is no limit."""
    if group_code and group_code in group_capacities:
        return group_capacities[group_code]
    return season_capacity
