"""The import of a former software's CSV export, for the town's managers and administrators
(and operators, setting a town up)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, File, UploadFile

from marelle_family.imports.parsing import FileUnreadable, TooManyRows, read_rows
from marelle_family.imports.schemas import ImportReport
from marelle_family.imports.service import HouseholdImport
from marelle_family.tenants.service import TenantService
from marelle_kit import roles
from marelle_kit.errors import Problem
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


class FileRefused(Problem):
    status = 422
    type = "import-file-refused"
    title = "Fichier refusé"


class FileTooLarge(Problem):
    status = 413
    type = "import-file-too-large"
    title = "Fichier trop volumineux"


@supervisors.post(
    "/households",
    response_model=ImportReport,
    responses={
        413: {"description": "Fichier de plus de 5 Mo ou de plus de 20 000 lignes"},
        422: {"description": "Fichier illisible, ou lignes refusées (extension `rejected`)"},
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
    too_large = FileTooLarge("Le fichier dépasse 5 Mo : découpez-le.", field="file")
    if file.size is not None and file.size > MAX_BYTES:
        raise too_large
    data = await file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise too_large
    try:
        rows = read_rows(data, max_rows=MAX_ROWS)
    except TooManyRows as exc:
        raise FileTooLarge(str(exc), field="file") from exc
    except FileUnreadable as exc:
        raise FileRefused(str(exc), field="file") from exc
    tenant = await TenantService(session).get(tenant_id)
    return await HouseholdImport(session, tenant).run(rows, dry_run=dry_run)
