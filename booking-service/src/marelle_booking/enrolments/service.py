from __future__ import annotations

from typing import Literal
from uuid import UUID

from marelle_booking.activities.repository import ActivityRepository
from marelle_booking.calendars.repository import SchoolYearRepository
from marelle_booking.enrolments.repository import EnrolmentRepository
from marelle_booking.enrolments.schemas import (
    EnrolmentDecision,
    EnrolmentIn,
    EnrolmentOut,
    EnrolmentPatch,
    EnrolmentRequest,
)
from marelle_booking.families.repository import ChildViewRepository
from marelle_booking.models import Activity, Enrolment
from marelle_booking.problems import EnrolmentRefusedProblem, UnknownActivity, UnknownChild
from marelle_booking.town.service import TownPolicyService
from marelle_kit.clock import utcnow
from marelle_kit.database import ReadSession
from marelle_kit.errors import NotFound
from marelle_kit.security import Principal


class EnrolmentService:
    def __init__(self, session: ReadSession) -> None:
        self.session = session
        self.enrolments = EnrolmentRepository(session)
        self.children = ChildViewRepository(session)
        self.activities = ActivityRepository(session)
        self.years = SchoolYearRepository(session)

    async def request(
        self,
        principal: Principal,
        tenant_id: UUID,
        household_id: UUID,
        data: EnrolmentRequest,
        *,
        by_staff: bool,
        documents_complete: bool = False,
        priority_class: int = 3,
    ) -> Enrolment:
        child = await self.children.get(tenant_id, data.child_id)
        if child is None or child.household_id != household_id or child.erased:
            raise UnknownChild("Cet enfant n'existe pas dans ce foyer.")
        activity = await self.activities.get(tenant_id, data.activity_id)
        if activity is None or not activity.active:
            raise UnknownActivity("Cette activité n'existe pas ou n'est plus proposée.")
        year = await self.years.get(tenant_id, data.school_year_id)
        if year is None:
            raise NotFound("Cette année scolaire n'existe pas.")
        await self._check_group(tenant_id, activity, data.group_code)
        existing = await self.enrolments.find(tenant_id, child.id, activity.id, year.id)
        if existing is not None and existing.status in ("pending", "approved"):
            raise EnrolmentRefusedProblem(
                f"{child.first_name} est déjà inscrit(e) à « {activity.name} » pour {year.label}."
            )
        approved = by_staff or not activity.enrolment_approval
        enrolment = existing or Enrolment(
            tenant_id=tenant_id,
            household_id=household_id,
            child_id=child.id,
            activity_id=activity.id,
            school_year_id=year.id,
            status="pending",
            requested_by=principal.subject,
        )
        enrolment.status = "approved" if approved else "pending"
        enrolment.group_code = data.group_code
        enrolment.requested_by = principal.subject
        enrolment.note = None
        enrolment.documents_complete = documents_complete
        enrolment.priority_class = priority_class
        if approved:
            enrolment.decided_by = principal.subject
            enrolment.decided_at = utcnow()
        return await self.enrolments.save(enrolment)

    async def create(self, principal: Principal, tenant_id: UUID, data: EnrolmentIn) -> Enrolment:
        return await self.request(
            principal,
            tenant_id,
            data.household_id,
            EnrolmentRequest(
                child_id=data.child_id,
                activity_id=data.activity_id,
                school_year_id=data.school_year_id,
                group_code=data.group_code,
            ),
            by_staff=True,
            documents_complete=data.documents_complete,
            priority_class=data.priority_class,
        )

    async def get(self, tenant_id: UUID, enrolment_id: UUID) -> Enrolment:
        enrolment = await self.enrolments.get(tenant_id, enrolment_id)
        if enrolment is None:
            raise NotFound("Cette inscription n'existe pas.")
        return enrolment

    async def decide(
        self, principal: Principal, tenant_id: UUID, enrolment_id: UUID, data: EnrolmentDecision
    ) -> Enrolment:
        enrolment = await self.get(tenant_id, enrolment_id)
        if enrolment.status != "pending":
            raise EnrolmentRefusedProblem("Cette inscription n'attend pas de décision.")
        enrolment.status = "approved" if data.decision == "approve" else "refused"
        enrolment.note = data.note
        enrolment.decided_by = principal.subject
        enrolment.decided_at = utcnow()
        return await self.enrolments.save(enrolment)

    async def patch(self, tenant_id: UUID, enrolment_id: UUID, data: EnrolmentPatch) -> Enrolment:
        enrolment = await self.get(tenant_id, enrolment_id)
        if data.documents_complete is not None:
            enrolment.documents_complete = data.documents_complete
        if data.priority_class is not None:
            enrolment.priority_class = data.priority_class
        if data.group_code is not None:
            activity = await self.activities.get(tenant_id, enrolment.activity_id)
            assert activity is not None
            await self._check_group(tenant_id, activity, data.group_code)
            enrolment.group_code = data.group_code
        if data.ended:
            if enrolment.status != "approved":
                raise EnrolmentRefusedProblem("Seule une inscription acceptée peut prendre fin.")
            enrolment.status = "ended"
        return await self.enrolments.save(enrolment)

    async def of_household(self, tenant_id: UUID, household_id: UUID) -> list[Enrolment]:
        return await self.enrolments.of_household(tenant_id, household_id)

    async def search(
        self,
        tenant_id: UUID,
        *,
        status: Literal["pending", "approved", "refused", "ended"] | None,
        activity_id: UUID | None,
        limit: int,
        offset: int,
    ) -> list[Enrolment]:
        return await self.enrolments.search(
            tenant_id, status=status, activity_id=activity_id, limit=limit, offset=offset
        )

    async def views(self, tenant_id: UUID, enrolments: list[Enrolment]) -> list[EnrolmentOut]:
        children = await self.children.by_ids(tenant_id, {e.child_id for e in enrolments})
        activities = await self.activities.by_ids(tenant_id, {e.activity_id for e in enrolments})
        years = {y.id: y.label for y in await self.years.of_tenant(tenant_id)}
        out = []
        for e in enrolments:
            child = children.get(e.child_id)
            activity = activities.get(e.activity_id)
            out.append(
                EnrolmentOut(
                    id=e.id,
                    household_id=e.household_id,
                    child_id=e.child_id,
                    child_name=f"{child.first_name} {child.last_name}" if child else "",
                    activity_id=e.activity_id,
                    activity_name=activity.name if activity else "",
                    school_year_id=e.school_year_id,
                    school_year=years.get(e.school_year_id, ""),
                    group_code=e.group_code,
                    status=e.status,
                    documents_complete=e.documents_complete,
                    priority_class=e.priority_class,
                    note=e.note,
                    created_at=e.created_at,
                    decided_at=e.decided_at,
                )
            )
        return out

    async def _check_group(self, tenant_id: UUID, activity: Activity, group_code: str) -> None:
        policy = await TownPolicyService(self.session).get(tenant_id)
        groups = {g.code for g in await self.activities.groups(tenant_id, [activity.id])}
        if policy.uses_groups and groups:
            if group_code not in groups:
                raise EnrolmentRefusedProblem(
                    f"Choisissez le groupe de l'enfant pour « {activity.name} » "
                    f"({', '.join(sorted(groups))})."
                )
        elif group_code:
            raise EnrolmentRefusedProblem(f"« {activity.name} » n'a pas de groupes.")
