"""Test factories for the family-service's main records: a tenant, a household with its
guardians, details and children. They write through the services (the same validation, the
same events in the outbox) in one transaction, without going over HTTP: tests of an endpoint
call the endpoint, tests that only need records to exist use these."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from marelle_family.children.schemas import ChildIn
from marelle_family.children.service import ChildService
from marelle_family.households.schemas import HouseholdCreate, HouseholdPatch
from marelle_family.households.service import HouseholdService
from marelle_family.tenants.schemas import TenantCreate
from marelle_family.tenants.service import TenantService, tenant_of
from marelle_kit import roles
from marelle_kit.clock import utcnow
from marelle_testkit.plugin import ServiceUnderTest
from marelle_testkit.tokens import TokenFactory

JULIE = {"rank": 1, "first_name": "Julie", "last_name": "Martin", "email": "j@exemple.fr"}
LEO = {"first_name": "Léo", "last_name": "Martin", "birth_date": "2019-04-12"}


@dataclass
class MadeHousehold:
    tenant_id: UUID
    household_id: UUID
    family_number: str
    guardian_ids: list[UUID] = field(default_factory=list)
    child_ids: list[UUID] = field(default_factory=list)


class FamilyFactory:
    def __init__(self, service: ServiceUnderTest, tokens: TokenFactory) -> None:
        self.service = service
        self.tokens = tokens

    async def tenant(self, slug: str = "lisle", name: str | None = None) -> UUID:
        async with self.service.runtime.database.transaction() as session:
            tenant = await TenantService(session).create(
                TenantCreate(slug=slug, name=name or f"Mairie de {slug.title()}")
            )
            return tenant.id

    async def household(
        self,
        tenant_id: UUID,
        name: str = "Famille Martin",
        *,
        guardians: list[dict[str, Any]] | None = None,
        details: dict[str, Any] | None = None,
        children: list[dict[str, Any]] | None = None,
        validated: bool = False,
    ) -> MadeHousehold:
        """A household with ``guardians`` (Julie Martin by default), optional ``details``
        (HouseholdPatch fields) and ``children`` (ChildIn fields; none by default), their
        records validated by staff when ``validated``."""
        async with self.service.runtime.database.transaction() as session:
            households = HouseholdService(session)
            household = await households.create(
                tenant_id,
                HouseholdCreate.model_validate(
                    {"name": name, "guardians": [JULIE] if guardians is None else guardians}
                ),
            )
            if details:
                patch = HouseholdPatch.model_validate(details)
                await households.apply(household, patch.model_dump(exclude_unset=True))
            tenant = await tenant_of(session, tenant_id)
            kids = ChildService(session)
            child_ids = []
            for values in children or []:
                child = await kids.add(tenant, household.id, ChildIn.model_validate(values))
                if validated:
                    child.validated_at, child.validated_by = utcnow(), "factory"
                child_ids.append(child.id)
            guardian_ids = [g.id for g in (await households.view(household)).guardians]
            return MadeHousehold(
                tenant_id, household.id, household.family_number, guardian_ids, child_ids
            )

    def staff(self, tenant_id: UUID, role: str = roles.AGENT) -> dict[str, str]:
        return self.tokens.headers(roles=[role], tenant_id=tenant_id)

    def parent(self, made: MadeHousehold) -> dict[str, str]:
        return self.tokens.headers(
            roles=["parent"], tenant_id=made.tenant_id, household_id=made.household_id
        )
