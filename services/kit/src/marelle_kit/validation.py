"""Input types shared by the services: e-mail addresses and people's names, normalised once.

Unicode tricks are refused rather than guessed at: control and invisible format characters
(zero-width spaces, bidi overrides) never enter a record, text is stored in NFC form, and an
e-mail address must be plain ASCII so that two visually equal addresses are the same login."""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, StringConstraints


def _no_hidden_characters(value: str) -> str:
    for char in value:
        if unicodedata.category(char) in ("Cc", "Cf", "Co", "Cs"):
            raise ValueError("caractère invisible ou de contrôle refusé")
    return value


def normalize_text(value: str) -> str:
    return _no_hidden_characters(unicodedata.normalize("NFC", value).strip())


def normalize_email(value: str) -> str:
    value = _no_hidden_characters(value.strip())
    try:
        # test_environment admits the reserved ".test" domain (demo data, tests); nothing is
        # ever delivered there.
        checked = validate_email(
            value, check_deliverability=False, allow_smtputf8=False, test_environment=True
        )
    except EmailNotValidError as exc:
        raise ValueError("adresse e-mail invalide") from exc
    return (checked.ascii_email or checked.normalized).lower()


EmailAddress = Annotated[str, StringConstraints(max_length=254), AfterValidator(normalize_email)]
PersonName = Annotated[
    str, StringConstraints(min_length=1, max_length=100), AfterValidator(normalize_text)
]


_PHONE_SEPARATORS = re.compile(r"[ .\-/()]")
_PHONE = re.compile(r"\+?[0-9]{6,15}")


def normalize_phone(value: str) -> str:
    """Digits with an optional leading +: "06 12 34 56 78" -> "0612345678"."""
    compact = _PHONE_SEPARATORS.sub("", _no_hidden_characters(value.strip()))
    if not _PHONE.fullmatch(compact):
        raise ValueError(
            "numéro de téléphone invalide (6 à 15 chiffres, éventuellement précédés de +)"
        )
    return compact


PhoneNumber = Annotated[str, StringConstraints(max_length=30), AfterValidator(normalize_phone)]
# Free text of a form field: one line, no hidden characters.
ShortText = Annotated[
    str, StringConstraints(min_length=1, max_length=200), AfterValidator(normalize_text)
]
