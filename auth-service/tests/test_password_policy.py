"""The password policy and the generators (no I/O)."""

from __future__ import annotations

import pytest

from marelle_auth.passwords.generators import from_sentence, random_password
from marelle_auth.passwords.policy import evaluate


def failed(password: str, confirmation: str | None = None, **kwargs: object) -> list[str]:
    report = evaluate(password, password if confirmation is None else confirmation, **kwargs)  # type: ignore[arg-type]
    return [rule.code for rule in report.failed]


def test_a_password_meeting_every_rule_is_accepted() -> None:
    assert failed("Jmlc7vt!Lpm") == []


@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("Ab1!xyz", "length"),
        ("ABCDEF12!", "lower"),
        ("abcdef12!", "upper"),
        ("Abcdefgh!", "digit"),
        ("Abcdefgh12", "special"),
        ("Password123!", "common"),
        ("P@ssw0rd2", "common"),
        ("Azerty123!", "common"),
        ("x" * 129 + "A1!", "length"),
    ],
)
def test_each_rule_of_the_checklist_refuses_what_it_names(password: str, rule: str) -> None:
    assert rule in failed(password)


def test_both_entries_must_be_equal() -> None:
    assert failed("Jmlc7vt!Lpm", "Jmlc7vt!Lpn") == ["same"]


def test_the_email_or_names_of_the_person_are_refused() -> None:
    assert failed("anne.roy2024!A", email="anne.roy@exemple.fr") == ["personal"]
    assert failed("Xy!9Lefebvre", names=("Paul", "Lefebvre")) == ["personal"]


def test_a_tenant_may_raise_the_minimum_to_twelve() -> None:
    assert failed("Jmlc7vt!Lpm", min_length=12) == ["length"]


def test_the_entropy_estimate_grows_with_length_and_variety() -> None:
    weak, strong = evaluate("Soleil2024!", None), evaluate("Jmlc7vt!Lpm#42rQ", None)
    assert weak.entropy_bits < strong.entropy_bits
    assert strong.strength == 4


def test_random_passwords_are_compliant_and_different() -> None:
    passwords = {random_password() for _ in range(200)}
    assert len(passwords) == 200
    assert all(evaluate(p, p).acceptable for p in passwords)


def test_a_sentence_gives_first_letters_digits_and_punctuation_with_its_derivation() -> None:
    derived = from_sentence("Mon fils Léo a 7 ans et mange à la cantine !")
    assert derived.password == "MfLa7aemàlc!"
    assert derived.steps[0] == ("Mon", "M") and ("7", "7") in derived.steps
    assert evaluate(derived.password, derived.password).acceptable
