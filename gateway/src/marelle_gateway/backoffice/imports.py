"""Households and children from the former software's CSV: a dry run first (the default),
then the real import; if one row is refused, nothing is imported."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, UploadFile
from fastapi.responses import HTMLResponse

from marelle_gateway.backoffice.layout import StaffPage
from marelle_gateway.backoffice.navigation import SUPERVISE
from marelle_gateway.clients.base import Upload, UpstreamProblem
from marelle_gateway.clients.family import ImportReport
from marelle_gateway.state import FamilyClientDep
from marelle_gateway.web import forms
from marelle_gateway.web.deps import CsrfChecked, StaffUser, require_roles

router = APIRouter(prefix="/import", dependencies=[require_roles(SUPERVISE)])
IMPORT_LIMIT = 5 * 1024 * 1024
IMPORT_REJECTED = "import-rejected"


@router.get("", name="admin.import")
async def import_page(page: StaffPage) -> HTMLResponse:
    return page.render("backoffice/imports/import.html")


@router.post("", name="admin.import.run", dependencies=[CsrfChecked])
async def import_file(
    staff: StaffUser,
    family: FamilyClientDep,
    page: StaffPage,
    file: UploadFile,
    real_run: Annotated[str, Form(max_length=5)] = "",
) -> HTMLResponse:
    upload = Upload(file.filename or "import.csv", await file.read(IMPORT_LIMIT + 1))
    dry_run = real_run.lower() not in forms.TRUE_WORDS
    try:
        report = await family.import_households(staff, upload, dry_run=dry_run)
    except UpstreamProblem as problem:
        if problem.unavailable:
            raise
        if problem.code == IMPORT_REJECTED:
            # Rows refused, nothing imported (the family-service's 409, rows in ``rejected``):
            # the form comes back with them.
            rejected = ImportReport.model_validate(
                {"dry_run": dry_run, "households": 0, "children": 0, **problem.body}
            )
            return page.render("backoffice/imports/import.html", 422, report=rejected)
        # The file refused as a whole (empty, unreadable, too large): said next to the field.
        return page.render(
            "backoffice/imports/import.html", problem.status, errors=forms.field_errors(problem)
        )
    return page.render("backoffice/imports/import.html", report=report)
