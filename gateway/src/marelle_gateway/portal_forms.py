"""The portal's edit forms, one per field group (the seeds' edit icon per category): which
fields, their French labels and input types, and how a posted form becomes the JSON the
family-service expects."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    kind: str = "text"  # text, tel, email, date, number, checkbox, consent, select
    options: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    autocomplete: str = "off"


CONSENT = (("", "Non renseigné"), ("true", "Oui"), ("false", "Non"))

GROUPS: dict[str, tuple[str, tuple[FieldSpec, ...]]] = {
    "household.address": (
        "Adresse de facturation",
        (
            FieldSpec("address_street", "Numéro et rue", autocomplete="address-line1"),
            FieldSpec("address_complement", "Complément", autocomplete="address-line2"),
            FieldSpec("postcode", "Code postal", autocomplete="postal-code"),
            FieldSpec("city", "Ville", autocomplete="address-level2"),
        ),
    ),
    "household.phone": (
        "Téléphone du foyer",
        (FieldSpec("phone", "Téléphone", "tel", autocomplete="tel"),),
    ),
    "household.authorisations": (
        "Autorisations courriel et SMS",
        (
            FieldSpec("email_authorised", "J'accepte de recevoir les courriels", "checkbox"),
            FieldSpec("sms_authorised", "J'accepte de recevoir les SMS", "checkbox"),
        ),
    ),
    "household.quotient": (
        "Quotient familial et n° d'allocataire",
        (
            FieldSpec("quotient", "Quotient familial (€)", "number"),
            FieldSpec("quotient_valid_until", "Valable jusqu'au", "date"),
            FieldSpec(
                "benefits_scheme",
                "Régime",
                "select",
                (("", "Aucun"), ("caf", "CAF"), ("msa", "MSA")),
            ),
            FieldSpec("benefits_number", "N° d'allocataire"),
        ),
    ),
    "household.insurance": (
        "Assurance",
        (
            FieldSpec("insurer", "Assureur"),
            FieldSpec("insurance_number", "N° de contrat"),
            FieldSpec("insurance_valid_until", "Valable jusqu'au", "date"),
        ),
    ),
    "guardian.identity": (
        "Identité",
        (
            FieldSpec("first_name", "Prénom", autocomplete="given-name"),
            FieldSpec("last_name", "Nom", autocomplete="family-name"),
        ),
    ),
    "guardian.email": (
        "Adresse e-mail (identifiant de connexion)",
        (FieldSpec("email", "Adresse e-mail", "email", autocomplete="email"),),
    ),
    "guardian.phones": (
        "Téléphones",
        (
            FieldSpec("phone", "Téléphone portable", "tel", autocomplete="tel"),
            FieldSpec("work_phone", "Téléphone professionnel", "tel"),
        ),
    ),
    "guardian.work": (
        "Profession et employeur",
        (FieldSpec("profession", "Profession"), FieldSpec("employer", "Employeur")),
    ),
    "guardian.authority": (
        "Autorité parentale",
        (
            FieldSpec(
                "parental_authority",
                "Exerce l'autorité parentale",
                "select",
                (("unknown", "Non renseigné"), ("yes", "Oui"), ("no", "Non")),
            ),
        ),
    ),
    "adult.identity": (
        "Identité",
        (
            FieldSpec("first_name", "Prénom"),
            FieldSpec("last_name", "Nom"),
            FieldSpec("relationship", "Lien avec le foyer (ex. beau-père)"),
        ),
    ),
    "adult.contact": (
        "Coordonnées",
        (
            FieldSpec("phone", "Téléphone", "tel"),
            FieldSpec("email", "Adresse e-mail", "email"),
        ),
    ),
    "child.identity": (
        "Identité de l'enfant",
        (
            FieldSpec("first_name", "Prénom"),
            FieldSpec("last_name", "Nom"),
            FieldSpec("birth_date", "Date de naissance", "date"),
            FieldSpec("birth_place", "Lieu de naissance"),
        ),
    ),
    "child.schooling": (
        "Scolarité",
        (
            FieldSpec("school", "École"),
            FieldSpec("level", "Classe ou niveau"),
            FieldSpec("school_year", "Année scolaire (ex. 2026-2027)"),
        ),
    ),
    "child.diet": (
        "Régime alimentaire, PAI et vaccinations",
        (
            FieldSpec("diet", "Régime alimentaire", "select"),  # options: the tenant's list
            FieldSpec("pai", "Un PAI (projet d'accueil individualisé) existe", "checkbox"),
            FieldSpec("vaccinations_up_to_date", "Les vaccinations sont à jour", "checkbox"),
        ),
    ),
    "child.consents": (
        "Autorisations",
        (
            FieldSpec("consent_photo", "Photographies et vidéos", "consent", CONSENT),
            FieldSpec("consent_outings", "Sorties", "consent", CONSENT),
            FieldSpec("consent_leave_alone", "Partir seul", "consent", CONSENT),
            FieldSpec("consent_hospitalisation", "Hospitalisation en urgence", "consent", CONSENT),
        ),
    ),
}
CONTACT_ROWS = 3


def form_to_changes(group: str, form: dict[str, str]) -> dict[str, Any]:
    """The JSON of a PATCH: empty optional text clears the field, checkboxes are booleans."""
    changes: dict[str, Any] = {}
    for spec in GROUPS[group][1]:
        raw = form.get(spec.name, "")
        if spec.kind == "checkbox":
            changes[spec.name] = raw == "on"
        elif spec.kind == "consent":
            changes[spec.name] = {"true": True, "false": False}.get(raw)
        elif spec.kind == "number":
            stripped = raw.strip()
            changes[spec.name] = int(stripped) if stripped.isdigit() else (stripped or None)
        else:
            changes[spec.name] = raw.strip() or None
    return changes


def contacts_from_form(form: dict[str, str]) -> list[dict[str, Any]]:
    """Filled contact rows of the contacts form; an all-empty row is ignored."""
    contacts = []
    for index in range(CONTACT_ROWS):
        row = {
            name: form.get(f"contacts-{index}-{name}", "").strip()
            for name in ("first_name", "last_name", "relationship", "phone")
        }
        pick_up = form.get(f"contacts-{index}-pick_up") == "on"
        emergency = form.get(f"contacts-{index}-emergency") == "on"
        if any(row.values()) or pick_up or emergency:
            contacts.append({**row, "pick_up": pick_up, "emergency": emergency})
    return contacts


def current_values(group: str, record: dict[str, Any]) -> dict[str, str]:
    values = {}
    for spec in GROUPS[group][1]:
        value = record.get(spec.name)
        if spec.kind == "checkbox":
            values[spec.name] = "on" if value else ""
        elif spec.kind == "consent":
            values[spec.name] = "" if value is None else ("true" if value else "false")
        else:
            values[spec.name] = "" if value is None else str(value)
    return values
