"""Edits of a household's record, as each tenant chooses: office staff change at once; a
parent changes at once the field groups the tenant leaves open and proposes the others, which
staff accept (the change applies and is published) or refuse with a reason the parent reads.
Staff who only read records (``reader``) change nothing."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import BaseModel, ValidationError

from marelle_contracts import ChangeRequestDecided
from marelle_family import catalogue
from marelle_family.adults.schemas import AdultPatch
from marelle_family.adults.service import AdultService, adult_in
from marelle_family.catalogue import InvalidCriterion
from marelle_family.children.schemas import ChildPatch
from marelle_family.children.service import ChildService, child_in
from marelle_family.editing.groups import mode_of
from marelle_family.editing.repository import ChangeRequestRepository
from marelle_family.editing.schemas import ChangeRequestOut, EditOutcome
from marelle_family.field_groups import FIELD_GROUPS, Target, split_by_group
from marelle_family.guardians.schemas import GuardianPatch
from marelle_family.guardians.service import GuardianService, guardian_in
from marelle_family.households.schemas import HouseholdPatch
from marelle_family.households.service import HouseholdService, household_for, require_editable
from marelle_family.models import ChangeRequest, Household, Tenant, events
from marelle_family.tenants.criteria import check_criteria
from marelle_family.tenants.diets import check_diet
from marelle_family.tenants.service import tenant_of
from marelle_kit import roles
from marelle_kit.clock import utcnow
from marelle_kit.database import ReadSession, WriteSession
from marelle_kit.errors import InvalidPayload, NotFound
from marelle_kit.events import record_event
from marelle_kit.security import Principal

PATCHES: dict[str, type[BaseModel]] = {
    "household": HouseholdPatch,
    "guardian": GuardianPatch,
    "adult": AdultPatch,
    "child": ChildPatch,
}
# Who edits a record directly besides its parents (and operators).
EDITORS = roles.OFFICE


async def requests_of_household(
    session: ReadSession, tenant_id: UUID, household_id: UUID
) -> list[ChangeRequestOut]:
    rows = await ChangeRequestRepository(session).of_household(tenant_id, household_id)
    return [ChangeRequestOut.of(r) for r in rows]


async def inbox(
    session: ReadSession, tenant_id: UUID, *, status: str, limit: int, offset: int
) -> list[ChangeRequestOut]:
    rows = await ChangeRequestRepository(session).inbox(
        tenant_id, status=status, limit=limit, offset=offset
    )
    return [ChangeRequestOut.of(r) for r in rows]


async def _check_target(
    session: ReadSession, tenant_id: UUID, household_id: UUID, target: Target, target_id: UUID
) -> None:
    if target == "guardian":
        await guardian_in(session, tenant_id, household_id, target_id)
    elif target == "adult":
        await adult_in(session, tenant_id, household_id, target_id)
    elif target == "child":
        await child_in(session, tenant_id, household_id, target_id)
    elif target_id != household_id:
        raise NotFound(catalogue.HOUSEHOLD_NOT_FOUND)


class RecordEditor:
    def __init__(self, session: WriteSession) -> None:
        self.session = session
        self.requests = ChangeRequestRepository(session)
        self.households = HouseholdService(session)
        self.guardians = GuardianService(session)

    async def edit(
        self,
        principal: Principal,
        tenant_id: UUID,
        household_id: UUID,
        target: Target,
        target_id: UUID,
        patch: BaseModel,
    ) -> EditOutcome:
        household = await household_for(self.session, principal, tenant_id, household_id)
        staff = principal.is_staff
        if staff and not (principal.holds(EDITORS) or principal.is_operator):
            raise catalogue.ReadOnlyRole(catalogue.READ_ONLY_ROLE)
        require_editable(household)
        await _check_target(self.session, tenant_id, household_id, target, target_id)
        tenant = await tenant_of(self.session, tenant_id)
        changes = patch.model_dump(exclude_unset=True)
        if not changes:
            raise InvalidPayload("", catalogue.NOTHING_TO_CHANGE, code="nothing_to_change")
        if "diet" in changes:
            check_diet(tenant, changes["diet"])
        if changes.get("criteria_values"):
            check_criteria(tenant, changes["criteria_values"])
        as_json = patch.model_dump(mode="json", exclude_unset=True)
        direct: dict[str, Any] = {}
        applied: list[str] = []
        requests: list[ChangeRequest] = []
        for group, values in split_by_group(target, changes).items():
            if staff or mode_of(tenant.editing, group) == "direct":
                direct.update(values)
                applied.append(group)
            else:
                if target == "guardian" and values.get("email"):
                    # Refused now, not when staff accept it: the parent can still correct it.
                    await self.guardians.check_email_free(tenant_id, values["email"], target_id)
                requests.append(
                    await self._propose(principal, household, target, target_id, group, as_json)
                )
        if direct:
            await self._apply(tenant, household, target, target_id, direct, by_staff=staff)
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
        for earlier in await self.requests.pending_for(household.tenant_id, target_id, group):
            earlier.status = "replaced"
            earlier.decided_at = utcnow()
            await self.requests.save(earlier)
        return await self.requests.add(
            ChangeRequest(
                tenant_id=household.tenant_id,
                household_id=household.id,
                target=target,
                target_id=target_id,
                field_group=group,
                changes={name: as_json[name] for name in FIELD_GROUPS[group] if name in as_json},
                requested_by=principal.subject,
            )
        )

    async def _apply(
        self,
        tenant: Tenant,
        household: Household,
        target: str,
        target_id: UUID,
        changes: dict[str, Any],
        *,
        by_staff: bool,
    ) -> None:
        if target == "household":
            await self.households.apply(household, changes)
        elif target == "guardian":
            await GuardianService(self.session).update(
                tenant.id, household.id, target_id, GuardianPatch.model_validate(changes)
            )
        elif target == "adult":
            adults = AdultService(self.session)
            await adults.apply(await adults.get(tenant.id, household.id, target_id), changes)
        else:
            children = ChildService(self.session)
            child = await children.get(tenant.id, household.id, target_id)
            await children.apply(tenant, child, changes, by_staff=by_staff)

    async def _pending(self, tenant_id: UUID, request_id: UUID) -> ChangeRequest:
        """The request, locked: two staff deciding it at once are served one after the other
        (the second finds it decided)."""
        request = await self.requests.get_for_update(tenant_id, request_id)
        if request is None:
            raise NotFound(catalogue.REQUEST_NOT_FOUND)
        if request.status != "pending":
            raise catalogue.RequestAlreadyDecided(catalogue.REQUEST_ALREADY_DECIDED)
        return request

    async def accept(
        self, principal: Principal, tenant_id: UUID, request_id: UUID
    ) -> ChangeRequestOut:
        request = await self._pending(tenant_id, request_id)
        household = await household_for(self.session, principal, tenant_id, request.household_id)
        tenant = await tenant_of(self.session, tenant_id)
        target: Target = request.target  # type: ignore[assignment]
        try:
            patch = PATCHES[request.target].model_validate(request.changes)
            if getattr(patch, "criteria_values", None):
                check_criteria(tenant, patch.criteria_values)  # type: ignore[attr-defined]
            await _check_target(self.session, tenant_id, household.id, target, request.target_id)
        except (ValidationError, NotFound, InvalidCriterion) as exc:
            raise catalogue.RequestNoLongerApplies(catalogue.REQUEST_NO_LONGER_APPLIES) from exc
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
        saved = await self.requests.save(request)
        # The family is told (by the mailing-service), with the reason of a refusal.
        await record_event(
            self.session,
            events,
            ChangeRequestDecided(
                household_id=request.household_id,
                request_id=request.id,
                field_group=request.field_group,
                label=catalogue.FIELD_GROUP_LABELS.get(request.field_group, request.field_group),
                outcome="accepted" if status == "accepted" else "refused",
                reason=reason,
            ),
            tenant_id=request.tenant_id,
            key=request.household_id,
        )
        return ChangeRequestOut.of(saved)
