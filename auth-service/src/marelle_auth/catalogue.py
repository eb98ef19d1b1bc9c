"""Everything the auth-service says in French, in one place: its problems (status, stable
type, title), their messages, and the labels of the password checklist."""

from __future__ import annotations

from marelle_kit.errors import Conflict, Problem

# --- Problems --------------------------------------------------------------------------------


class LinkExpired(Problem):
    status = 410
    type = "link-expired"
    title = "Lien expiré"


class LinkUsed(Problem):
    status = 410
    type = "link-used"
    title = "Lien déjà utilisé"


class LinkInvalid(Problem):
    status = 410
    type = "link-invalid"
    title = "Lien invalide"


class PasswordRefused(Conflict):
    """The password breaks the policy (which depends on the account: its names, its e-mail):
    a rule of the service, not a malformed payload."""

    type = "password-policy"
    title = "Mot de passe refusé"


class WrongCurrentPassword(Problem):
    status = 403
    type = "wrong-current-password"
    title = "Mot de passe actuel incorrect"


class AccountEmailTaken(Conflict):
    type = "account-email-taken"
    title = "Adresse déjà utilisée"


class InvalidAuthorizationRequest(Problem):
    status = 400
    type = "invalid-authorization-request"
    title = "Demande de connexion invalide"


# --- Messages ---------------------------------------------------------------------------------

LINK_INVALID = "Ce lien n'est pas valide. Demandez-en un nouveau."
LINK_USED = "Ce lien a déjà servi. Demandez-en un nouveau si besoin."
LINK_REPLACED = "Ce lien a été remplacé par un plus récent. Utilisez le dernier reçu."
LINK_EXPIRED = "Ce lien a expiré. Demandez-en un nouveau."
PASSWORD_BREAKS_RULES = "Ce mot de passe ne respecte pas les règles : {rules}."
PASSWORD_UNCHANGED = "Le nouveau mot de passe doit être différent de l'actuel."
ACCOUNT_UNUSABLE = "Ce compte n'est pas utilisable."
WRONG_CURRENT_PASSWORD = (
    "Le mot de passe actuel saisi n'est pas le bon (ou trop d'essais : réessayez plus tard)."
)
ACCOUNT_EMAIL_TAKEN = "Un compte existe déjà avec cette adresse dans la structure."
ACCOUNT_NOT_FOUND = "Aucun compte n'a cette adresse dans la structure."
AUTHORIZATION_INCOMPLETE = (
    "La demande de connexion est incomplète ou altérée ; recommencez depuis le portail."
)
AUTHORIZATION_FAILED = "La demande de connexion n'a pas pu aboutir."
# The same answer whether or not the e-mail is known (no account enumeration).
LINK_SENT = (
    "Si cette adresse est connue de nos services, un message vient de lui être envoyé avec un "
    "lien pour choisir votre mot de passe. Pensez à regarder dans les courriers indésirables."
)
UNKNOWN_ROLE = "rôle inconnu (rôles possibles : {roles})"
SENTENCE_MISSING = "écrivez une phrase dont vous vous souviendrez"

# --- The password checklist (SECURITY.md) ----------------------------------------------------

RULE_LABELS: dict[str, str] = {
    "length": "Au moins {min_length} caractères",
    "lower": "Au moins une minuscule",
    "upper": "Au moins une majuscule",
    "digit": "Au moins un chiffre",
    "special": "Au moins un caractère spécial",
    "same": "Les deux saisies sont identiques",
    "common": "N'est pas un mot de passe courant",
    "personal": "Ne contient ni votre adresse e-mail ni votre nom",
}
