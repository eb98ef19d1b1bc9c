"""The booking-service's refusals: stable problem types, French messages."""

from __future__ import annotations

from marelle_kit.errors import Conflict, NotFound


class CellsRefused(Conflict):
    """Some cells of a batch cannot be changed: nothing was written. ``cells`` lists each one
    with its reason ``code`` and a French ``message``."""

    type = "cells-refused"
    title = "Réservations refusées"


class LateNotAccepted(Conflict):
    """Some changes are after their deadline and would be billed at the late tariff: the
    family must confirm (``accept_late``). ``cells`` lists them."""

    type = "late-confirmation-required"
    title = "Hors délai : confirmation nécessaire"


class IllegalChange(Conflict):
    type = "illegal-transition"
    title = "Changement impossible dans cet état"


class ConcurrentChange(Conflict):
    type = "concurrent-change"
    title = "Modifié entre-temps"


class RegisterClosed(Conflict):
    type = "register-closed"
    title = "Registre clos"


class CalendarIncomplete(Conflict):
    type = "calendar-incomplete"
    title = "Calendrier incomplet"


class SettingsConflict(Conflict):
    type = "settings-conflict"
    title = "Réglage impossible"


class EnrolmentRefusedProblem(Conflict):
    type = "enrolment-refused"
    title = "Inscription impossible"


class AbsenceRefused(Conflict):
    type = "absence-refused"
    title = "Absence refusée"


class UnknownActivity(NotFound):
    type = "unknown-activity"
    title = "Activité inconnue"


class UnknownChild(NotFound):
    type = "unknown-child"
    title = "Enfant inconnu"
