from __future__ import annotations

from typing import Any
from uuid import UUID

from marelle_contracts import (
    ChildAdded,
    ChildChanged,
    ConsentsChanged,
    ContactEntry,
    ContactsChanged,
)
from marelle_family import catalogue
from marelle_family.children.repository import (
    AccessLogRepository,
    ChildRepository,
    ContactRepository,
)
from marelle_family.children.schemas import ChildIn, ChildOut, ContactOut
from marelle_family.field_groups import split_by_group
from marelle_family.models import AuthorisedContact, Child, ChildRecordRead, Tenant, events
from marelle_family.tenants.diets import check_diet
from marelle_kit.clock import utcnow
from marelle_kit.database import ReadSession, WriteSession
from marelle_kit.errors import NotFound
from marelle_kit.events import record_event
from marelle_kit.security import Principal

RECORD_GROUPS = {"child.identity", "child.schooling", "child.diet"}


async def child_in(
    session: ReadSession, tenant_id: UUID, household_id: UUID, child_id: UUID
) -> Child:
    child = await ChildRepository(session).in_household(tenant_id, household_id, child_id)
    if child is None:
        raise NotFound(catalogue.CHILD_NOT_FOUND)
    return child


class ChildService:
    def __init__(self, session: WriteSession) -> None:
        self.session = session
        self.children = ChildRepository(session)
        self.contacts = ContactRepository(session)
        self.access_log = AccessLogRepository(session)

    async def add(self, tenant: Tenant, household_id: UUID, data: ChildIn) -> Child:
        check_diet(tenant, data.diet)
        values = data.model_dump(exclude={"contacts"})
        child = Child(tenant_id=tenant.id, household_id=household_id, **values)
        await self.children.add(child)
        await record_event(
            self.session,
            events,
            ChildAdded(**_record(child)),
            tenant_id=tenant.id,
            key=household_id,
        )
        await self._publish_consents(child)
        if data.contacts:
            await self._replace_contacts(child, [c.model_dump() for c in data.contacts])
        return child

    async def get(self, tenant_id: UUID, household_id: UUID, child_id: UUID) -> Child:
        return await child_in(self.session, tenant_id, household_id, child_id)

    async def of_household(self, tenant_id: UUID, household_id: UUID) -> list[Child]:
        return await self.children.of_household(tenant_id, household_id)

    async def apply(
        self, tenant: Tenant, child: Child, changes: dict[str, Any], *, by_staff: bool
    ) -> list[str]:
        """Apply validated changes, publish what changed; a parent's change asks staff to
        validate the record again."""
        if "diet" in changes:
            check_diet(tenant, changes["diet"])
        groups = split_by_group("child", changes)
        for name, value in changes.items():
            if name != "contacts":
                setattr(child, name, value)
        if not by_staff:
            child.validated_at = None
            child.validated_by = None
        await self.children.save(child)
        if RECORD_GROUPS & groups.keys():
            await record_event(
                self.session,
                events,
                ChildChanged(**_record(child)),
                tenant_id=child.tenant_id,
                key=child.household_id,
            )
        if "child.consents" in groups:
            await self._publish_consents(child)
        if "contacts" in changes:
            await self._replace_contacts(child, changes["contacts"])
        return list(groups)

    async def validate(self, child: Child, principal: Principal) -> Child:
        child.validated_at = utcnow()
        child.validated_by = principal.subject
        return await self.children.save(child)

    async def views(self, children: list[Child], reader: Principal | None = None) -> list[ChildOut]:
        """The records as shown; a staff reader is written to the access log."""
        if not children:
            return []
        contacts = await self.contacts.of_children(
            children[0].tenant_id, (child.id for child in children)
        )
        if reader is not None and reader.is_staff:
            await self.access_log.add_all(
                [
                    ChildRecordRead(
                        tenant_id=child.tenant_id,
                        household_id=child.household_id,
                        child_id=child.id,
                        reader=reader.subject,
                        roles=",".join(sorted(reader.roles)),
                    )
                    for child in children
                ]
            )
        return [
            ChildOut.model_validate(child).model_copy(
                update={"contacts": [ContactOut.model_validate(c) for c in contacts[child.id]]}
            )
            for child in children
        ]

    async def _replace_contacts(self, child: Child, contacts: list[dict[str, Any]]) -> None:
        rows = [
            AuthorisedContact(
                tenant_id=child.tenant_id, household_id=child.household_id, child_id=child.id, **c
            )
            for c in contacts
        ]
        await self.contacts.replace(child, rows)
        await record_event(
            self.session,
            events,
            ContactsChanged(
                household_id=child.household_id,
                child_id=child.id,
                contacts=[ContactEntry(**c) for c in contacts],
            ),
            tenant_id=child.tenant_id,
            key=child.household_id,
        )

    async def _publish_consents(self, child: Child) -> None:
        await record_event(
            self.session,
            events,
            ConsentsChanged(
                household_id=child.household_id,
                child_id=child.id,
                photo=child.consent_photo,
                outings=child.consent_outings,
                leave_alone=child.consent_leave_alone,
                hospitalisation=child.consent_hospitalisation,
            ),
            tenant_id=child.tenant_id,
            key=child.household_id,
        )


def _record(child: Child) -> dict[str, Any]:
    return {
        "household_id": child.household_id,
        "child_id": child.id,
        "first_name": child.first_name,
        "last_name": child.last_name,
        "birth_date": child.birth_date,
        "school": child.school,
        "level": child.level,
        "school_year": child.school_year,
        "diet": child.diet,
        "pai": child.pai,
    }
