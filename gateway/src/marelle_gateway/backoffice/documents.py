"""A household's documents (staff upload for the household or one of its people, download)
and the export of everything held on the household (a family's access request)."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Form, UploadFile
from fastapi.responses import Response

from marelle_gateway.backoffice.households import Desk, HouseholdOf
from marelle_gateway.backoffice.navigation import EDIT_RECORDS, READ_RECORDS
from marelle_gateway.clients.base import Upload, UpstreamProblem
from marelle_gateway.state import FamilyClientDep
from marelle_gateway.web import forms
from marelle_gateway.web.deps import CsrfChecked, StaffUser, require_roles
from marelle_gateway.web.errors import PageError
from marelle_gateway.web.rendering import attachment

readers = APIRouter(prefix="/foyers/{household_id}", dependencies=[require_roles(READ_RECORDS)])
editors = APIRouter(prefix="/foyers/{household_id}", dependencies=[require_roles(EDIT_RECORDS)])
UPLOAD_LIMIT = 5 * 1024 * 1024


@editors.post("/documents", name="admin.documents.add", dependencies=[CsrfChecked])
async def add_document(
    household: HouseholdOf,
    desk: Desk,
    file: UploadFile,
    person: Annotated[str, Form(max_length=60)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    description: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    kind, _, person_id = person.partition(":")
    people = {str(p) for p in household.names()} | {str(household.id)}
    if kind not in ("household", "guardian", "child") or person_id not in people:
        raise PageError("record-not-found", 404)
    upload = Upload(file.filename or "document", await file.read(UPLOAD_LIMIT + 1))
    try:
        await desk.family.add_document(
            desk.staff,
            household.id,
            upload,
            name=name,
            description=description,
            person_kind=kind,
            person_id=UUID(person_id),
        )
    except UpstreamProblem as problem:
        errors = {"": forms.one_message_of(forms.refusal(problem))}
        return await desk.refused(household.id, "document", errors, status_code=problem.status)
    return desk.done(household.id, "document-ajoute", "documents")


@readers.get("/documents/{document_id}", name="admin.documents.read")
async def read_document(
    household: HouseholdOf, document_id: UUID, staff: StaffUser, family: FamilyClientDep
) -> Response:
    try:
        return attachment(await family.document(staff, household.id, document_id))
    except UpstreamProblem as problem:
        raise PageError.from_problem(problem, missing="document-not-found") from problem


@readers.get("/export.{extension}", name="admin.household.export")
async def export_household(
    household_id: UUID, extension: Literal["pdf", "json"], staff: StaffUser, family: FamilyClientDep
) -> Response:
    """Everything held on the household (RGPD access request received by the town)."""
    return attachment(await family.export(staff, household_id, extension))
