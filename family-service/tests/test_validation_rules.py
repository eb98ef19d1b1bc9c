"""The rules every record obeys, whatever the door (API, portal, back office, CSV import)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from marelle_family.children.schemas import ChildIn, ChildPatch, ContactIn
from marelle_family.editing.groups import DEFAULT_MODES, mode_of
from marelle_family.field_groups import FIELD_GROUPS, split_by_group
from marelle_family.households.schemas import HouseholdPatch
from marelle_family.imports.parsing import french_date, header_key
from marelle_kit.localtime import local_today
from marelle_kit.validation import normalize_phone

CONTACT = {"first_name": "Marie", "last_name": "Durand", "relationship": "Voisine", "phone": "0601"}


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("06 12 34 56 78", "0612345678"),
        ("06.12.34.56.78", "0612345678"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("(04) 72-00-00-00", "0472000000"),
    ],
)
def test_phone_numbers_are_stored_as_digits(raw: str, stored: str) -> None:
    assert normalize_phone(raw) == stored


@pytest.mark.parametrize(
    "raw", ["appelez-moi", "12345", "06 12 34 56 78 90 12 34", "06\u200b12345678"]
)
def test_anything_else_is_not_a_phone_number(raw: str) -> None:
    with pytest.raises(ValueError, match=r"téléphone|invisible"):
        normalize_phone(raw)


def child(**changes: Any) -> dict[str, Any]:
    return {"first_name": "Léo", "last_name": "Roy", "birth_date": "2019-04-12", **changes}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        # Tomorrow in Paris (the records' calendar), whatever the machine's zone.
        ({"birth_date": (local_today() + timedelta(days=1)).isoformat()}, "birth_date"),
        ({"birth_date": "1990-01-01"}, "birth_date"),
        ({"school_year": "2026-2028"}, "school_year"),
        ({"school_year": "26-27"}, "school_year"),
        ({"diet": "Sans Porc"}, "diet"),
        ({"allergies": "arachide"}, "allergies"),  # no health content has a place
        ({"doctor": "Dr House"}, "doctor"),
        ({"first_name": "\u202eoéL"}, "first_name"),
    ],
)
def test_a_child_record_refuses(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as error:
        ChildIn.model_validate(child(**changes))
    assert error.value.errors()[0]["loc"][0] == field


def test_a_child_record_accepts_a_plain_record_and_keeps_consents_unanswered() -> None:
    record = ChildIn.model_validate(child(school_year="2026-2027", diet="sans_porc"))
    assert record.consent_photo is None and record.pai is False


def test_a_contact_must_pick_up_or_be_called() -> None:
    with pytest.raises(ValidationError, match="cochez"):
        ContactIn.model_validate({**CONTACT, "phone": "0601020304"})
    assert ContactIn.model_validate({**CONTACT, "phone": "0601020304", "emergency": True})


def test_names_and_birth_date_cannot_be_blanked_but_other_fields_can() -> None:
    for name in ("first_name", "last_name", "birth_date", "contacts"):
        with pytest.raises(ValidationError):
            ChildPatch.model_validate({name: None})
    assert ChildPatch.model_validate({"school": None}).model_dump(exclude_unset=True) == {
        "school": None
    }


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"postcode": "6900"}, "postcode"),
        ({"quotient": -1}, "quotient"),
        ({"benefits_scheme": "pole"}, "benefits_scheme"),
    ],
)
def test_household_details_refuse(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as error:
        HouseholdPatch.model_validate(changes)
    assert error.value.errors()[0]["loc"][0] == field


def test_an_edit_is_split_by_field_group_and_each_group_has_a_mode() -> None:
    assert split_by_group("child", {"school": "A", "consent_photo": True, "level": "CP"}) == {
        "child.schooling": {"school": "A", "level": "CP"},
        "child.consents": {"consent_photo": True},
    }
    assert set(DEFAULT_MODES) == set(FIELD_GROUPS)
    assert mode_of(None, "child.consents") == "direct"
    assert mode_of({"child.consents": "request"}, "child.consents") == "request"
    assert mode_of({"child.consents": "anything"}, "child.consents") == "direct"


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("Date de naissance enfant", "date_de_naissance_enfant"),
        ("\ufeffRÉF_FOYER", "ref_foyer"),
        ("  RL1 Prénom ", "rl1_prenom"),
    ],
)
def test_csv_headers_are_read_whatever_their_case_accents_or_spaces(header: str, key: str) -> None:
    assert header_key(header) == key


def test_csv_dates_are_french_or_iso() -> None:
    assert french_date("02/11/2020") == french_date("2020-11-02") == "2020-11-02"
    with pytest.raises(ValueError, match="JJ/MM/AAAA"):
        french_date("31/02/2020")
