"""Field groups: the unit in which a record changes. A parent edits a group at once (an edit
icon per group on the portal, as in the seeds), a tenant sets each group to a direct edit or a
change request (editing/), and the records publish their change events by group."""

from __future__ import annotations

from typing import Any, Literal

Target = Literal["household", "guardian", "adult", "child"]

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
