"""Event contracts and the envelope."""

from __future__ import annotations

from typing import ClassVar
from uuid import uuid4

import pytest

from marelle_contracts import Event, HouseholdCreated, event_class, topic_for
from marelle_kit.clock import utcnow
from marelle_kit.events import EventEnvelope
from marelle_kit.ids import new_id


def test_event_types_name_context_noun_and_past_tense_verb() -> None:
    assert HouseholdCreated.event_type == "family.household.created"
    assert topic_for("family.household.created") == "marelle.family"
    assert event_class("family.household.created") is HouseholdCreated
    with pytest.raises(ValueError):

        class Badly(Event):
            event_type: ClassVar[str] = "CreateHousehold"


def test_the_envelope_round_trips_and_gives_back_the_typed_payload() -> None:
    household = HouseholdCreated(household_id=uuid4(), family_number="000042", name="Famille Roy")
    envelope = EventEnvelope(
        id=new_id(),
        type=household.event_type,
        version=1,
        tenant_id=uuid4(),
        key=str(household.household_id),
        occurred_at=utcnow(),
        correlation_id="req-1",
        causation_id=None,
        payload=household.model_dump(mode="json"),
    )
    again = EventEnvelope.from_bytes(envelope.to_bytes())
    assert again == envelope
    assert again.event() == household
    assert again.event_as(HouseholdCreated).family_number == "000042"


def test_event_ids_sort_by_creation_time() -> None:
    ids = [new_id() for _ in range(50)]
    assert ids == sorted(ids)
