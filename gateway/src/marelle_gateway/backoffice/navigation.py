"""The back office's navigation, as data: (label, route name, role set). The layout shows an
entry to whoever holds one of its roles; the entry's router requires the very same set, so
what a person sees and what they may open never disagree."""

from __future__ import annotations

from dataclasses import dataclass

from marelle_kit.roles import ADMINS, OFFICE, OPERATORS, RECORD_READERS, STAFF, SUPERVISORS

# The role sets of the back office's routers (the operator may act for any tenant).
ANY_STAFF = STAFF | OPERATORS
READ_RECORDS = RECORD_READERS | OPERATORS
EDIT_RECORDS = OFFICE | OPERATORS
SUPERVISE = SUPERVISORS | OPERATORS
ADMINISTER = ADMINS | OPERATORS


@dataclass(frozen=True)
class NavEntry:
    label: str
    route: str
    roles: frozenset[str]
    # Other routes under this entry: the entry reads « current page » on them too.
    prefix: str = ""


NAVIGATION = (
    NavEntry("Foyers", "admin.households", READ_RECORDS, prefix="/admin/foyers"),
    NavEntry("Demandes", "admin.requests", EDIT_RECORDS, prefix="/admin/demandes"),
    NavEntry("Courriels envoyés", "admin.mails", SUPERVISE, prefix="/admin/courriels"),
    NavEntry("Comptes", "admin.accounts", EDIT_RECORDS, prefix="/admin/comptes"),
    NavEntry("Journal de sécurité", "admin.journal", SUPERVISE),
    NavEntry("Import", "admin.import", SUPERVISE),
    NavEntry("Données personnelles", "admin.privacy", SUPERVISE),
    NavEntry("Réglages", "admin.settings", ADMINISTER),
    NavEntry("Mon mot de passe", "admin.password", ANY_STAFF),
)


def entries_for(roles: frozenset[str]) -> tuple[NavEntry, ...]:
    return tuple(entry for entry in NAVIGATION if entry.roles & roles)
