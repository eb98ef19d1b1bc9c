"""Template filters: French days, Paris times, money, and the tenant's name with its article.
Values come from typed models (date, datetime) or, for a few free-form fields, ISO strings."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from marelle_gateway.web import catalog
from marelle_kit import formats

_DE = {"": "de ", "la": "de la ", "le": "du ", "l'": "de l'", "les": "des "}
_A = {"": "à ", "la": "à la ", "le": "au ", "l'": "à l'", "les": "aux "}
_THE = {"": "", "la": "la ", "le": "le ", "l'": "l'", "les": "les "}


def _as_date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return value
    try:
        return _as_date(datetime.fromisoformat(str(value)))
    except ValueError:
        return None


def day(value: Any) -> str:
    """01/12/2026."""
    found = _as_date(value)
    return formats.day(found) if found is not None else ""


def day_short(value: Any) -> str:
    """1 déc. 2026."""
    found = _as_date(value)
    return formats.day_short(found) if found is not None else ""


def moment(value: Any) -> str:
    """01/12/2026 à 14 h 30, Paris time."""
    found = _as_date(value)
    if not isinstance(found, datetime):
        return day(found)
    return formats.moment(found)


def money(value: Any, cents: bool = False) -> str:
    """12,50 €."""
    if value is None or value == "":
        return ""
    return formats.money(Decimal(str(value)) if not isinstance(value, int) else value, cents=cents)


def name_of(article: str, name: str, form: str) -> str:
    """The tenant's name as French grammar wants it after « de », « à » or alone."""
    table = {"de": _DE, "a": _A, "the": _THE}[form]
    return f"{table.get(article, table[''])}{name}"


def tenant_de(tenant: Any) -> str:
    """« de la Mairie de Lisle », « du SIVU des Trois Vallées », « de Lyon »."""
    return name_of(getattr(tenant, "article", ""), getattr(tenant, "name", ""), "de")


def tenant_a(tenant: Any) -> str:
    """« à la Mairie de Lisle », « au SIVU… », « à Lyon »."""
    return name_of(getattr(tenant, "article", ""), getattr(tenant, "name", ""), "a")


def tenant_the(tenant: Any) -> str:
    """« la Mairie de Lisle » (capitalise at the start of a sentence)."""
    return name_of(getattr(tenant, "article", ""), getattr(tenant, "name", ""), "the")


def phone(value: Any) -> str:
    """0478000000 -> 04 78 00 00 00 (a French number in pairs); anything else as it is."""
    text = "" if value is None else str(value)
    if len(text) == 10 and text.isdigit():
        return " ".join(text[i : i + 2] for i in range(0, 10, 2))
    return text


def capitalize_first(text: str) -> str:
    """« la Mairie… » at the start of a sentence: « La Mairie… » (the rest untouched)."""
    return text[:1].upper() + text[1:]


FILTERS = {
    "phone": phone,
    "capitalize_first": capitalize_first,
    "day": day,
    "day_short": day_short,
    "moment": moment,
    "money": money,
    "de_tenant": tenant_de,
    "a_tenant": tenant_a,
    "the_tenant": tenant_the,
}


def _contact_text(contact: Any) -> str:
    get = contact.get if isinstance(contact, dict) else lambda k, d=None: getattr(contact, k, d)
    roles = [
        label
        for flag, label in (("pick_up", "vient chercher l'enfant"), ("emergency", "urgence"))
        if get(flag)
    ]
    who = f"{get('first_name', '')} {get('last_name', '')}".strip()
    return f"{who} ({get('relationship', '')}, {get('phone', '')})" + (
        f" — {', '.join(roles)}" if roles else ""
    )


def shown(name: str, value: Any, diets: dict[str, str] | None = None) -> str:
    """A record's or a change request's value as people read it."""
    if name == "diet":
        return (diets or {}).get(value, value) if value else catalog.NO_DIET
    if value is None or value == "":
        return catalog.NOT_GIVEN
    if isinstance(value, bool):
        return catalog.YES_NO[value]
    if name == "contacts" and isinstance(value, list):
        return "; ".join(_contact_text(c) for c in value) or "Aucune"
    if name == "parental_authority":
        return catalog.AUTHORITY.get(str(value), str(value))
    if name == "benefits_scheme":
        return catalog.SCHEMES.get(str(value), str(value))
    if isinstance(value, date) or name.endswith(("_date", "_until")):
        return day(value)
    if name == "quotient":
        return f"{value} €"
    return str(value)
