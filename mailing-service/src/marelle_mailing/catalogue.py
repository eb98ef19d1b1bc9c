"""Everything the mailing-service says in French in its code, in one place: the problems it
answers (status, stable type, title) and their messages. Mails have their templates
(templates/shipped, templates/mail); the merge fields' labels are in composing/catalog.py.

A business refusal is a 409, 403 or 404, never a 422: that is the payload validation FastAPI
does (and ``marelle_kit.errors.InvalidPayload`` for what pydantic cannot check: an uploaded
file's content, a template's merge fields)."""

from __future__ import annotations

from marelle_kit.errors import Conflict, Forbidden

# --- Problems --------------------------------------------------------------------------------


class NameTaken(Conflict):
    type = "name-taken"
    title = "Nom déjà utilisé"


class CategoryInUse(Conflict):
    type = "category-in-use"
    title = "Rubrique utilisée"


class AlreadyWithdrawn(Conflict):
    type = "already-withdrawn"
    title = "Document déjà retiré"


class NoAcknowledgementAsked(Conflict):
    type = "no-acknowledgement-asked"
    title = "Pas de confirmation de lecture"


class ConversationClosed(Conflict):
    type = "conversation-closed"
    title = "Conversation close"


class ConversationState(Conflict):
    type = "conversation-state"
    title = "Conversation déjà dans cet état"


class NotificationsForAdmins(Forbidden):
    type = "notifications-for-admins"
    title = "Réservé aux administrateurs"


class NotADraft(Conflict):
    type = "mailing-not-draft"
    title = "Courrier déjà envoyé"


class NotSentYet(Conflict):
    type = "mailing-not-sent"
    title = "Courrier pas encore envoyé"


class MissingDocuments(Conflict):
    type = "recipient-documents-missing"
    title = "Documents manquants"


class NobodyMatches(Conflict):
    type = "no-recipient"
    title = "Aucun destinataire"


class CriterionUnavailable(Conflict):
    type = "criterion-unavailable"
    title = "Critère indisponible"


class SmsSenderMissing(Conflict):
    type = "sms-sender-missing"
    title = "Expéditeur SMS manquant"


class SmsAlreadySent(Conflict):
    type = "sms-already-sent"
    title = "SMS déjà envoyés"


# --- Messages ---------------------------------------------------------------------------------

HOUSEHOLD_NOT_FOUND = "Ce foyer n'existe pas."
DESK_NOT_FOUND = "Ce service n'existe pas."
DESK_NAME_TAKEN = "Un service porte déjà ce nom."
MEMBER_TWICE = "Un agent figure deux fois dans la liste."
MAIL_NOT_FOUND = "Ce message n'existe pas."
FILE_NOT_FOUND = "Ce fichier n'existe pas."
FILE_CONTENT_MISSING = "Le contenu de ce fichier est introuvable."

CONVERSATION_NOT_FOUND = "Cette conversation n'existe pas."
ATTACHMENT_NOT_FOUND = "Cette pièce jointe n'existe pas."
CLOSED_FOR_FAMILY = "Cette conversation est close : écrivez un nouveau message au service."
CLOSED_FOR_STAFF = "Cette conversation est close : rouvrez-la pour répondre."
ALREADY_CLOSED = "Cette conversation est déjà close."
ALREADY_OPEN = "Cette conversation est déjà ouverte."
TOO_MANY_ATTACHMENTS = "Joignez au plus {count} documents à un message."
FAMILY_AUTHOR = "Famille"

CATEGORY_NOT_FOUND = "Cette rubrique n'existe pas."
CATEGORY_NAME_TAKEN = "Une rubrique porte déjà ce nom."
CATEGORY_IN_USE = "Cette rubrique contient des documents : déplacez-les ou retirez-les."
PUBLICATION_NOT_FOUND = "Ce document n'existe pas."
PUBLICATION_WITHDRAWN = "Ce document est déjà retiré."
NO_ACKNOWLEDGEMENT = "Ce document ne demande pas de confirmation de lecture."

TEMPLATE_NOT_FOUND = "Ce modèle n'existe pas."
TEMPLATE_NOT_CUSTOMISED = "Cette structure n'a pas de version propre de ce modèle."
NOTIFICATIONS_FOR_ADMINS = "Seuls les administrateurs modifient les notifications."
TEMPLATE_NAME_NEEDED = "Donnez un nom à ce modèle de courrier."
TEMPLATE_IS_NOTIFICATION = "Ce modèle est une notification, pas un modèle de courrier."
TEMPLATE_OR_TEXT = "Choisissez un modèle ou écrivez l'objet et le texte."
TEMPLATE_DOES_NOT_RENDER = "{reason}."

MAILING_NOT_FOUND = "Ce courrier n'existe pas."
MAILING_NOT_DRAFT = "Ce courrier est déjà parti : dupliquez-le pour en faire un autre."
MAILING_NOT_SENT = "Ce courrier n'est pas encore parti."
NOBODY_MATCHES = "Aucun destinataire ne correspond à ces critères."
DOCUMENTS_MISSING = "{count} foyer(s) n'ont pas leur document propre."
UNSUBSCRIBE_INVALID = "Ce lien de désabonnement n'est pas valide."
TEST_SUBJECT = "[Essai] {subject}"
PREVIEW_UNSUBSCRIBE = "[lien de désabonnement]"
MISSING_DOCUMENT_UNAVAILABLE = (
    "Le critère « pièce manquante » n'est pas encore disponible : le service des dossiers "
    "familles ne publie pas les pièces des dossiers."
)
NOT_VALIDATED_UNAVAILABLE = (
    "Le critère « fiche non validée » n'est pas encore disponible : le service des dossiers "
    "familles ne publie pas la validation des fiches."
)

SMS_SENDER_MISSING = "Choisissez d'abord l'expéditeur des SMS dans les réglages de communication."
SMS_NOT_FOUND = "Cet envoi de SMS n'existe pas."
SMS_ALREADY_SENT = "Ces SMS sont déjà partis."
NO_MOBILE_MATCHES = "Aucun numéro de mobile ne correspond à ces critères."

# What staff read where a personal link was (issue 9 item 1), and the demo's notice.
REDACTED_LINK = "[lien personnel : retiré de la copie conservée]"
REDACTED_UNSUBSCRIBE = "[lien de désabonnement personnel : retiré de la copie conservée]"
CAPTURED_NOTICE = (
    "Boîte de démonstration (mode embarqué, aucun courriel ne part) : ce courriel est montré "
    "tel que le destinataire l'aurait reçu, liens personnels compris. Hors démonstration, la "
    "copie conservée ne contient jamais ces liens."
)
# Why a mail could not leave (its delivery record).
LINK_UNREADABLE = "le lien personnel ne peut pas être ouvert"
LINK_OTHER_TENANT = "le lien personnel n'est pas de cette structure"
LINK_EXPIRED_BEFORE_SENDING = "le lien personnel a expiré avant l'envoi"
ATTACHMENT_LOST = "la pièce jointe « {name} » est introuvable"

# Merge values when a fact is incomplete.
SOME_TOWN = "votre commune"
SOME_CHILD = "Votre enfant"
SOME_ACTIVITY = "Activité"
ERASED_HOUSEHOLD = "Foyer effacé"
QUOTIENT_DOCUMENT = "attestation de quotient familial"
DEADLINE_AT = "{day} à {hour} h {minute:02d}"
WEEK = "du {monday} au {sunday}"

# Payload checks of the schemas (pydantic adds nothing but the capital and the full stop).
PUBLICATION_AUDIENCE_NEEDED = "précisez le site, l'activité ou l'école visés"
PUBLICATION_AUDIENCE_UNKNOWN = "le site ou l'activité visés sont inconnus"
PUBLICATION_DATES = "la date d'expiration précède la date de publication"
SMS_EMPTY = "le SMS est vide"
SMS_CONTROL_CHARACTER = "caractère de contrôle refusé"
SMS_SENDER_RULE = (
    "l'expéditeur SMS fait 3 à 11 lettres ou chiffres sans espace ni accent, "
    "et commence par une lettre"
)
REMINDER_NEEDS_DEADLINE = "le rappel de date butoir demande le jour et l'heure de la date butoir"
MESSAGE_EMPTY = "le message est vide"
