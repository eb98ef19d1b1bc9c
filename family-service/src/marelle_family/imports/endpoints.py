"""The import of a former software's CSV export, for the town's managers and administrators
(and operators, setting a town up)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, File, UploadFile

from marelle_family import catalogue
from marelle_family.imports.parsing import FileUnreadable, TooManyRows, read_rows
from marelle_family.imports.schemas import ImportReport
from marelle_family.imports.service import HouseholdImport
from marelle_family.tenants.service import tenant_of
from marelle_kit import roles
from marelle_kit.errors import InvalidPayload
from marelle_kit.security import require_roles
from marelle_kit.tenancy import TenantId
from marelle_kit.unit_of_work import SessionDep, transactional_router

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000

supervisors = transactional_router(
    prefix="/imports",
    tags=["imports"],
    dependencies=[Depends(require_roles(*roles.SUPERVISORS, roles.OPERATOR))],
)


@supervisors.post(
    "/households",
    response_model=ImportReport,
    responses={
        409: {"description": "Lignes refusées, rien n'est importé (extension `rejected`)"},
        413: {"description": "Fichier de plus de 5 Mo ou de plus de 20 000 lignes"},
        422: {"description": "Pas un fichier CSV lisible (classeur, encodage inconnu, vide)"},
    },
)
async def import_households(
    tenant_id: TenantId,
    session: SessionDep,
    file: Annotated[UploadFile, File(description="Le fichier CSV exporté de l'ancien logiciel")],
    dry_run: bool = True,
) -> ImportReport:
    """Households and children from a CSV file (one row per child, grouped by ``ref_foyer``).
    The dry run (default) writes nothing; a real run writes everything or, if one row is
    rejected, nothing — the report lists every rejected row and why."""
    too_large = catalogue.ImportFileTooLarge(catalogue.IMPORT_FILE_TOO_LARGE, field="file")
    if file.size is not None and file.size > MAX_BYTES:
        raise too_large
    data = await file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise too_large
    try:
        rows = read_rows(data, max_rows=MAX_ROWS)
    except TooManyRows as exc:
        raise catalogue.ImportFileTooLarge(str(exc), field="file") from exc
    except FileUnreadable as exc:
        # The file is the payload: an unreadable one is a validation error of its field.
        raise InvalidPayload("file", str(exc), code="file_unreadable") from exc
    tenant = await tenant_of(session, tenant_id)
    return await HouseholdImport(session, tenant).run(rows, dry_run=dry_run)
