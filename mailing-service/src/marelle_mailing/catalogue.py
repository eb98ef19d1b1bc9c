"""Everything the mailing-service says in French outside its mail templates: problem
messages, mail subjects, the labels it fills in."""

from __future__ import annotations

MAIL_NOT_FOUND = "Ce message n'existe pas."
# When the tenant is not known yet (its fact has not arrived).
SOME_TOWN = "votre commune"

SUBJECT_FIRST_LOGIN = "{tenant} — créez votre mot de passe"
SUBJECT_RESET = "{tenant} — réinitialisez votre mot de passe"
SUBJECT_ACCOUNT_LOCKED = "{tenant} — accès à votre compte suspendu"
LINK_VALIDITY = {"first_login": "24 heures", "reset": "60 minutes"}
