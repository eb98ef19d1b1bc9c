"""The two generators of the seeds: a random compliant password, and one derived from a sentence
(CNIL's method: first letter of each word, digits and punctuation kept), with its derivation."""

from __future__ import annotations

import re
import secrets
import string
from dataclasses import dataclass

LOWER, UPPER, DIGITS = string.ascii_lowercase, string.ascii_uppercase, string.digits
# No look-alikes that parents mistype when reading a password aloud or copying it by hand.
SPECIAL = "!#$%&*+-=?@_"
ALPHABET = "".join(sorted(set(LOWER + UPPER + DIGITS + SPECIAL) - set("lIO0")))


def random_password(length: int = 16) -> str:
    """Cryptographically random; always has each of the four character kinds."""
    if length < 8:
        raise ValueError("length below the policy's floor")
    while True:
        candidate = "".join(secrets.choice(ALPHABET) for _ in range(length))
        if (
            any(c in LOWER for c in candidate)
            and any(c in UPPER for c in candidate)
            and any(c in DIGITS for c in candidate)
            and any(c in SPECIAL for c in candidate)
        ):
            return candidate


@dataclass(frozen=True)
class Derivation:
    password: str
    steps: tuple[tuple[str, str], ...]  # (word of the sentence, what it gives)


_TOKEN = re.compile(r"\d+|[^\W\d_]+(?:['’][^\W\d_]+)?|[^\w\s]", re.UNICODE)


def from_sentence(sentence: str) -> Derivation:
    """ "Mon fils Léo a 7 ans et mange à la cantine !" → "MfLa7aemàlc!"."""
    steps = []
    for token in _TOKEN.findall(sentence.strip()):
        if token.isdigit():
            kept = token
        elif token[0].isalpha():
            kept = token[0]
        else:
            kept = token
        steps.append((token, kept))
    return Derivation("".join(kept for _, kept in steps), tuple(steps))
