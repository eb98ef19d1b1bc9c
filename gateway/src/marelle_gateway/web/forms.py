"""Forms: the one description of the records' fields (label, input, choices), used by the
portal's edit form per field group and by the back office's record forms alike, and the
parsing of a posted form into typed values, done once, with French field errors of ours (a
number, a date, a required field) before the service adds its own (a phone, a postcode...)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import Depends, Request
from pydantic import BaseModel, ConfigDict
from starlette.datastructures import FormData, UploadFile

from marelle_gateway.clients.base import UpstreamProblem
from marelle_gateway.web import catalog
from marelle_gateway.web.catalog import FIELD_LABELS, FORM_ERRORS

Kind = Literal[
    "text", "tel", "email", "date", "number", "checkbox", "consent", "select", "diet", "textarea"
]
TEXT_LIMIT = 1000  # longer than any field: the service still says what is too long
TRUE_WORDS = frozenset({"on", "oui", "true", "1"})


class FormModel(BaseModel):
    """A fixed form, parsed once by FastAPI (``data: Annotated[Model, Form()]``): text is
    trimmed, unknown fields (the CSRF token) are ignored."""

    model_config = ConfigDict(str_strip_whitespace=True, str_max_length=TEXT_LIMIT, extra="ignore")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    kind: Kind = "text"
    options: tuple[tuple[str, str], ...] = ()
    autocomplete: str = "off"
    maxlength: int = 200
    hint: str | None = None
    required: bool = False
    inputmode: str | None = None


@dataclass(frozen=True)
class FieldGroup:
    """A category of a record, edited at once (the seeds' pencil per block)."""

    code: str
    title: str
    fields: tuple[FieldSpec, ...]

    @property
    def target(self) -> str:
        return self.code.split(".", 1)[0]


def _consent(name: str, label: str) -> FieldSpec:
    return FieldSpec(name, label, "consent", catalog.CONSENT_CHOICES)


_GROUPS = (
    FieldGroup(
        "household.address",
        "Adresse de facturation",
        (
            FieldSpec("address_street", "Numéro et rue", autocomplete="address-line1"),
            FieldSpec("address_complement", "Complément d'adresse", autocomplete="address-line2"),
            FieldSpec(
                "postcode",
                "Code postal",
                autocomplete="postal-code",
                maxlength=5,
                hint="5 chiffres",
                inputmode="numeric",
            ),
            FieldSpec("city", "Commune", autocomplete="address-level2", maxlength=100),
        ),
    ),
    FieldGroup(
        "household.phone",
        "Téléphone du foyer",
        (FieldSpec("phone", "Téléphone", "tel", autocomplete="tel", maxlength=20),),
    ),
    FieldGroup(
        "household.authorisations",
        "Autorisations courriel et SMS",
        (
            FieldSpec("email_authorised", "Accepte de recevoir les courriels", "checkbox"),
            FieldSpec("sms_authorised", "Accepte de recevoir les SMS", "checkbox"),
        ),
    ),
    FieldGroup(
        "household.quotient",
        "Quotient familial et n° d'allocataire",
        (
            FieldSpec(
                "quotient",
                "Quotient familial (€)",
                "number",
                maxlength=6,
                hint="En euros, sans centimes",
                inputmode="numeric",
            ),
            FieldSpec("quotient_valid_until", "Quotient valable jusqu'au", "date"),
            FieldSpec("benefits_scheme", "Régime (CAF ou MSA)", "select", catalog.SCHEME_CHOICES),
            FieldSpec("benefits_number", "N° d'allocataire", maxlength=20),
        ),
    ),
    FieldGroup(
        "household.insurance",
        "Assurance",
        (
            FieldSpec("insurer", "Assureur", maxlength=100),
            FieldSpec("insurance_number", "N° de contrat d'assurance", maxlength=50),
            FieldSpec("insurance_valid_until", "Assurance valable jusqu'au", "date"),
        ),
    ),
    FieldGroup(
        "guardian.identity",
        "Identité",
        (
            FieldSpec(
                "first_name", "Prénom", autocomplete="given-name", maxlength=100, required=True
            ),
            FieldSpec("last_name", "Nom", autocomplete="family-name", maxlength=100, required=True),
        ),
    ),
    FieldGroup(
        "guardian.email",
        "Adresse e-mail (identifiant de connexion)",
        (
            FieldSpec(
                "email",
                "Adresse e-mail (sert d'identifiant de connexion)",
                "email",
                autocomplete="email",
                maxlength=254,
            ),
        ),
    ),
    FieldGroup(
        "guardian.phones",
        "Téléphones",
        (
            FieldSpec("phone", "Téléphone portable", "tel", autocomplete="tel", maxlength=20),
            FieldSpec("work_phone", "Téléphone professionnel", "tel", maxlength=20),
        ),
    ),
    FieldGroup(
        "guardian.work",
        "Profession et employeur",
        (
            FieldSpec("profession", "Profession", maxlength=100),
            FieldSpec("employer", "Employeur", maxlength=100),
        ),
    ),
    FieldGroup(
        "guardian.authority",
        "Autorité parentale",
        (
            FieldSpec(
                "parental_authority",
                "Exerce l'autorité parentale",
                "select",
                catalog.AUTHORITY_CHOICES,
            ),
        ),
    ),
    FieldGroup(
        "adult.identity",
        "Identité",
        (
            FieldSpec("first_name", "Prénom", maxlength=100, required=True),
            FieldSpec("last_name", "Nom", maxlength=100, required=True),
            FieldSpec(
                "relationship", "Lien avec le foyer (ex. beau-père)", maxlength=50, required=True
            ),
        ),
    ),
    FieldGroup(
        "adult.contact",
        "Coordonnées",
        (
            FieldSpec("phone", "Téléphone", "tel", maxlength=20),
            FieldSpec("email", "Adresse e-mail", "email", maxlength=254),
        ),
    ),
    FieldGroup(
        "child.identity",
        "Identité de l'enfant",
        (
            FieldSpec("first_name", "Prénom", maxlength=100, required=True),
            FieldSpec("last_name", "Nom", maxlength=100, required=True),
            FieldSpec("birth_date", "Date de naissance", "date", required=True),
            FieldSpec("birth_place", "Lieu de naissance", maxlength=100),
        ),
    ),
    FieldGroup(
        "child.schooling",
        "Scolarité",
        (
            FieldSpec("school", "École"),
            FieldSpec(
                "level",
                "Classe ou niveau",
                maxlength=20,
                hint="Par exemple : CP, CE1, petite section",
            ),
            FieldSpec("school_year", "Année scolaire", maxlength=9, hint="Par exemple : 2026-2027"),
        ),
    ),
    FieldGroup(
        "child.diet",
        "Régime alimentaire, PAI et vaccinations",
        (
            FieldSpec("diet", "Régime alimentaire", "diet"),  # choices: the tenant's diets
            FieldSpec("pai", "Un PAI (projet d'accueil individualisé) existe", "checkbox"),
            FieldSpec("vaccinations_up_to_date", "Les vaccinations sont à jour", "checkbox"),
        ),
    ),
    FieldGroup(
        "child.consents",
        "Autorisations",
        (
            _consent("consent_photo", "Photographies et vidéos"),
            _consent("consent_outings", "Sorties"),
            _consent("consent_leave_alone", "Partir seul"),
            _consent("consent_hospitalisation", "Hospitalisation en urgence"),
        ),
    ),
)
GROUPS: dict[str, FieldGroup] = {group.code: group for group in _GROUPS}
CONTACTS = "child.contacts"
CONTACTS_TITLE = "Personnes autorisées et à prévenir"
EDITABLE_GROUPS = frozenset({*GROUPS, CONTACTS})
GROUP_TITLES: dict[str, str] = {
    **{code: group.title for code, group in GROUPS.items()},
    CONTACTS: CONTACTS_TITLE,
}

HOUSEHOLD_GROUPS = tuple(code for code in GROUPS if code.startswith("household."))
GUARDIAN_GROUPS = tuple(code for code in GROUPS if code.startswith("guardian."))
ADULT_GROUPS = tuple(code for code in GROUPS if code.startswith("adult."))
CHILD_GROUPS = tuple(code for code in GROUPS if code.startswith("child."))


def fields_of(groups: Sequence[str]) -> tuple[FieldSpec, ...]:
    return tuple(spec for code in groups for spec in GROUPS[code].fields)


CONTACT_FIELDS = (
    FieldSpec("first_name", "Prénom", maxlength=100),
    FieldSpec("last_name", "Nom", maxlength=100),
    FieldSpec("relationship", "Lien avec l'enfant", maxlength=50),
    FieldSpec("phone", "Téléphone", "tel", maxlength=20),
)
CONTACT_FLAGS = (
    FieldSpec("pick_up", "Peut venir chercher l'enfant", "checkbox"),
    FieldSpec("emergency", "À prévenir en urgence", "checkbox"),
)
MAX_CONTACTS = 10


@dataclass
class ParsedForm:
    """A posted form: what was typed (shown again on error), the typed values for the
    service, and our own field errors."""

    raw: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return not self.errors


def text_of(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return value.strip()[:TEXT_LIMIT] if isinstance(value, str) else ""


def _parse_date(typed: str) -> date | None:
    for parse in (date.fromisoformat, lambda v: datetime.strptime(v, "%d/%m/%Y").date()):
        try:
            return parse(typed)
        except ValueError:
            continue
    return None


def parse_fields(
    fields: Sequence[FieldSpec], form: Mapping[str, Any], *, prefix: str = ""
) -> ParsedForm:
    parsed = ParsedForm()
    for spec in fields:
        typed = text_of(form, prefix + spec.name)
        parsed.raw[spec.name] = typed
        value: Any
        if spec.kind == "checkbox":
            value = typed.lower() in TRUE_WORDS
        elif spec.kind == "consent":
            value = {"oui": True, "non": False}.get(typed)
        elif spec.kind == "number":
            compact = typed.replace(" ", "")
            value = int(compact) if compact.isdigit() else None
            if compact and value is None:
                parsed.errors[spec.name] = FORM_ERRORS["integer"]
        elif spec.kind == "date":
            value = _parse_date(typed) if typed else None
            if typed and value is None:
                parsed.errors[spec.name] = FORM_ERRORS["date"]
        elif spec.kind == "select" and spec.options:
            allowed = {code for code, _label in spec.options}
            value = typed or None
            if typed not in allowed:
                parsed.errors[spec.name] = FORM_ERRORS["choice"]
        else:
            value = typed or None
        if spec.required and not typed:
            parsed.errors[spec.name] = FORM_ERRORS["required"]
        parsed.values[spec.name] = value
    if "parental_authority" in parsed.values:  # "not given" is a value of its own
        parsed.values["parental_authority"] = parsed.values["parental_authority"] or "unknown"
    return parsed


def parse_contacts(
    form: Mapping[str, Any], rows: int = MAX_CONTACTS
) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """The filled rows of a contacts form (an all-empty row is ignored), typed and as typed."""
    contacts, typed_rows = [], []
    for index in range(rows):
        prefix = f"contacts-{index}-"
        typed = {spec.name: text_of(form, prefix + spec.name) for spec in CONTACT_FIELDS}
        flags = {
            spec.name: text_of(form, prefix + spec.name).lower() in TRUE_WORDS
            for spec in CONTACT_FLAGS
        }
        if not any(typed.values()) and not any(flags.values()):
            continue
        typed_rows.append({**typed, **{k: "oui" if v else "" for k, v in flags.items()}})
        # An empty field is left out, so that the service answers "Ce champ est obligatoire."
        contacts.append({**{k: v for k, v in typed.items() if v}, **flags})
    return contacts, typed_rows


def as_typed(spec: FieldSpec, value: Any) -> str:
    """A record's value as its input shows it."""
    if spec.kind == "checkbox":
        return "oui" if value else ""
    if spec.kind == "consent":
        return "" if value is None else ("oui" if value else "non")
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def current_values(fields: Sequence[FieldSpec], record: Any) -> dict[str, str]:
    return {spec.name: as_typed(spec, getattr(record, spec.name, None)) for spec in fields}


def _comparable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return value


def changed(values: Mapping[str, Any], record: Any) -> dict[str, Any]:
    """What the form changes in the record: only these fields go to the service, so that an
    unchanged field publishes nothing."""
    return {
        name: value
        for name, value in values.items()
        if _comparable(value) != _comparable(getattr(record, name, None))
    }


def jsonable(values: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _comparable(value) for name, value in values.items()}


def field_errors(problem: UpstreamProblem) -> dict[str, str]:
    """A service's refusal as field errors, keyed by field ("" for the form as a whole)."""
    found = {error.field.removeprefix("body."): error.message for error in problem.errors}
    if problem.field:
        found[problem.field] = problem.detail
    if not found:
        found[""] = problem.detail or catalog.ERRORS["refused"][1]
    return found


def one_message(problem: UpstreamProblem) -> str:
    """A refusal in one line, for a page's error banner."""
    return one_message_of(field_errors(problem))


def one_message_of(errors: Mapping[str, str]) -> str:
    return " ".join(dict.fromkeys(m for m in errors.values() if m))


def refusal(problem: UpstreamProblem) -> dict[str, str]:
    """The field errors of a refusal, for the form to show again. A failure (the service is
    down) or a record that is not there is not the form's business: it goes on to the error
    page (raised again)."""
    if problem.unavailable or problem.status in (401, 403, 404):
        raise problem
    return field_errors(problem)


def label_of(name: str, fields: Sequence[FieldSpec] = ()) -> str:
    """The French label of a field (``contacts.0.phone`` -> « Personne n° 1 — Téléphone »)."""
    parts = name.split(".")
    if parts[0] == "contacts" and len(parts) > 1 and parts[1].isdigit():
        person = f"Personne n° {int(parts[1]) + 1}"
        if len(parts) > 2:
            return f"{person} — {FIELD_LABELS.get(parts[2], parts[2])}"
        return person
    spec = next((s for s in fields if s.name == parts[-1]), None)
    return spec.label if spec else FIELD_LABELS.get(parts[-1], parts[-1])


async def posted_form(request: Request) -> FormData:
    """The posted form, read once (FastAPI caches a dependency within a request)."""
    return await request.form()


PostedForm = Annotated[FormData, Depends(posted_form)]


def upload_of(form: FormData, name: str = "file") -> UploadFile | None:
    value = form.get(name)
    return value if isinstance(value, UploadFile) else None
