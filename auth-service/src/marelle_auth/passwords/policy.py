"""The password policy (SECURITY.md; CNIL délibération 2022-100 "cas 2"; OWASP ASVS 5.0 V6).

The floor is the checklist parents know from the seeds: at least 8 characters, a lower case, an
upper case, a digit, a special character, both entries equal. Always refused as well: a password
from the common/breached list shipped with zxcvbn (its 30,000 most common passwords), and one that
contains the e-mail's local part or the person's names. A tenant may raise the minimum to 12.
An entropy estimate (zxcvbn) drives the strength meter, which encourages 12+ characters."""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass

from zxcvbn import zxcvbn

from marelle_auth.catalogue import RULE_LABELS

MAX_LENGTH = 128
RECOMMENDED_LENGTH = 12
SPECIALS = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~ €£§°µ¤")


@dataclass(frozen=True)
class RuleResult:
    code: str
    label: str
    ok: bool


@dataclass(frozen=True)
class PolicyReport:
    rules: tuple[RuleResult, ...]
    entropy_bits: float
    strength: int  # 0..4, for the meter

    @property
    def acceptable(self) -> bool:
        return all(rule.ok for rule in self.rules)

    @property
    def failed(self) -> list[RuleResult]:
        return [rule for rule in self.rules if not rule.ok]


def _rule(code: str, ok: bool, **values: object) -> RuleResult:
    return RuleResult(code, RULE_LABELS[code].format(**values), ok)


def _is_special(char: str) -> bool:
    return char in SPECIALS or unicodedata.category(char).startswith(("P", "S"))


def _personal_fragments(email: str | None, names: tuple[str, ...]) -> list[str]:
    fragments = []
    if email:
        local = email.split("@", 1)[0].lower()
        fragments.append(local)
        fragments.extend(part for part in local.replace("_", ".").replace("-", ".").split("."))
    for name in names:
        fragments.extend(part.lower() for part in name.replace("-", " ").split())
    return [fragment for fragment in fragments if len(fragment) >= 3]


# Under a million guesses, a password built on a common one falls to the first online attack.
COMMON_GUESSES_LOG10 = 6.0


def _common(password: str, analysis: dict[str, object]) -> bool:
    """In the common list itself (even with l33t or capitals), or built around one of its
    entries and easy to guess (e.g. "Password123!")."""
    sequence = analysis.get("sequence", [])
    assert isinstance(sequence, list)
    guesses_log10 = float(analysis.get("guesses_log10", 0.0))  # type: ignore[arg-type]
    for match in sequence:
        if match.get("pattern") == "dictionary" and match.get("dictionary_name") == "passwords":
            share = len(str(match.get("token", ""))) / max(len(password), 1)
            if share >= 0.75 or guesses_log10 < COMMON_GUESSES_LOG10:
                return True
    return False


def evaluate(
    password: str,
    confirmation: str | None,
    *,
    email: str | None = None,
    names: tuple[str, ...] = (),
    min_length: int = 8,
) -> PolicyReport:
    personal = _personal_fragments(email, names)
    lowered = password.lower()
    analysis = (
        zxcvbn(password[:MAX_LENGTH], user_inputs=personal, max_length=MAX_LENGTH)
        if password
        else {}
    )
    guesses_log10 = float(analysis.get("guesses_log10", 0.0)) if analysis else 0.0
    rules = (
        _rule("length", min_length <= len(password) <= MAX_LENGTH, min_length=min_length),
        _rule("lower", any(c.islower() for c in password)),
        _rule("upper", any(c.isupper() for c in password)),
        _rule("digit", any(c.isdigit() for c in password)),
        _rule("special", any(_is_special(c) for c in password)),
        _rule("same", confirmation is None or (bool(password) and password == confirmation)),
        _rule("common", bool(password) and not _common(password, analysis)),
        _rule("personal", not any(fragment in lowered for fragment in personal)),
    )
    return PolicyReport(
        rules=rules,
        entropy_bits=round(guesses_log10 * math.log2(10), 1),
        strength=int(analysis.get("score", 0)) if analysis else 0,
    )
