"""Edits of a household's record, as each tenant chooses: staff change at once; a parent
changes at once the field groups the tenant leaves open and proposes the others, which staff
accept (the change applies and is published) or refuse with a reason the parent reads."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from marelle_family.adults.schemas import AdultPatch
from marelle_family.adults.service import AdultService
from marelle_family.children.schemas import ChildPatch
from marelle_family.children.service import ChildService
from marelle_family.editing.groups import FIELD_GROUPS, Target, mode_of, split_by_group
from marelle_family.editing.schemas import ChangeRequestOut, EditOutcome
from marelle_family.guardians.schemas import GuardianPatch
from marelle_family.guardians.service import GuardianService
from marelle_family.households.schemas import HouseholdPatch
from marelle_family.households.service import HouseholdService
from marelle_family.models import ChangeRequest, Household, Tenant
from marelle_family.tenants.criteria import InvalidCriterion, check_criteria
from marelle_family.tenants.diets import check_diet
from marelle_family.tenants.repository import TenantRepository
from marelle_kit.clock import utcnow
from marelle_kit.errors import Conflict, NotFound, Problem
from marelle_kit.security import Principal

PATCHES: dict[str, type[BaseModel]] = {
    "household": HouseholdPatch,
    "guardian": GuardianPatch,
    "adult": AdultPatch,
    "child": ChildPatch,
}


class NothingToChange(Problem):
    status = 422
    type = "nothing-to-change"
    title = "Aucune modification"


class RequestNoLongerApplies(Problem):
    status = 409
    type = "request-no-longer-applies"
    title = "Demande devenue inapplicable"


class RecordEditor:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.households = HouseholdService(session)
        self.guardians = GuardianService(session)
        self.children = ChildService(session)

    async def _tenant(self, tenant_id: UUID) -> Tenant:
        tenant = await TenantRepository(self.session).get(tenant_id)
        if tenant is None:
            raise NotFound("Cette structure n'existe pas.")
        return tenant

    async def _check_target(
        self, tenant_id: UUID, household_id: UUID, target: Target, target_id: UUID
    ) -> None:
        if target == "guardian":
            await self.guardians.get(tenant_id, household_id, target_id)
        elif target == "adult":
            await AdultService(self.session).get(tenant_id, household_id, target_id)
        elif target == "child":
            await self.children.get(tenant_id, household_id, target_id)
        elif target_id != household_id:
            raise NotFound("Ce foyer n'existe pas.")

    async def edit(
        self,
        principal: Principal,
        tenant_id: UUID,
        household_id: UUID,
        target: Target,
        target_id: UUID,
        patch: BaseModel,
    ) -> EditOutcome:
        household = await self.households.get_for(principal, tenant_id, household_id)
        if household.erased_at is not None:
            raise Conflict("Ce foyer a été effacé : son dossier ne peut plus être modifié.")
        await self._check_target(tenant_id, household_id, target, target_id)
        tenant = await self._tenant(tenant_id)
        changes = patch.model_dump(exclude_unset=True)
        if not changes:
            raise NothingToChange("Aucun champ n'a été modifié.")
        if "diet" in changes:
            check_diet(tenant, changes["diet"])
        if changes.get("criteria_values"):
            check_criteria(tenant, changes["criteria_values"])
        as_json = patch.model_dump(mode="json", exclude_unset=True)
        direct: dict[str, Any] = {}
        applied: list[str] = []
        requests: list[ChangeRequest] = []
        for group, values in split_by_group(target, changes).items():
            if principal.is_staff or mode_of(tenant.editing, group) == "direct":
                direct.update(values)
                applied.append(group)
            else:
                if target == "guardian" and changes.get("email"):
                    # Refused now, not when staff accept it: the parent can still correct it.
                    await self.guardians.check_email_free(tenant_id, changes["email"], target_id)
                requests.append(
                    await self._propose(principal, household, target, target_id, group, as_json)
                )
        if direct:
            await self._apply(tenant, household, target, target_id, direct, principal.is_staff)
        return EditOutcome(applied=applied, requests=[ChangeRequestOut.of(r) for r in requests])

    async def _propose(
        self,
        principal: Principal,
        household: Household,
        target: Target,
        target_id: UUID,
        group: str,
        as_json: dict[str, Any],
    ) -> ChangeRequest:
        """A new proposal for a group replaces the one still pending for the same record."""
        pending = await self.session.scalars(
            select(ChangeRequest).where(
                col(ChangeRequest.tenant_id) == household.tenant_id,
                col(ChangeRequest.target_id) == target_id,
                col(ChangeRequest.field_group) == group,
                col(ChangeRequest.status) == "pending",
            )
        )
        for earlier in pending:
            earlier.status = "replaced"
            earlier.decided_at = utcnow()
            self.session.add(earlier)
        request = ChangeRequest(
            tenant_id=household.tenant_id,
            household_id=household.id,
            target=target,
            target_id=target_id,
            field_group=group,
            changes={name: as_json[name] for name in FIELD_GROUPS[group] if name in as_json},
            requested_by=principal.subject,
        )
        self.session.add(request)
        await self.session.flush()
        return request

    async def _apply(
        self,
        tenant: Tenant,
        household: Household,
        target: str,
        target_id: UUID,
        changes: dict[str, Any],
        by_staff: bool,
    ) -> None:
        if target == "household":
            await self.households.apply(household, changes)
        elif target == "guardian":
            await self.guardians.update(
                tenant.id, household.id, target_id, GuardianPatch.model_validate(changes)
            )
        elif target == "adult":
            adults = AdultService(self.session)
            await adults.apply(await adults.get(tenant.id, household.id, target_id), changes)
        else:
            child = await self.children.get(tenant.id, household.id, target_id)
            await self.children.apply(tenant, child, changes, by_staff=by_staff)

    async def _pending(self, tenant_id: UUID, request_id: UUID) -> ChangeRequest:
        request = await self.session.scalar(
            select(ChangeRequest)
            .where(col(ChangeRequest.tenant_id) == tenant_id, col(ChangeRequest.id) == request_id)
            .with_for_update()
        )
        if request is None:
            raise NotFound("Cette demande n'existe pas.")
        if request.status != "pending":
            raise Conflict("Cette demande a déjà été traitée.")
        return request

    async def accept(
        self, principal: Principal, tenant_id: UUID, request_id: UUID
    ) -> ChangeRequestOut:
        request = await self._pending(tenant_id, request_id)
        household = await self.households.get_for(principal, tenant_id, request.household_id)
        tenant = await self._tenant(tenant_id)
        try:
            patch = PATCHES[request.target].model_validate(request.changes)
            if getattr(patch, "criteria_values", None):
                check_criteria(tenant, patch.criteria_values)  # type: ignore[attr-defined]
            await self._check_target(tenant_id, household.id, request.target, request.target_id)  # type: ignore[arg-type]
        except (ValidationError, NotFound, InvalidCriterion) as exc:
            raise RequestNoLongerApplies(
                "Cette demande ne peut plus s'appliquer (la fiche a changé) : refusez-la."
            ) from exc
        await self._apply(
            tenant,
            household,
            request.target,
            request.target_id,
            patch.model_dump(exclude_unset=True),
            by_staff=True,
        )
        return await self._decide(request, principal, "accepted", None)

    async def refuse(
        self, principal: Principal, tenant_id: UUID, request_id: UUID, reason: str
    ) -> ChangeRequestOut:
        request = await self._pending(tenant_id, request_id)
        return await self._decide(request, principal, "refused", reason)

    async def _decide(
        self, request: ChangeRequest, principal: Principal, status: str, reason: str | None
    ) -> ChangeRequestOut:
        request.status = status
        request.reason = reason
        request.decided_by = principal.subject
        request.decided_at = utcnow()
        self.session.add(request)
        await self.session.flush()
        return ChangeRequestOut.of(request)

    async def of_household(self, tenant_id: UUID, household_id: UUID) -> list[ChangeRequestOut]:
        rows = await self.session.scalars(
            select(ChangeRequest)
            .where(
                col(ChangeRequest.tenant_id) == tenant_id,
                col(ChangeRequest.household_id) == household_id,
            )
            .order_by(col(ChangeRequest.created_at).desc())
        )
        return [ChangeRequestOut.of(r) for r in rows]

    async def inbox(
        self, tenant_id: UUID, *, status: str, limit: int, offset: int
    ) -> list[ChangeRequestOut]:
        rows = await self.session.scalars(
            select(ChangeRequest)
            .where(col(ChangeRequest.tenant_id) == tenant_id, col(ChangeRequest.status) == status)
            .order_by(col(ChangeRequest.created_at))
            .limit(limit)
            .offset(offset)
        )
        return [ChangeRequestOut.of(r) for r in rows]
