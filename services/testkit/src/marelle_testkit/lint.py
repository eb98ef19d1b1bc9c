"""The project's own lint: the service conventions (docs/adr, "conventions") that ruff and mypy
cannot see. ``make lint`` runs it (``python -m marelle_testkit.lint``); it prints one line per
violation and exits 1 if there is any.

MQ001  a query (sqlalchemy/sqlmodel ``select``, ``insert``, ``update``, ``delete``, ``exists``)
       built outside a repository module (``repository.py``, ``*_repository.py`` or a
       ``repositories/`` package). Infrastructure modules of the kit are listed below.
MR001  a role name written as a string ("agent", "admin"...) outside marelle_kit/roles.py:
       use the constants and the named role sets.
MP001  ``request.app.state`` in a page module (the gateway's portal and back-office pages read
       what they need through their dependencies).
MW001  a record module importing a workflow: the family-service's records (households,
       guardians, adults, children) never import editing/, imports/ or privacy/, which depend
       on them.
MS001  a service answering 422 by itself (``status = 422`` on a problem, ``status_code=422``,
       ``problem_response(422, ...)``): 422 is only the payload validation FastAPI does; a
       business refusal is 409, 403 or 404 with its own problem type.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from marelle_kit import roles

# What is linted, from the repository root.
SOURCE_ROOTS = (
    "services/kit/src",
    "services/contracts/src",
    "services/testkit/src",
    "auth-service/src",
    "family-service/src",
    "booking-service/src",
    "billing-service/src",
    "mailing-service/src",
    "gateway/src",
    "deploy/embedded/src",
)
SKIPPED_PARTS = ("migrations",)

# MQ001: the kit's infrastructure builds its own queries (outbox, consumer, dead letters,
# tenants read model), the repository base itself, and the test kit reads tables directly.
QUERY_ALLOWED = (
    "services/testkit/src/",
    "services/kit/src/marelle_kit/events/",
    "services/kit/src/marelle_kit/dead_letters.py",
    "services/kit/src/marelle_kit/tenant_directory.py",
    "services/kit/src/marelle_kit/repository.py",
)
QUERY_BUILDERS = frozenset({"select", "insert", "update", "delete", "exists"})
QUERY_MODULES = ("sqlalchemy", "sqlmodel")

# MR001
ROLE_NAMES = frozenset(roles.TENANT_ROLES | {roles.OPERATOR})
ROLES_MODULE = "services/kit/src/marelle_kit/roles.py"

# MP001: the gateway's page modules: the portal's and the back office's areas, and what both
# audiences share (web/). Only state.py, which builds the state and its dependencies, reads it.
PAGE_MODULES = (
    "gateway/src/marelle_gateway/portal/",
    "gateway/src/marelle_gateway/backoffice/",
    "gateway/src/marelle_gateway/web/",
)

# MW001: record modules, and the workflow packages they must not import.
RECORD_MODULES = (
    "family-service/src/marelle_family/households/",
    "family-service/src/marelle_family/guardians/",
    "family-service/src/marelle_family/adults/",
    "family-service/src/marelle_family/children/",
)
WORKFLOW_PACKAGES = ("marelle_family.editing", "marelle_family.imports", "marelle_family.privacy")

# MS001: the services (the gateway's pages answer 422 to a form they re-display with its
# errors: that is payload validation of the form).
SERVICE_ROOTS = (
    "services/kit/src",
    "auth-service/src",
    "family-service/src",
    "booking-service/src",
    "billing-service/src",
    "mailing-service/src",
)
VALIDATION_HANDLER = "services/kit/src/marelle_kit/errors.py"


@dataclass(frozen=True, order=True)
class Violation:
    path: str
    line: int
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.code} {self.message}"


def _under(path: str, prefixes: Iterable[str]) -> bool:
    return any(path == p or path.startswith(p) for p in prefixes)


def is_repository(path: str) -> bool:
    posix = PurePosixPath(path)
    return (
        posix.name == "repository.py"
        or posix.name.endswith("_repository.py")
        or "repositories" in posix.parts
    )


class _Checker(ast.NodeVisitor):
    def __init__(self, path: str) -> None:
        self.path = path
        self.violations: list[Violation] = []
        self.check_queries = not is_repository(path) and not _under(path, QUERY_ALLOWED)
        self.check_roles = path != ROLES_MODULE
        self.check_pages = _under(path, PAGE_MODULES)
        self.check_status = _under(path, SERVICE_ROOTS) and path != VALIDATION_HANDLER
        self.check_workflows = _under(path, RECORD_MODULES)
        self.query_names: set[str] = set()  # from sqlalchemy import select [as ...]
        self.query_modules: set[str] = set()  # import sqlalchemy as sa

    def report(self, node: ast.AST, code: str, message: str) -> None:
        self.violations.append(Violation(self.path, getattr(node, "lineno", 0), code, message))

    def _workflow_import(self, node: ast.AST, *modules: str) -> None:
        """One report per import statement naming a workflow package (or a module of it)."""
        if not self.check_workflows:
            return
        for module in modules:
            if any(module == p or module.startswith(p + ".") for p in WORKFLOW_PACKAGES):
                self.report(node, "MW001", f"a record module imports the workflow {module}")
                return

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name.split(".")[0] in QUERY_MODULES:
                self.query_modules.add(alias.asname or alias.name.split(".")[0])
        self._workflow_import(node, *(alias.name for alias in node.names))
        self.generic_visit(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.module:  # also "from marelle_family import editing"
            names = (f"{node.module}.{alias.name}" for alias in node.names)
            self._workflow_import(node, node.module, *names)
        if node.module and node.module.split(".")[0] in QUERY_MODULES:
            for alias in node.names:
                if alias.name in QUERY_BUILDERS:
                    self.query_names.add(alias.asname or alias.name)
        self.generic_visit(node)

    def _builder(self, func: ast.expr) -> str | None:
        if isinstance(func, ast.Name) and func.id in self.query_names:
            return func.id
        if (
            isinstance(func, ast.Attribute)
            and func.attr in QUERY_BUILDERS
            and isinstance(func.value, ast.Name)
            and func.value.id in self.query_modules
        ):
            return func.attr
        return None

    def visit_Call(self, node: ast.Call) -> None:
        if self.check_queries and (builder := self._builder(node.func)) is not None:
            self.report(node, "MQ001", f"{builder}() outside a repository: move the query there")
        if self.check_status:
            for keyword in node.keywords:
                if keyword.arg == "status_code" and _is_422(keyword.value):
                    self.report(node, "MS001", "status_code=422: refuse with 409, 403 or 404")
            name = node.func.id if isinstance(node.func, ast.Name) else None
            name = node.func.attr if isinstance(node.func, ast.Attribute) else name
            known = name in ("problem_response", "HTTPException")
            if known and node.args and _is_422(node.args[0]):
                self.report(node, "MS001", f"{name}(422, ...): refuse with 409, 403 or 404")
        self.generic_visit(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        if self.check_status:
            for statement in node.body:
                targets: list[ast.expr] = []
                value: ast.expr | None = None
                if isinstance(statement, ast.Assign):
                    targets, value = statement.targets, statement.value
                elif isinstance(statement, ast.AnnAssign):
                    targets, value = [statement.target], statement.value
                named_status = any(isinstance(t, ast.Name) and t.id == "status" for t in targets)
                if named_status and value is not None and _is_422(value):
                    self.report(
                        statement,
                        "MS001",
                        f"{node.name} answers 422: a service rule is a 409, 403 or 404",
                    )
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if self.check_roles and isinstance(node.value, str) and node.value in ROLE_NAMES:
            self.report(node, "MR001", f'role "{node.value}" as a string: use marelle_kit.roles')

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if (
            self.check_pages
            and node.attr == "state"
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "app"
            and isinstance(node.value.value, ast.Name)
            and node.value.value.id == "request"
        ):
            self.report(node, "MP001", "request.app.state in a page module: use a dependency")
        self.generic_visit(node)


def _is_422(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value == 422 and type(node.value) is int


def check_source(path: str, source: str) -> list[Violation]:
    """The violations of one module (``path`` relative to the repository root, with /)."""
    checker = _Checker(path)
    checker.visit(ast.parse(source, filename=path))
    return sorted(checker.violations)


def source_files(root: Path, roots: Sequence[str] = SOURCE_ROOTS) -> Iterator[Path]:
    for name in roots:
        for path in sorted((root / name).rglob("*.py")):
            if not any(part in SKIPPED_PARTS for part in path.relative_to(root).parts):
                yield path


def check_tree(root: Path, roots: Sequence[str] = SOURCE_ROOTS) -> list[Violation]:
    violations: list[Violation] = []
    for path in source_files(root, roots):
        relative = path.relative_to(root).as_posix()
        violations += check_source(relative, path.read_text(encoding="utf-8"))
    return violations


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    root = Path(args[0]) if args else Path.cwd()
    violations = check_tree(root)
    for violation in violations:
        print(violation)
    if violations:
        print(f"{len(violations)} convention violation(s): see marelle_testkit/lint.py")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
