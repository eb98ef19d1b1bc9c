"""The family-service's facts that booking keeps: households, children, pick-up contacts.

Each handler is an upsert of the latest fact (the family-service publishes one household's
events in order, under the household's key); the child of an erased household keeps its id
for the history of its bookings but loses its name and contacts.
"""

from __future__ import annotations

from marelle_booking.families.repository import ChildViewRepository, HouseholdViewRepository
from marelle_booking.models import ChildView, HouseholdView
from marelle_contracts import (
    ChildAdded,
    ChildChanged,
    ContactsChanged,
    HouseholdCreated,
    HouseholdErased,
)
from marelle_contracts.family import ChildRecord
from marelle_kit.database import WriteSession
from marelle_kit.events import EventEnvelope, Handler

ERASED_NAME = "—"


async def on_household_created(session: WriteSession, envelope: EventEnvelope) -> None:
    event = envelope.event_as(HouseholdCreated)
    households = HouseholdViewRepository(session)
    household = await households.find(event.household_id) or HouseholdView(
        id=event.household_id, tenant_id=envelope.tenant_id, family_number="", name=""
    )
    household.family_number = event.family_number
    household.name = event.name
    await households.save(household)


async def _on_child(session: WriteSession, envelope: EventEnvelope, event: ChildRecord) -> None:
    children = ChildViewRepository(session)
    child = await children.find(event.child_id)
    if child is None:
        child = ChildView(
            id=event.child_id,
            tenant_id=envelope.tenant_id,
            household_id=event.household_id,
            first_name=event.first_name,
            last_name=event.last_name,
        )
    elif child.erased or child.tenant_id != envelope.tenant_id:
        return  # an erased child stays erased; another tenant's id is never rebound
    child.household_id = event.household_id
    child.first_name = event.first_name
    child.last_name = event.last_name
    child.birth_date = event.birth_date
    child.school = event.school
    child.level = event.level
    child.school_year = event.school_year
    child.diet = event.diet
    child.pai = event.pai
    await children.save(child)


async def on_child_added(session: WriteSession, envelope: EventEnvelope) -> None:
    await _on_child(session, envelope, envelope.event_as(ChildAdded))


async def on_child_changed(session: WriteSession, envelope: EventEnvelope) -> None:
    await _on_child(session, envelope, envelope.event_as(ChildChanged))


async def on_contacts_changed(session: WriteSession, envelope: EventEnvelope) -> None:
    event = envelope.event_as(ContactsChanged)
    children = ChildViewRepository(session)
    child = await children.find(event.child_id)
    if child is None or child.erased or child.tenant_id != envelope.tenant_id:
        return
    child.pick_up = [
        {
            "first_name": c.first_name,
            "last_name": c.last_name,
            "relationship": c.relationship,
            "phone": c.phone,
        }
        for c in event.contacts
        if c.pick_up
    ]
    await children.save(child)


async def on_household_erased(session: WriteSession, envelope: EventEnvelope) -> None:
    event = envelope.event_as(HouseholdErased)
    households = HouseholdViewRepository(session)
    household = await households.find(event.household_id)
    if household is not None and household.tenant_id == envelope.tenant_id:
        household.name = ERASED_NAME
        household.erased = True
        await households.save(household)
    children = ChildViewRepository(session)
    for child in await children.of_household(envelope.tenant_id, event.household_id):
        child.first_name = ERASED_NAME
        child.last_name = ERASED_NAME
        child.birth_date = None
        child.school = None
        child.level = None
        child.diet = None
        child.pai = False
        child.pick_up = []
        child.erased = True
        await children.save(child)
    await households.forget_feed(event.household_id)


handlers: dict[str, Handler] = {
    HouseholdCreated.event_type: on_household_created,
    ChildAdded.event_type: on_child_added,
    ChildChanged.event_type: on_child_changed,
    ContactsChanged.event_type: on_contacts_changed,
    HouseholdErased.event_type: on_household_erased,
}
