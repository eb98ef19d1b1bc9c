"""The billing-service's French texts (problem messages, labels): one catalogue."""

from __future__ import annotations

ACCOUNT_NOT_FOUND = "Ce compte de facturation n'existe pas."
# The name an erased household's account keeps (RGPD: the amounts stay, the names go).
ERASED_HOUSEHOLD = "Foyer effacé"
