"""The family-service's client: households and their people, children's records, change
requests, documents, the town's record settings, imports, retention and the access log."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from marelle_gateway.clients.base import Caller, Download, Instant, ServiceClient, Upload

# A real import takes about 10 ms a row: a large file needs minutes, the pages wait for it.
IMPORT_SECONDS = 900.0
DOWNLOAD_SECONDS = 60.0


class Record(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Contact(Record):
    id: UUID | None = None
    first_name: str
    last_name: str
    relationship: str
    phone: str
    pick_up: bool = False
    emergency: bool = False


class Guardian(Record):
    id: UUID
    household_id: UUID
    rank: int
    first_name: str
    last_name: str
    email: str | None = None
    phone: str | None = None
    work_phone: str | None = None
    profession: str | None = None
    employer: str | None = None
    parental_authority: str = "unknown"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Adult(Record):
    id: UUID
    household_id: UUID
    first_name: str
    last_name: str
    relationship: str
    phone: str | None = None
    email: str | None = None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Child(Record):
    id: UUID
    household_id: UUID
    first_name: str
    last_name: str
    birth_date: date
    birth_place: str | None = None
    school: str | None = None
    level: str | None = None
    school_year: str | None = None
    diet: str | None = None
    pai: bool = False
    vaccinations_up_to_date: bool = False
    consent_photo: bool | None = None
    consent_outings: bool | None = None
    consent_leave_alone: bool | None = None
    consent_hospitalisation: bool | None = None
    validated_at: Instant | None = None
    contacts: list[Contact] = Field(default_factory=list)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class HouseholdSummary(Record):
    id: UUID
    family_number: str
    name: str


class GuardianName(Record):
    rank: int
    first_name: str
    last_name: str


class HouseholdListing(HouseholdSummary):
    guardians: list[GuardianName] = Field(default_factory=list)
    children_count: int = 0


class Household(HouseholdSummary):
    address_street: str | None = None
    address_complement: str | None = None
    postcode: str | None = None
    city: str | None = None
    phone: str | None = None
    email_authorised: bool = True
    sms_authorised: bool = False
    quotient: int | None = None
    quotient_valid_until: date | None = None
    benefits_scheme: str | None = None
    benefits_number: str | None = None
    insurer: str | None = None
    insurance_number: str | None = None
    insurance_valid_until: date | None = None
    certified_at: Instant | None = None
    criteria_values: dict[str, Any] | None = None
    guardians: list[Guardian] = Field(default_factory=list)
    adults: list[Adult] = Field(default_factory=list)
    children: list[Child] = Field(default_factory=list)

    def names(self) -> dict[UUID, str]:
        """Everyone of the household by id: the pages name people, never show their ids."""
        people: list[Guardian | Adult | Child] = [*self.guardians, *self.adults, *self.children]
        return {person.id: person.full_name for person in people}

    def guardian(self, guardian_id: UUID) -> Guardian | None:
        return next((g for g in self.guardians if g.id == guardian_id), None)

    def adult(self, adult_id: UUID) -> Adult | None:
        return next((a for a in self.adults if a.id == adult_id), None)

    def child(self, child_id: UUID) -> Child | None:
        return next((c for c in self.children if c.id == child_id), None)


class ChangeRequest(Record):
    id: UUID
    household_id: UUID
    target: str
    target_id: UUID
    field_group: str
    changes: dict[str, Any]
    status: str
    reason: str | None = None
    created_at: Instant
    decided_at: Instant | None = None
    label: str


class EditOutcome(Record):
    applied: list[str] = Field(default_factory=list)
    requests: list[ChangeRequest] = Field(default_factory=list)

    @property
    def notice(self) -> str:
        """The notice code the page shows: applied, sent to staff, or both."""
        if self.applied and self.requests:
            return "mixed"
        return "requested" if self.requests else "applied"


class Criterion(Record):
    code: str
    label: str
    kind: Literal["yes_no", "text", "choice"]
    choices: list[str] = Field(default_factory=list)


class RecordRules(Record):
    diets: dict[str, str] = Field(default_factory=dict)
    editing: dict[str, str] = Field(default_factory=dict)
    criteria: list[Criterion] = Field(default_factory=list)


class Document(Record):
    id: UUID
    household_id: UUID
    person_kind: str
    person_id: UUID
    name: str
    description: str | None = None
    content_type: str
    size: int
    uploaded_by_staff: bool
    created_at: Instant


class Rejection(Record):
    line: int
    column: str
    message: str


class ImportReport(Record):
    dry_run: bool
    households: int
    children: int
    rejected: list[Rejection] = Field(default_factory=list)
    detail: str = ""


class RecordRead(Record):
    """A line of the access log: a staff member read a child's record."""

    id: UUID
    household_id: UUID
    child_id: UUID
    reader: str
    roles: str
    read_at: Instant


class HouseholdSearch(BaseModel):
    """The staff's household search, as the family-service takes it."""

    q: str = ""
    school: str = ""
    not_validated: bool = False
    quotient_expired: bool = False
    missing_email: bool = False
    limit: int = 50
    offset: int = 0

    def params(self) -> list[tuple[str, str]]:
        params = [("limit", str(self.limit)), ("offset", str(self.offset))]
        params += [
            (name, value) for name, value in (("q", self.q), ("school", self.school)) if value
        ]
        flags = ("not_validated", "quotient_expired", "missing_email")
        params += [(name, "true") for name in flags if getattr(self, name)]
        return params


class NewHousehold(BaseModel):
    name: str
    guardians: list[dict[str, Any]] = Field(default_factory=list)


Target = Literal["household", "guardian", "adult", "child"]
_COLLECTIONS: dict[str, str] = {"guardian": "guardians", "adult": "adults", "child": "children"}


class FamilyClient(ServiceClient):
    service = "family"

    # Households.
    async def households(self, caller: Caller, search: HouseholdSearch) -> list[HouseholdListing]:
        return await self.get_list("/households", caller, HouseholdListing, params=search.params())

    async def households_by_id(
        self, caller: Caller, ids: Sequence[UUID]
    ) -> dict[UUID, HouseholdListing]:
        if not ids:
            return {}
        params = [("limit", str(len(ids))), *(("id", str(i)) for i in ids)]
        found = await self.get_list("/households", caller, HouseholdListing, params=params)
        return {household.id: household for household in found}

    async def household(self, caller: Caller, household_id: UUID) -> Household:
        return await self.get(f"/households/{household_id}", caller, Household)

    async def create_household(self, caller: Caller, data: NewHousehold) -> Household:
        return await self.send("POST", "/households", caller, Household, data)

    async def edit(
        self,
        caller: Caller,
        household_id: UUID,
        target: Target,
        target_id: UUID,
        changes: Mapping[str, Any],
    ) -> EditOutcome:
        """A change to the household or one of its people; the tenant decides whether it
        applies at once or becomes a request for staff."""
        path = f"/households/{household_id}"
        if target != "household":
            path += f"/{_COLLECTIONS[target]}/{target_id}"
        return await self.send("PATCH", path, caller, EditOutcome, changes)

    async def certify(self, caller: Caller, household_id: UUID) -> None:
        await self.call("POST", f"/households/{household_id}/certification", caller)

    async def export(self, caller: Caller, household_id: UUID, extension: str) -> Download:
        return await self.download(
            f"/households/{household_id}/export.{extension}", caller, seconds=DOWNLOAD_SECONDS
        )

    async def erase(self, caller: Caller, household_id: UUID) -> HouseholdSummary:
        return await self.send(
            "POST", f"/households/{household_id}/erasure", caller, HouseholdSummary
        )

    # People.
    async def add_guardian(
        self, caller: Caller, household_id: UUID, data: Mapping[str, Any]
    ) -> Guardian:
        path = f"/households/{household_id}/guardians"
        return await self.send("POST", path, caller, Guardian, data)

    async def remove_guardian(self, caller: Caller, household_id: UUID, guardian_id: UUID) -> None:
        await self.call("DELETE", f"/households/{household_id}/guardians/{guardian_id}", caller)

    async def add_adult(self, caller: Caller, household_id: UUID, data: Mapping[str, Any]) -> Adult:
        return await self.send("POST", f"/households/{household_id}/adults", caller, Adult, data)

    async def remove_adult(self, caller: Caller, household_id: UUID, adult_id: UUID) -> None:
        await self.call("DELETE", f"/households/{household_id}/adults/{adult_id}", caller)

    async def child(self, caller: Caller, household_id: UUID, child_id: UUID) -> Child:
        return await self.get(f"/households/{household_id}/children/{child_id}", caller, Child)

    async def add_child(self, caller: Caller, household_id: UUID, data: Mapping[str, Any]) -> Child:
        path = f"/households/{household_id}/children"
        return await self.send("POST", path, caller, Child, data)

    async def validate_child(self, caller: Caller, household_id: UUID, child_id: UUID) -> Child:
        path = f"/households/{household_id}/children/{child_id}/validation"
        return await self.send("POST", path, caller, Child)

    # Change requests.
    async def requests_of(self, caller: Caller, household_id: UUID) -> list[ChangeRequest]:
        path = f"/households/{household_id}/change-requests"
        return await self.get_list(path, caller, ChangeRequest)

    async def pending_requests(self, caller: Caller, limit: int) -> list[ChangeRequest]:
        params = {"status": "pending", "limit": str(limit)}
        return await self.get_list("/change-requests", caller, ChangeRequest, params=params)

    async def accept(self, caller: Caller, request_id: UUID) -> ChangeRequest:
        path = f"/change-requests/{request_id}/accept"
        return await self.send("POST", path, caller, ChangeRequest)

    async def refuse(self, caller: Caller, request_id: UUID, reason: str) -> ChangeRequest:
        path = f"/change-requests/{request_id}/refuse"
        body = {"reason": reason} if reason else {}
        return await self.send("POST", path, caller, ChangeRequest, body)

    # Documents.
    async def documents(self, caller: Caller, household_id: UUID) -> list[Document]:
        return await self.get_list(f"/households/{household_id}/documents", caller, Document)

    async def add_document(
        self,
        caller: Caller,
        household_id: UUID,
        upload: Upload,
        *,
        name: str,
        description: str,
        person_kind: str,
        person_id: UUID,
    ) -> Document:
        fields = {"name": name, "person_kind": person_kind, "person_id": str(person_id)}
        if description:
            fields["description"] = description
        answer = await self.call(
            "POST",
            f"/households/{household_id}/documents",
            caller,
            files={"file": upload},
            fields=fields,
            seconds=DOWNLOAD_SECONDS,
        )
        return self.parse(Document, answer.body)

    async def document(self, caller: Caller, household_id: UUID, document_id: UUID) -> Download:
        path = f"/households/{household_id}/documents/{document_id}/content"
        return await self.download(path, caller, seconds=DOWNLOAD_SECONDS)

    # The town's record settings.
    async def record_rules(self, caller: Caller) -> RecordRules:
        return await self.get("/settings/records", caller, RecordRules)

    async def save_record_rules(self, caller: Caller, rules: RecordRules) -> RecordRules:
        return await self.send("PUT", "/settings/records", caller, RecordRules, rules)

    # Imports, retention, access log.
    async def import_households(
        self, caller: Caller, upload: Upload, *, dry_run: bool
    ) -> ImportReport:
        """The import's report (200), or its rejected rows (409 ``import-rejected``, as an
        UpstreamProblem whose body carries ``rejected``); an empty or unreadable file is a 422
        ``validation-error`` on the field ``file``."""
        answer = await self.call(
            "POST",
            "/imports/households",
            caller,
            files={"file": upload},
            params={"dry_run": str(dry_run).lower()},
            seconds=IMPORT_SECONDS,
        )
        return self.parse(ImportReport, answer.body)

    async def past_retention(self, caller: Caller) -> list[HouseholdSummary]:
        return await self.get_list("/retention/households", caller, HouseholdSummary)

    async def access_log(self, caller: Caller, limit: int) -> list[RecordRead]:
        params = {"limit": str(limit)}
        return await self.get_list("/access-log", caller, RecordRead, params=params)
