"""The French catalogue: the one copy of every label, status, notice and error text the pages
show. Handlers speak in codes (a notice code, an error code); templates and this file speak
French. Add a label here, never in a handler."""

from __future__ import annotations

from marelle_kit import roles

# Fields of the records, as staff and families read them.
FIELD_LABELS: dict[str, str] = {
    "name": "Nom du foyer",
    "address_street": "Numéro et rue",
    "address_complement": "Complément d'adresse",
    "postcode": "Code postal",
    "city": "Commune",
    "phone": "Téléphone",
    "email_authorised": "Accepte les courriels",
    "sms_authorised": "Accepte les SMS",
    "quotient": "Quotient familial (€)",
    "quotient_valid_until": "Quotient valable jusqu'au",
    "benefits_scheme": "Régime (CAF ou MSA)",
    "benefits_number": "N° d'allocataire",
    "insurer": "Assureur",
    "insurance_number": "N° de contrat d'assurance",
    "insurance_valid_until": "Assurance valable jusqu'au",
    "rank": "Rang",
    "first_name": "Prénom",
    "last_name": "Nom",
    "email": "Adresse e-mail",
    "work_phone": "Téléphone professionnel",
    "profession": "Profession",
    "employer": "Employeur",
    "parental_authority": "Autorité parentale",
    "birth_date": "Date de naissance",
    "birth_place": "Lieu de naissance",
    "school": "École",
    "level": "Classe ou niveau",
    "school_year": "Année scolaire",
    "diet": "Régime alimentaire",
    "pai": "PAI (projet d'accueil individualisé)",
    "vaccinations_up_to_date": "Vaccinations à jour",
    "consent_photo": "Photographies et vidéos",
    "consent_outings": "Sorties",
    "consent_leave_alone": "Partir seul",
    "consent_hospitalisation": "Hospitalisation en urgence",
    "contacts": "Personnes autorisées et à prévenir",
    "relationship": "Lien avec l'enfant",
    "pick_up": "Peut venir chercher l'enfant",
    "emergency": "À prévenir en urgence",
    "reason": "Motif du refus",
    "criteria_values": "Critères de la commune",
    "diets": "Régimes",
    "criteria": "Critères",
    "editing": "Modes de modification",
    "article": "Article du nom",
    "home_text": "Texte d'accueil du portail",
    "contact_address": "Adresse postale",
    "contact_phone": "Téléphone",
    "contact_email": "Adresse e-mail",
    "contact_hours": "Horaires d'accueil",
    "dpo_contact": "Délégué à la protection des données",
    "retention_years": "Durée de conservation (années)",
    "file": "Fichier",
    "person_id": "Personne concernée",
    "password": "Mot de passe",
    "confirmation": "Confirmation",
    "current_password": "Mot de passe actuel",
    "sentence": "Phrase",
}
YES_NO = {True: "Oui", False: "Non"}
NOT_GIVEN = "Non renseigné"
AUTHORITY = {"unknown": "Non renseignée", "yes": "Oui", "no": "Non"}
SCHEMES = {"caf": "CAF", "msa": "MSA"}
NO_DIET = "Aucun régime particulier"
CONSENT_CHOICES = (("", NOT_GIVEN), ("oui", "Oui"), ("non", "Non"))
AUTHORITY_CHOICES = (("unknown", "Non renseignée"), ("yes", "Oui"), ("no", "Non"))
SCHEME_CHOICES = (("", "Aucun"), ("caf", "CAF"), ("msa", "MSA"))

TARGET_LABELS = {
    "household": "Foyer",
    "guardian": "Responsable légal",
    "adult": "Autre adulte",
    "child": "Enfant",
}
REQUEST_STATUSES = {
    "pending": "En attente",
    "accepted": "Acceptée",
    "refused": "Refusée",
    "replaced": "Remplacée par une demande plus récente",
}
# The colour of a status badge (the text says it too): info, success, error, neutral.
REQUEST_TONES = {
    "pending": "info",
    "accepted": "success",
    "refused": "error",
    "replaced": "neutral",
}
MAIL_STATUSES = {"queued": "En attente", "sent": "Envoyé", "failed": "Échec"}
MAIL_TONES = {"queued": "info", "sent": "success", "failed": "error"}
CRITERION_KINDS = {"yes_no": "oui/non", "text": "texte", "choice": "choix"}
ARTICLES = (
    ("la", "la (« de la Mairie de… », « à la Mairie de… »)"),
    ("le", "le (« du SIVU… », « au SIVU… »)"),
    ("l'", "l' (« de l'Agglomération… », « à l'Agglomération… »)"),
    ("les", "les (« des Communes… », « aux Communes… »)"),
    ("", "aucun (« de Lisle », « à Lisle »)"),
)

ROLE_LABELS = {
    roles.ADMIN: "Administrateur",
    roles.MANAGER: "Responsable",
    roles.AGENT: "Agent",
    roles.REGIE: "Régie",
    roles.ANIMATEUR: "Animateur",
    roles.READER: "Lecture seule",
    roles.OPERATOR: "Opérateur",
}

# The security journal (auth-service): what happened, how it ended, details.
AUDIT_ACTIONS = {
    "login": "Connexion",
    "account": "Compte",
    "account.unlocked": "Déblocage du compte",
    "password_link.requested": "Demande de lien de mot de passe",
    "password.set": "Mot de passe choisi par lien",
    "password.changed": "Changement de mot de passe",
    "keys.rotated": "Renouvellement des clés de signature",
    "staff.created": "Création d'un compte agent",
}
AUDIT_OUTCOMES = {
    "success": "Réussite",
    "failure": "Échec",
    "locked": "Compte bloqué",
    "throttled": "Ralenti (trop d'essais)",
    "unknown": "Adresse inconnue",
    "refused": "Refusé",
}
AUDIT_TONES = {"success": "success", "failure": "error", "locked": "error", "refused": "error"}
AUDIT_DETAILS = {
    "first_login": "première connexion",
    "reset": "mot de passe oublié",
    "old key withdrawn": "ancienne clé retirée",
    "urn:marelle:problem:link-expired": "lien expiré",
    "urn:marelle:problem:link-used": "lien déjà utilisé",
    "urn:marelle:problem:link-invalid": "lien invalide",
    "urn:marelle:problem:password-policy": "mot de passe refusé par les règles",
    "urn:marelle:problem:wrong-current-password": "mot de passe actuel erroné",
}
DELETED_ACCOUNT = "un compte supprimé"
BY = "par "
ACCOUNT_KINDS = {"parent": "Famille", "staff": "Agent"}

# Notices: shown once after a change (the code travels in the redirect's query).
NOTICES = {
    # Portal.
    "applied": "Vos modifications sont enregistrées.",
    "requested": "Votre demande est envoyée : les services de la commune vont l'examiner. "
    "Suivez-la dans « Mes demandes ».",
    "mixed": "Une partie de vos modifications est enregistrée ; le reste est envoyé aux services "
    "de la commune (voir « Mes demandes »).",
    "certified": "Merci : vous avez certifié que vos informations sont à jour.",
    "document": "Le document est ajouté.",
    # Back office.
    "enregistre": "Les modifications sont enregistrées.",
    "inchange": "Aucune modification : rien n'a été enregistré.",
    "responsable-ajoute": "Le responsable légal est ajouté.",
    "responsable-retire": "Le responsable légal est retiré du foyer ; son accès au portail est "
    "fermé.",
    "adulte-ajoute": "L'adulte est ajouté au foyer.",
    "adulte-retire": "L'adulte est retiré du foyer.",
    "criteres": "Les critères du foyer sont enregistrés.",
    "document-ajoute": "Le document est ajouté au dossier.",
    "enfant-ajoute": "L'enfant est ajouté au foyer.",
    "fiche-validee": "La fiche de l'enfant est validée.",
    "acceptee": "La demande est acceptée : la modification est appliquée au dossier.",
    "refusee": "La demande est refusée ; la famille lit le motif dans « Mes demandes ».",
    "efface": "Le foyer a été effacé ; les autres services en sont informés.",
    "reglages": "Les réglages sont enregistrés.",
    "debloque": "Le compte est débloqué.",
}

# Page errors: (title, message), by code.
ERRORS: dict[str, tuple[str, str]] = {
    "not-found": ("Page introuvable", "Cette page n'existe pas ou plus."),
    "bad-address": (
        "Adresse incorrecte",
        "L'adresse de cette page est incomplète ou mal formée. Revenez à la page précédente.",
    ),
    "record-not-found": ("Fiche introuvable", "Cette fiche n'existe pas ou n'est plus accessible."),
    "document-not-found": ("Document introuvable", "Ce document n'existe pas."),
    "mail-not-found": ("Message introuvable", "Ce message n'existe pas."),
    "form-expired": (
        "Formulaire expiré",
        "Le formulaire a expiré pour votre sécurité ; revenez à la page, rechargez-la et "
        "recommencez.",
    ),
    "forbidden": ("Accès refusé", "Votre compte n'a pas accès à cette page."),
    "staff-only": ("Accès refusé", "Cet espace est réservé aux agents de la structure."),
    "families-only": (
        "Espace des familles",
        "Cet espace est celui des familles. Votre compte est un compte agent.",
    ),
    "unavailable": (
        "Service momentanément indisponible",
        "Un service de la commune ne répond pas. Réessayez dans quelques minutes.",
    ),
    "login-unavailable": (
        "Service momentanément indisponible",
        "La connexion est momentanément indisponible. Réessayez dans quelques minutes.",
    ),
    "tenant-unknown": (
        "Structure inconnue",
        "Cette adresse ne correspond à aucune commune ou structure utilisant Marelle.",
    ),
    "refused": ("Demande refusée", "La demande n'a pas pu aboutir."),
    "server-error": (
        "Erreur inattendue",
        "Une erreur inattendue est survenue ; elle est consignée. Réessayez dans un instant.",
    ),
    "erasure-refused": ("Effacement impossible", "L'effacement n'a pas abouti."),
    "document-refused": ("Document refusé", "Ce document n'a pas pu être ajouté."),
}

LOGIN_ERRORS = {
    "expired": "Votre demande de connexion a expiré. Saisissez à nouveau vos identifiants.",
    "credentials": "Adresse e-mail ou mot de passe incorrect.",
    "unavailable": "La connexion est momentanément indisponible.",
    "failed": "La connexion n'a pas abouti. Recommencez.",
    "staff-account": "Ce compte est un compte agent : il ne donne pas accès au Portail Famille.",
    "not-staff": "Ce compte n'est pas un compte agent : connectez-vous sur le Portail Famille.",
}
LINK_PROBLEMS = {
    "link-expired": ("Lien expiré", "Ce lien a expiré."),
    "link-used": ("Lien déjà utilisé", "Ce lien a déjà servi : votre mot de passe est choisi."),
    "link-invalid": ("Lien invalide", "Ce lien n'est pas (ou plus) valable."),
}
PASSWORD_ERRORS = {
    "invalid-email": "Cette adresse e-mail n'est pas valide. Vérifiez-la et recommencez.",
    "rules": "Ce mot de passe ne respecte pas les règles.",
    "no-suggestion": "Aucune proposition n'a pu être faite.",
    "sentence-breaks-rules": "Le mot de passe construit à partir de cette phrase ne respecte pas "
    "toutes les règles (voir la liste) : allongez la phrase, ajoutez un chiffre ou un signe de "
    "ponctuation, ou choisissez-en une autre.",
    "refused": "Le changement de mot de passe a été refusé.",
}
# The checklist before anything is typed (the auth-service's policy, in its order).
PASSWORD_RULES = (
    ("length", "Au moins 8 caractères"),
    ("lower", "Au moins une minuscule"),
    ("upper", "Au moins une majuscule"),
    ("digit", "Au moins un chiffre"),
    ("special", "Au moins un caractère spécial"),
    ("same", "Les deux saisies sont identiques"),
    ("common", "N'est pas un mot de passe courant"),
    ("personal", "Ne contient ni votre adresse e-mail ni votre nom"),
)
FORM_ERRORS = {
    "integer": "Un nombre entier est attendu.",
    "date": "Une date est attendue (JJ/MM/AAAA).",
    "required": "Ce champ est obligatoire.",
    "choice": "Cette valeur n'est pas proposée.",
    "too-long": "Ce texte est trop long.",
    "retention": "Une durée de 1 à 10 ans est attendue.",
    "criterion": "Un critère est mal écrit : son type est oui/non, texte ou choix, et un critère "
    "à choix a besoin de ses choix.",
    "criterion-line": "Ligne {line} : chaque ligne s'écrit « code | libellé | type » (et les "
    "choix pour un critère à choix).",
}

SEARCH_FILTERS = (
    ("a_valider", "not_validated", "Une fiche enfant est à valider"),
    ("qf_expire", "quotient_expired", "Quotient familial absent ou expiré"),
    ("sans_email", "missing_email", "Aucun responsable légal n'a d'adresse e-mail"),
)
