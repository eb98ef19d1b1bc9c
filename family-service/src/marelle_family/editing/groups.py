"""Field groups: the unit a parent edits (an edit icon per group on the portal, as in the seeds)
and the unit a tenant sets to "direct" (the parent's change applies at once) or "request" (the
parent proposes, staff accept or refuse)."""

from __future__ import annotations

from typing import Any, Literal

Target = Literal["household", "guardian", "adult", "child"]
Mode = Literal["direct", "request"]

FIELD_GROUPS: dict[str, tuple[str, ...]] = {
    "household.address": ("address_street", "address_complement", "postcode", "city"),
    "household.phone": ("phone",),
    "household.authorisations": ("email_authorised", "sms_authorised"),
    "household.quotient": (
        "quotient",
        "quotient_valid_until",
        "benefits_scheme",
        "benefits_number",
    ),
    "household.insurance": ("insurer", "insurance_number", "insurance_valid_until"),
    "household.criteria": ("criteria_values",),
    "guardian.identity": ("first_name", "last_name"),
    "guardian.email": ("email",),
    "guardian.phones": ("phone", "work_phone"),
    "guardian.work": ("profession", "employer"),
    "guardian.authority": ("parental_authority",),
    "adult.identity": ("first_name", "last_name", "relationship"),
    "adult.contact": ("phone", "email"),
    "child.identity": ("first_name", "last_name", "birth_date", "birth_place"),
    "child.schooling": ("school", "level", "school_year"),
    "child.diet": ("diet", "pai", "vaccinations_up_to_date"),
    "child.consents": (
        "consent_photo",
        "consent_outings",
        "consent_leave_alone",
        "consent_hospitalisation",
    ),
    "child.contacts": ("contacts",),
}

LABELS: dict[str, str] = {
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

# What a parent changes at once unless the tenant decides otherwise: the household's phone and
# mail preferences, their own phones and work, the consents. Everything that staff rely on
# (address for billing, QF for tariffs, identity, schooling, diet, who may pick a child up)
# goes through a request.
DEFAULT_MODES: dict[str, Mode] = {
    group: "direct"
    if group
    in {
        "household.phone",
        "household.authorisations",
        "guardian.phones",
        "guardian.work",
        "adult.contact",
        "child.consents",
    }
    else "request"
    for group in FIELD_GROUPS
}


def split_by_group(target: Target, changes: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """{"child.schooling": {"school": ...}, ...} for the fields present in ``changes``."""
    groups: dict[str, dict[str, Any]] = {}
    for group, fields in FIELD_GROUPS.items():
        if not group.startswith(f"{target}."):
            continue
        picked = {name: changes[name] for name in fields if name in changes}
        if picked:
            groups[group] = picked
    return groups


def mode_of(editing: dict[str, str] | None, group: str) -> Mode:
    chosen = (editing or {}).get(group)
    return chosen if chosen in ("direct", "request") else DEFAULT_MODES[group]  # type: ignore[return-value]
