"""Importing households and children from a former software's CSV export: every row is
checked with the same rules as the API; any rejected row means nothing is imported and the
report lists every rejected row with its line, column and reason."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from marelle_family.children.schemas import ChildIn
from marelle_family.children.service import ChildService
from marelle_family.guardians.repository import GuardianRepository
from marelle_family.guardians.schemas import GuardianIn
from marelle_family.households.schemas import HouseholdCreate, HouseholdPatch
from marelle_family.households.service import HouseholdService
from marelle_family.imports.parsing import CHILD_COLUMNS, HOUSEHOLD_COLUMNS, Row, french_date
from marelle_family.imports.schemas import ImportReport, Rejection
from marelle_family.models import Tenant
from marelle_family.tenants.diets import diets_of
from marelle_kit.errors import Problem, validation_message

GUARDIAN_FIELDS = {
    "last_name": "nom",
    "first_name": "prenom",
    "email": "email",
    "phone": "telephone",
}
DETAIL_COLUMNS = {
    "address_street": "adresse",
    "postcode": "code_postal",
    "city": "ville",
    "phone": "telephone_foyer",
    "quotient": "quotient",
    "quotient_valid_until": "quotient_fin_validite",
}
CHILD_FIELDS = {
    "last_name": "enfant_nom",
    "first_name": "enfant_prenom",
    "birth_date": "enfant_date_naissance",
    "school": "ecole",
    "level": "niveau",
    "school_year": "annee_scolaire",
    "diet": "regime",
}


M = TypeVar("M", bound=BaseModel)


class ImportRejected(Problem):
    status = 422
    type = "import-rejected"
    title = "Import refusé"


@dataclass
class PlannedHousehold:
    create: HouseholdCreate
    details: dict[str, Any]
    children: list[ChildIn] = field(default_factory=list)


def _validated(
    model: type[M],
    values: dict[str, Any],
    columns: dict[str, str],
    line: int,
    rejected: list[Rejection],
) -> M | None:
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else ""
            rejected.append(
                Rejection(
                    line=line, column=columns.get(name, name), message=validation_message(error)
                )
            )
        return None


def _date(row: Row, column: str, rejected: list[Rejection]) -> str | None:
    raw = row.values.get(column, "")
    if not raw:
        return None
    try:
        return french_date(raw)
    except ValueError:
        rejected.append(
            Rejection(line=row.line, column=column, message="Date attendue au format JJ/MM/AAAA.")
        )
        return None


def _optional(row: Row, column: str) -> str | None:
    return row.values.get(column) or None


class HouseholdImport:
    def __init__(self, session: AsyncSession, tenant: Tenant) -> None:
        self.session = session
        self.tenant = tenant

    async def run(self, rows: list[Row], *, dry_run: bool) -> ImportReport:
        rejected: list[Rejection] = []
        plans = await self._plan(rows, rejected)
        children = sum(len(p.children) for p in plans)
        if rejected:
            raise ImportRejected(
                f"{len(rejected)} anomalie(s) : rien n'a été importé. Corrigez le fichier et "
                "recommencez.",
                rejected=[r.model_dump() for r in sorted(rejected, key=lambda r: r.line)],
                households=len(plans),
                children=children,
            )
        if not dry_run:
            await self._write(plans)
        return ImportReport(dry_run=dry_run, households=len(plans), children=children, rejected=[])

    async def _plan(self, rows: list[Row], rejected: list[Rejection]) -> list[PlannedHousehold]:
        groups: dict[str, list[Row]] = {}
        for row in rows:
            ref = row.values.get("ref_foyer", "")
            if not ref:
                rejected.append(
                    Rejection(
                        line=row.line, column="ref_foyer", message="Ce champ est obligatoire."
                    )
                )
                continue
            groups.setdefault(ref, []).append(row)
        seen_emails: dict[str, int] = {}
        guardians = GuardianRepository(self.session)
        diets = diets_of(self.tenant)
        plans = []
        for group in groups.values():
            first = group[0]
            for row in group[1:]:
                for column in HOUSEHOLD_COLUMNS:
                    value = row.values.get(column, "")
                    if value and value != first.values.get(column, ""):
                        rejected.append(
                            Rejection(
                                line=row.line,
                                column=column,
                                message=f"Différent de la ligne {first.line} pour le même foyer.",
                            )
                        )
            plan = await self._household(first, rejected)
            for guardian in plan.create.guardians if plan is not None else []:
                column = f"rl{guardian.rank}_email"
                if not guardian.email:
                    continue
                if guardian.email in seen_emails:
                    rejected.append(
                        Rejection(
                            line=first.line,
                            column=column,
                            message=f"Adresse déjà utilisée ligne {seen_emails[guardian.email]}.",
                        )
                    )
                elif await guardians.email_taken(self.tenant.id, guardian.email, except_id=None):
                    rejected.append(
                        Rejection(
                            line=first.line,
                            column=column,
                            message="Adresse déjà celle d'un responsable légal de la structure.",
                        )
                    )
                seen_emails.setdefault(guardian.email, first.line)
            known: set[tuple[str, str, Any]] = set()
            for row in group:
                diet = row.values.get("regime", "")
                if diet and diet not in diets:
                    rejected.append(
                        Rejection(
                            line=row.line,
                            column="regime",
                            message="Régime non servi (choix : " + ", ".join(diets) + ").",
                        )
                    )
                child = self._child(row, rejected)
                if child is None:
                    continue
                identity = (child.first_name.lower(), child.last_name.lower(), child.birth_date)
                if identity in known:
                    rejected.append(
                        Rejection(
                            line=row.line,
                            column="enfant_prenom",
                            message="Enfant en double dans ce foyer.",
                        )
                    )
                known.add(identity)
                if plan is not None:
                    plan.children.append(child)
            if plan is None:
                continue
            plans.append(plan)
        return plans

    async def _household(self, row: Row, rejected: list[Rejection]) -> PlannedHousehold | None:
        before = len(rejected)
        guardians = []
        for rank in (1, 2):
            values = {
                field: _optional(row, f"rl{rank}_{suffix}")
                for field, suffix in GUARDIAN_FIELDS.items()
            }
            if not any(values.values()):
                continue
            columns = {field: f"rl{rank}_{suffix}" for field, suffix in GUARDIAN_FIELDS.items()}
            guardian = _validated(GuardianIn, {"rank": rank, **values}, columns, row.line, rejected)
            if guardian is not None:
                guardians.append(guardian)
        create = _validated(
            HouseholdCreate,
            {
                "name": row.values.get("nom_foyer", ""),
                "guardians": [g.model_dump() for g in guardians],
            },
            {"name": "nom_foyer", "guardians": "rl2_email"},
            row.line,
            rejected,
        )
        details_in = {field: _optional(row, column) for field, column in DETAIL_COLUMNS.items()}
        details_in["quotient_valid_until"] = _date(row, "quotient_fin_validite", rejected)
        details = _validated(
            HouseholdPatch,
            {k: v for k, v in details_in.items() if v is not None},
            DETAIL_COLUMNS,
            row.line,
            rejected,
        )
        if create is None or details is None or len(rejected) > before:
            return None
        return PlannedHousehold(create, details.model_dump(exclude_unset=True))

    def _child(self, row: Row, rejected: list[Rejection]) -> ChildIn | None:
        if not any(row.values.get(column) for column in CHILD_COLUMNS):
            return None
        values: dict[str, Any] = {
            field: _optional(row, column) for field, column in CHILD_FIELDS.items()
        }
        before = len(rejected)
        values["birth_date"] = _date(row, "enfant_date_naissance", rejected)
        if len(rejected) > before:
            return None
        if values["birth_date"] is None:
            rejected.append(
                Rejection(
                    line=row.line,
                    column="enfant_date_naissance",
                    message="Ce champ est obligatoire.",
                )
            )
            return None
        return _validated(
            ChildIn,
            {k: v for k, v in values.items() if v is not None},
            CHILD_FIELDS,
            row.line,
            rejected,
        )

    async def _write(self, plans: list[PlannedHousehold]) -> None:
        households = HouseholdService(self.session)
        children = ChildService(self.session)
        for plan in plans:
            household = await households.create(self.tenant.id, plan.create)
            if plan.details:
                await households.apply(household, plan.details)
            for child in plan.children:
                await children.add(self.tenant, household.id, child)
