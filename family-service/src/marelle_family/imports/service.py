"""Importing households and children from a former software's CSV export: every row is
checked with the same rules as the API (the same pydantic schemas); any rejected row means
nothing is imported and the report lists every rejected row with its line, column and reason.

The rows of one household share its ``ref_foyer``: its household and guardian columns may be
filled on any of them (usually the first) but must not disagree; each row with child columns
adds one child."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from marelle_family import catalogue
from marelle_family.children.schemas import ChildIn
from marelle_family.children.service import ChildService
from marelle_family.guardians.schemas import GuardianIn
from marelle_family.households.schemas import HouseholdCreate, HouseholdPatch
from marelle_family.households.service import HouseholdService
from marelle_family.imports.parsing import (
    CHILD_COLUMNS,
    HOUSEHOLD_COLUMNS,
    Row,
    french_date,
    header_key,
)
from marelle_family.imports.repository import ImportRepository
from marelle_family.imports.schemas import ImportReport, Rejection
from marelle_family.models import Tenant
from marelle_family.tenants.diets import diets_of
from marelle_kit.database import WriteSession
from marelle_kit.errors import validation_message

# Schema field -> CSV column.
GUARDIAN_FIELDS = {
    "last_name": "nom",
    "first_name": "prenom",
    "email": "email",
    "phone": "telephone",
}
HOUSEHOLD_FIELDS = {
    # The schema's own check of the two guardians (distinct e-mail addresses) is about rl2.
    "name": "nom_foyer",
    "guardians": "rl2_email",
}
DETAIL_FIELDS = {
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
# Where the API's generic message would leave a town's staff guessing.
COLUMN_MESSAGES = {
    ("code_postal", "string_pattern_mismatch"): (
        "Le code postal compte 5 chiffres (un zéro initial perdu par le tableur ?)."
    ),
    ("annee_scolaire", "string_pattern_mismatch"): "Une année scolaire s'écrit 2026-2027.",
    ("quotient", "int_parsing"): "Le quotient est un nombre entier d'euros.",
    ("quotient", "int_from_float"): "Le quotient est un nombre entier d'euros.",
    ("quotient", "greater_than_equal"): "Le quotient ne peut pas être négatif.",
    ("quotient", "less_than_equal"): "Le quotient dépasse 100 000 € : vérifiez la valeur.",
}
REQUIRED = "Ce champ est obligatoire."
DATE_FORMAT = "Date attendue au format JJ/MM/AAAA (par exemple 14/05/2018)."

M = TypeVar("M", bound=BaseModel)


class Rejections:
    """The rejected rows found so far, each with its line, column and French reason."""

    def __init__(self) -> None:
        self.items: list[Rejection] = []

    def __len__(self) -> int:
        return len(self.items)

    def add(self, line: int, column: str, message: str) -> None:
        self.items.append(Rejection(line=line, column=column, message=message))

    def validated(
        self,
        model: type[M],
        values: dict[str, Any],
        columns: Mapping[str, str],
        lines: Mapping[str, int],
        default_line: int,
        *,
        already_reported: Iterable[str] = (),
    ) -> M | None:
        """``values`` as ``model`` or None, each validation error added as a rejection of the
        field's column, on the line its value came from. Errors of fields in
        ``already_reported`` (a date that did not parse, say) are not reported twice."""
        try:
            return model.model_validate(values)
        except ValidationError as exc:
            skipped = set(already_reported)
            for error in exc.errors():
                name = str(error["loc"][0]) if error["loc"] else ""
                if name in skipped:
                    continue
                column = columns.get(name, name)
                message = COLUMN_MESSAGES.get((column, error["type"]))
                self.add(
                    lines.get(column, default_line),
                    column,
                    message or validation_message(error),
                )
            return None

    def sorted(self) -> list[dict[str, Any]]:
        return [r.model_dump() for r in sorted(self.items, key=lambda r: r.line)]


@dataclass
class PlannedHousehold:
    create: HouseholdCreate
    details: dict[str, Any]
    children: list[ChildIn] = field(default_factory=list)


@dataclass
class Group:
    """The rows of one ``ref_foyer`` and its household columns merged: each value with the
    line it was read on."""

    ref: str
    rows: list[Row]
    values: dict[str, str] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)

    @property
    def line(self) -> int:
        return self.rows[0].line

    def get(self, column: str) -> str | None:
        return self.values.get(column) or None


@dataclass(frozen=True)
class EmailUse:
    email: str
    ref: str
    line: int
    column: str


def _comparable(value: str) -> str:
    return " ".join(value.split()).casefold()


def _parsed_date(raw: str | None, line: int, column: str, rejected: Rejections) -> str | None:
    if raw is None:
        return None
    try:
        return french_date(raw)
    except ValueError:
        rejected.add(line, column, DATE_FORMAT)
        return None


class HouseholdImport:
    """One import into one tenant: plan (check every row), then write everything or nothing."""

    def __init__(self, session: WriteSession, tenant: Tenant) -> None:
        self.session = session
        self.tenant = tenant
        self.diets = diets_of(tenant)
        # A diet may be written as its code or its label, whatever the case or accents.
        self.diet_codes: dict[str, str] = {}
        for code, label in self.diets.items():
            self.diet_codes.setdefault(header_key(label), code)
        self.diet_codes.update({header_key(code): code for code in self.diets})

    async def run(self, rows: list[Row], *, dry_run: bool) -> ImportReport:
        rejected = Rejections()
        plans = await self.plan(rows, rejected)
        children = sum(len(p.children) for p in plans)
        if rejected:
            lines = len({r.line for r in rejected.items})
            raise catalogue.ImportRejected(
                catalogue.IMPORT_REJECTED.format(lines=lines, anomalies=len(rejected)),
                rejected=rejected.sorted(),
                households=len(plans),
                children=children,
            )
        if not dry_run:
            await self.write(plans)
        return ImportReport(dry_run=dry_run, households=len(plans), children=children, rejected=[])

    async def plan(self, rows: list[Row], rejected: Rejections) -> list[PlannedHousehold]:
        """Every row checked; the households to create when ``rejected`` stays empty."""
        groups: dict[str, Group] = {}
        for row in rows:
            if row.extra_cells:
                rejected.add(
                    row.line,
                    "",
                    f"La ligne a {row.extra_cells} valeur(s) au-delà des colonnes de l'en-tête "
                    "(un séparateur dans une valeur non entourée de guillemets ?).",
                )
            ref = row.values.get("ref_foyer", "")
            if not ref:
                rejected.add(row.line, "ref_foyer", REQUIRED)
                continue
            groups.setdefault(ref, Group(ref, [])).rows.append(row)
        plans: list[PlannedHousehold] = []
        emails: list[EmailUse] = []
        for group in groups.values():
            self._merge(group, rejected)
            plan, guardians = self._household(group, rejected)
            emails.extend(
                EmailUse(g.email, group.ref, group.lines[f"rl{g.rank}_email"], f"rl{g.rank}_email")
                for g in guardians
                if g.email
            )
            children = self._children(group, rejected)
            if plan is not None:
                plan.children.extend(children)
                plans.append(plan)
        await self._check_emails(emails, rejected)
        return plans

    def _merge(self, group: Group, rejected: Rejections) -> None:
        for row in group.rows:
            for column in HOUSEHOLD_COLUMNS:
                value = row.values.get(column, "")
                if not value:
                    continue
                if column not in group.values:
                    group.values[column] = value
                    group.lines[column] = row.line
                elif _comparable(value) != _comparable(group.values[column]):
                    rejected.add(
                        row.line,
                        column,
                        f"« {value} » diffère de « {group.values[column]} » "
                        f"(ligne {group.lines[column]}) pour le même foyer {group.ref}.",
                    )

    def _household(
        self, group: Group, rejected: Rejections
    ) -> tuple[PlannedHousehold | None, list[GuardianIn]]:
        """The household to create (None if rejected) and its valid guardians."""
        before = len(rejected)
        guardians: list[GuardianIn] = []
        for rank in (1, 2):
            columns = {name: f"rl{rank}_{suffix}" for name, suffix in GUARDIAN_FIELDS.items()}
            values = {
                name: group.get(column)
                for name, column in columns.items()
                if group.get(column) is not None
            }
            if not values:
                continue
            guardian = rejected.validated(
                GuardianIn, {"rank": rank, **values}, columns, group.lines, group.line
            )
            if guardian is not None:
                guardians.append(guardian)
        name = group.get("nom_foyer")
        create = rejected.validated(
            HouseholdCreate,
            {"guardians": guardians} | ({"name": name} if name is not None else {}),
            HOUSEHOLD_FIELDS,
            group.lines,
            group.line,
        )
        details_in: dict[str, Any] = {
            name: group.get(column)
            for name, column in DETAIL_FIELDS.items()
            if group.get(column) is not None
        }
        if "quotient_valid_until" in details_in:
            column = DETAIL_FIELDS["quotient_valid_until"]
            details_in["quotient_valid_until"] = _parsed_date(
                details_in["quotient_valid_until"], group.lines[column], column, rejected
            )
        details = rejected.validated(
            HouseholdPatch,
            {name: value for name, value in details_in.items() if value is not None},
            DETAIL_FIELDS,
            group.lines,
            group.line,
        )
        if create is None or details is None or len(rejected) > before:
            return None, guardians
        return PlannedHousehold(create, details.model_dump(exclude_unset=True)), guardians

    def _children(self, group: Group, rejected: Rejections) -> list[ChildIn]:
        children: list[ChildIn] = []
        seen: dict[tuple[str, str, Any], int] = {}
        for row in group.rows:
            child = self._child(row, rejected)
            if child is None:
                continue
            identity = (
                _comparable(child.first_name),
                _comparable(child.last_name),
                child.birth_date,
            )
            if identity in seen:
                rejected.add(
                    row.line,
                    "enfant_prenom",
                    f"Enfant en double dans ce foyer (déjà ligne {seen[identity]}).",
                )
                continue
            seen[identity] = row.line
            children.append(child)
        return children

    def _child(self, row: Row, rejected: Rejections) -> ChildIn | None:
        """The row's child, None if the row has none or it is rejected."""
        if not any(row.values.get(column) for column in CHILD_COLUMNS):
            return None
        values: dict[str, Any] = {
            name: row.values[column]
            for name, column in CHILD_FIELDS.items()
            if row.values.get(column)
        }
        already_reported = []
        before = len(rejected)
        if "birth_date" in values:
            values["birth_date"] = _parsed_date(
                values["birth_date"], row.line, "enfant_date_naissance", rejected
            )
            if values["birth_date"] is None:
                del values["birth_date"]
                already_reported.append("birth_date")
        if "diet" in values:
            code = self.diet_codes.get(header_key(values["diet"]))
            if code is None:
                rejected.add(
                    row.line,
                    "regime",
                    f"Régime « {values['diet']} » non servi par la structure (choix possibles : "
                    + ", ".join(self.diets)
                    + ").",
                )
                del values["diet"]
            else:
                values["diet"] = code
        child = rejected.validated(
            ChildIn,
            values,
            CHILD_FIELDS,
            {},
            row.line,
            already_reported=already_reported,
        )
        return child if len(rejected) == before else None

    async def _check_emails(self, uses: list[EmailUse], rejected: Rejections) -> None:
        """An address is one login: not already a guardian's of the tenant, once in the file
        (the two guardians of one household sharing one is the schema's own check)."""
        taken = await ImportRepository(self.session).guardian_emails_among(
            self.tenant.id, (use.email for use in uses)
        )
        first: dict[str, EmailUse] = {}
        for use in uses:
            earlier = first.setdefault(use.email, use)
            if use.email in taken:
                rejected.add(
                    use.line,
                    use.column,
                    "Adresse déjà celle d'un responsable légal de la structure.",
                )
            elif earlier.ref != use.ref:
                rejected.add(
                    use.line,
                    use.column,
                    f"Adresse déjà utilisée ligne {earlier.line} (foyer {earlier.ref}).",
                )

    async def write(self, plans: list[PlannedHousehold]) -> None:
        """Through the services, so that every household, guardian and child is published."""
        households = HouseholdService(self.session)
        children = ChildService(self.session)
        for plan in plans:
            household = await households.create(self.tenant.id, plan.create)
            if plan.details:
                await households.apply(household, plan.details)
            for child in plan.children:
                await children.add(self.tenant, household.id, child)
