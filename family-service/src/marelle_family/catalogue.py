"""Everything the family-service says in French, in one place: the problems it answers (status,
stable type, title), their messages, and the labels of its field groups. Code raises these
problems with these texts; pages and mails have their own templates.

A business refusal is a 409 (the record's state forbids it), 403 or 404, never a 422: that is
the payload validation FastAPI does (and ``marelle_kit.errors.InvalidPayload`` for the checks
of uploaded files and form fields pydantic cannot express).
"""

from __future__ import annotations

from marelle_kit.errors import Conflict, Forbidden, Problem

# --- Problems --------------------------------------------------------------------------------


class HouseholdErased(Conflict):
    type = "household-erased"
    title = "Foyer effacé"


class RequestAlreadyDecided(Conflict):
    type = "request-already-decided"
    title = "Demande déjà traitée"


class RequestNoLongerApplies(Conflict):
    type = "request-no-longer-applies"
    title = "Demande devenue inapplicable"


class GuardianRankTaken(Conflict):
    type = "guardian-rank-taken"
    title = "Responsable légal déjà présent"


class EmailTaken(Conflict):
    type = "email-taken"
    title = "Adresse e-mail déjà utilisée"


class SlugTaken(Conflict):
    type = "slug-taken"
    title = "Identifiant déjà utilisé"


class UnknownDiet(Conflict):
    """The diet is not one the tenant's kitchens serve (the tenant's settings decide)."""

    type = "unknown-diet"
    title = "Régime inconnu"


class InvalidCriterion(Conflict):
    """A value that the tenant's definition of the criterion refuses."""

    type = "invalid-criterion"
    title = "Critère invalide"


class ImportRejected(Conflict):
    """Rows of the file break the records' rules or clash with the tenant's records: nothing
    was imported (the rows and reasons are in ``rejected``)."""

    type = "import-rejected"
    title = "Import refusé"


class UnpaidBalance(Conflict):
    type = "unpaid-balance"
    title = "Solde non réglé"


class AlreadyErased(Conflict):
    type = "already-erased"
    title = "Foyer déjà effacé"


class OnlyParents(Forbidden):
    type = "only-parents"
    title = "Réservé aux familles"


class ReadOnlyRole(Forbidden):
    type = "read-only-role"
    title = "Consultation seulement"


class UnsupportedType(Problem):
    status = 415
    type = "unsupported-document-type"
    title = "Type de document refusé"


class TooLarge(Problem):
    status = 413
    type = "document-too-large"
    title = "Document trop volumineux"


class ImportFileTooLarge(Problem):
    status = 413
    type = "import-file-too-large"
    title = "Fichier trop volumineux"


# --- Messages ---------------------------------------------------------------------------------

TENANT_NOT_FOUND = "Cette structure n'existe pas."
SLUG_NOT_FOUND = "Aucune structure ne porte cet identifiant."
SLUG_TAKEN = "L'identifiant « {slug} » est déjà utilisé par une structure."
HOUSEHOLD_NOT_FOUND = "Ce foyer n'existe pas."
HOUSEHOLD_ERASED = "Ce foyer a été effacé : son dossier ne peut plus être modifié."
GUARDIAN_NOT_FOUND = "Ce responsable légal n'existe pas."
GUARDIAN_RANK_TAKEN = "Ce foyer a déjà un responsable légal {rank}."
EMAIL_TAKEN = "Cette adresse e-mail est déjà celle d'un autre responsable légal de la structure."
ADULT_NOT_FOUND = "Cet adulte n'existe pas."
CHILD_NOT_FOUND = "Cet enfant n'existe pas."
ONLY_PARENTS_CERTIFY = "Seul un responsable du foyer peut certifier ses informations."
READ_ONLY_ROLE = "Votre rôle permet de consulter les dossiers, pas de les modifier."
NOTHING_TO_CHANGE = "Aucun champ n'a été modifié."
REQUEST_NOT_FOUND = "Cette demande n'existe pas."
REQUEST_ALREADY_DECIDED = "Cette demande a déjà été traitée."
REQUEST_NO_LONGER_APPLIES = (
    "Cette demande ne peut plus s'appliquer (la fiche a changé) : refusez-la."
)
UNKNOWN_FIELD_GROUPS = "Groupes de champs inconnus : {groups}."
EDITING_MODES = "Chaque groupe est « direct » ou « request »."
DIET_CODES = "Les codes de régime s'écrivent en minuscules, chiffres et _ (30 au plus)."
DUPLICATE_CRITERIA = "Deux critères ont le même code."
UNKNOWN_DIET = "Ce régime n'est pas servi par la structure (choix possibles : {choices})."
UNKNOWN_CRITERION = "Critère inconnu : {code}."
CRITERION_CHARACTER = "« {label} » contient un caractère refusé."
CRITERION_VALUE = "Valeur refusée pour « {label} »."
DOCUMENT_TYPES = "Seuls les documents PDF, JPEG et PNG sont acceptés."
DOCUMENT_TOO_LARGE = "Le document dépasse {megabytes} Mo."
DOCUMENT_EMPTY = "Le fichier envoyé est vide."
DOCUMENT_NOT_FOUND = "Ce document n'existe pas."
DOCUMENT_CONTENT_MISSING = "Le contenu de ce document est introuvable."
DOCUMENT_PERSON_NOT_IN_HOUSEHOLD = "Cette personne n'appartient pas au foyer."
DOCUMENT_REMOVAL = "Seule la personne qui l'a déposé ou les services peuvent le retirer."
HOUSEHOLD_ALREADY_ERASED = "Ce foyer a déjà été effacé."
UNPAID_BALANCE = "Le solde du foyer n'est pas nul ({amount} €) : régularisez-le avant l'effacement."
TEXT_CHARACTER = "Ce texte contient un caractère refusé."
REQUIRED = "Ce champ est obligatoire."
IMPORT_FILE_TOO_LARGE = "Le fichier dépasse 5 Mo : découpez-le."
IMPORT_REJECTED = (
    "{lines} ligne(s) refusée(s), {anomalies} anomalie(s) : rien n'a été importé. "
    "Corrigez le fichier et recommencez."
)
# The name an erased household keeps (its row stays for the family number).
ERASED_NAME = "Foyer effacé"

# --- Field groups -------------------------------------------------------------------------------

FIELD_GROUP_LABELS: dict[str, str] = {
    "household.address": "Adresse de facturation",
    "household.phone": "Téléphone du foyer",
    "household.authorisations": "Autorisations courriel et SMS",
    "household.quotient": "Quotient familial et n° d'allocataire",
    "household.insurance": "Assurance",
    "household.criteria": "Critères de la commune",
    "guardian.identity": "Identité du responsable légal",
    "guardian.email": "Adresse e-mail (identifiant de connexion)",
    "guardian.phones": "Téléphones du responsable légal",
    "guardian.work": "Profession et employeur",
    "guardian.authority": "Autorité parentale",
    "adult.identity": "Identité de l'adulte du foyer",
    "adult.contact": "Coordonnées de l'adulte du foyer",
    "child.identity": "Identité de l'enfant",
    "child.schooling": "Scolarité",
    "child.diet": "Régime alimentaire, PAI et vaccinations",
    "child.consents": "Autorisations (photo, sorties, départ seul, hospitalisation)",
    "child.contacts": "Personnes autorisées et à prévenir",
}

# How a change request's state reads in the readable export.
REQUEST_STATUSES: dict[str, str] = {
    "pending": "en attente",
    "accepted": "acceptée",
    "refused": "refusée",
    "replaced": "remplacée",
}
