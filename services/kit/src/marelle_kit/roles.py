"""Staff roles and the named role sets every service and page applies at router level.

Declared once here; no role string literal appears elsewhere (the project lint checks it).
A role set names *who may do a kind of thing*, not a job title: a router requires a set.
"""

from __future__ import annotations

from typing import Final

# The roles a town's staff account may hold (one or several), and the operator's.
ADMIN: Final = "admin"  # administrateur : réglages, agents, tout le reste
MANAGER: Final = "manager"  # responsable : comme un agent, plus effacements, journaux, validations
AGENT: Final = "agent"  # agent : dossiers, réservations, présences
REGIE: Final = "regie"  # régie : factures, paiements, exports comptables
ANIMATEUR: Final = "animateur"  # animateur : l'appel (pointage) et les listes du jour seulement
READER: Final = "reader"  # lecture seule
OPERATOR: Final = "operator"  # the operator of the instance, never a town's staff

TENANT_ROLES: Final = frozenset({ADMIN, MANAGER, AGENT, REGIE, ANIMATEUR, READER})

# Any town staff account: may sign in to the back office and read what its role shows.
STAFF: Final = TENANT_ROLES
# May read and edit families' records, bookings, absences (the back office's daily work).
OFFICE: Final = frozenset({ADMIN, MANAGER, AGENT})
# May read families' records without editing them.
RECORD_READERS: Final = OFFICE | {READER}
# Validations, erasures, journals, imports.
SUPERVISORS: Final = frozenset({ADMIN, MANAGER})
# The tenant's settings and staff accounts.
ADMINS: Final = frozenset({ADMIN})
# Tariffs, invoices, payments, public-finance exports.
BILLING_OFFICE: Final = frozenset({ADMIN, MANAGER, REGIE})
# The roll call and the day's lists of children.
ROLL_CALL: Final = frozenset({ADMIN, MANAGER, AGENT, ANIMATEUR})
# The instance's operators (tenant provisioning, dead letters, system state).
OPERATORS: Final = frozenset({OPERATOR})
