"""Documents a parent adds for the household or one of its people, and reads back."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import Response

from marelle_gateway.clients.base import Upload, UpstreamProblem
from marelle_gateway.state import FamilyClientDep
from marelle_gateway.web import forms
from marelle_gateway.web.deps import CsrfChecked, CurrentParent
from marelle_gateway.web.errors import PageError
from marelle_gateway.web.rendering import attachment, redirect_to

router = APIRouter(include_in_schema=False)
UPLOAD_LIMIT = 5 * 1024 * 1024


@router.post("/mes-documents", name="portal.documents.add", dependencies=[CsrfChecked])
async def add_document(
    request: Request,
    parent: CurrentParent,
    family: FamilyClientDep,
    file: UploadFile,
    name: Annotated[str, Form(max_length=200)] = "",
    description: Annotated[str, Form(max_length=500)] = "",
    person_kind: Annotated[Literal["household", "guardian", "child"], Form()] = "household",
    person_id: Annotated[UUID | None, Form()] = None,
) -> Response:
    back = "portal.children" if person_kind == "child" else "portal.household"
    upload = Upload(file.filename or "document", await file.read(UPLOAD_LIMIT + 1))
    try:
        await family.add_document(
            parent,
            parent.household_id,
            upload,
            name=name or upload.name,
            description=description,
            person_kind=person_kind,
            person_id=person_id or parent.household_id,
        )
    except UpstreamProblem as problem:
        if problem.unavailable:
            raise
        raise PageError("document-refused", 422, detail=forms.one_message(problem)) from problem
    return redirect_to(request, back, notice="document")


@router.get("/mes-documents/{document_id}", name="portal.documents.read")
async def read_document(
    document_id: UUID, parent: CurrentParent, family: FamilyClientDep
) -> Response:
    try:
        return attachment(await family.document(parent, parent.household_id, document_id))
    except UpstreamProblem as problem:
        raise PageError.from_problem(problem, missing="document-not-found") from problem
