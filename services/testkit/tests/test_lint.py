"""The project lint: each rule on small modules, the allowed places, and the real tree."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from marelle_testkit.lint import check_source, is_repository, main

SERVICE = "family-service/src/marelle_family/things/service.py"
REPOSITORY = "family-service/src/marelle_family/things/repository.py"
PAGE = "gateway/src/marelle_gateway/portal/home.py"


def codes(path: str, source: str) -> list[tuple[str, int]]:
    return [(v.code, v.line) for v in check_source(path, dedent(source))]


@pytest.mark.parametrize(
    "source",
    [
        "from sqlmodel import select\nq = select(Thing)\n",
        "import sqlalchemy as sa\nq = sa.select(Thing)\n",
        "import sqlalchemy\nq = sqlalchemy.update(Thing)\n",
        "from sqlalchemy import delete as remove\nq = remove(Thing)\n",
        "from sqlalchemy import exists\nq = exists().where(x)\n",
    ],
)
def test_queries_outside_a_repository_are_refused(source: str) -> None:
    assert [code for code, _ in codes(SERVICE, source)] == ["MQ001"]
    assert codes(REPOSITORY, source) == []


def test_only_sqlalchemy_query_builders_count() -> None:
    source = """
        import selectors
        from jinja2 import select_autoescape
        def select(x): return x
        select(1)
        soup.select("a")
        store.delete(key)
        session.delete(row)
        select_autoescape(["html"])
    """
    assert codes(SERVICE, source) == []


def test_repository_modules_are_recognised() -> None:
    assert is_repository("a/b/repository.py")
    assert is_repository("a/b/blob_repository.py")
    assert is_repository("a/repositories/things.py")
    assert not is_repository("a/b/service.py")
    assert not is_repository("a/b/repository_helpers.py")


def test_role_literals_are_refused_outside_the_role_module() -> None:
    source = """
        ROLES = {"manager", "admin"}
        require_roles("agent")
        path = "/admin"
        template = "admin_import.html"
        label = "Administrateur"
    """
    assert codes(SERVICE, source) == [("MR001", 2), ("MR001", 2), ("MR001", 3)]
    assert codes("services/kit/src/marelle_kit/roles.py", 'ADMIN = "admin"\n') == []


@pytest.mark.parametrize(
    "page",
    [
        PAGE,
        "gateway/src/marelle_gateway/backoffice/households.py",
        "gateway/src/marelle_gateway/web/rendering.py",
    ],
)
def test_request_app_state_is_refused_in_page_modules_only(page: str) -> None:
    source = """
        async def page(request):
            return request.app.state.settings
        def other(app):
            return app.state
    """
    assert codes(page, source) == [("MP001", 3)]
    assert codes("gateway/src/marelle_gateway/app.py", source) == []
    assert codes("gateway/src/marelle_gateway/state.py", source) == []


def test_a_service_does_not_answer_422_by_itself() -> None:
    source = """
        class Refused(Problem):
            status = 422
        class Full(Problem):
            status: int = 409
        def a():
            raise HTTPException(422, "no")
        def b():
            return JSONResponse({}, status_code=422)
        def c():
            return problem_response(422, "x", "y", "z")
        ok = Query(ge=1, le=422)
    """
    found = codes(SERVICE, source)
    assert found == [("MS001", 3), ("MS001", 7), ("MS001", 9), ("MS001", 11)]
    # The kit's payload-validation handler, and the gateway's form pages, may.
    assert codes("services/kit/src/marelle_kit/errors.py", source) == []
    assert codes("gateway/src/marelle_gateway/pages.py", source) == []


def test_record_modules_do_not_import_workflows() -> None:
    record = "family-service/src/marelle_family/children/service.py"
    source = """
        from marelle_family.editing.service import RecordEditor
        from marelle_family import imports
        import marelle_family.privacy.export
        from marelle_family.field_groups import split_by_group
        from marelle_family.households.service import household_for
    """
    assert codes(record, source) == [("MW001", 2), ("MW001", 3), ("MW001", 4)]
    workflow = "family-service/src/marelle_family/editing/service.py"
    assert codes(workflow, source) == []


def test_the_command_reports_and_fails_on_a_tree_with_violations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    module = tmp_path / "billing-service/src/marelle_billing/things/service.py"
    module.parent.mkdir(parents=True)
    module.write_text('from sqlmodel import select\nq = select(1)\nROLE = "regie"\n')
    migration = tmp_path / "billing-service/src/marelle_billing/migrations/versions/x.py"
    migration.parent.mkdir(parents=True)
    migration.write_text("import sqlalchemy as sa\nsa.select(1)\n")
    assert main([str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "billing-service/src/marelle_billing/things/service.py:2: MQ001" in out
    assert "service.py:3: MR001" in out
    assert "migrations" not in out
    module.write_text("x = 1\n")
    assert main([str(tmp_path)]) == 0
