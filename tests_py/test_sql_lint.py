"""SQLFluff gives one answer on a fresh and a built warehouse, and lints what the macros render.

The passes are ai_ops_tools.sql_lint's (its docstring says why each exists); `make lint` runs the
same module. The built pass lints against the session's DuckDB build (conftest.duckdb_project),
where every incremental model exists, so `is_incremental()` renders its other branch.
"""

from __future__ import annotations

import json
from pathlib import Path

from ai_ops_tools import sql_lint
from conftest import DbtProject
from helpers_rel import duckdb_copy

PROJECT = Path(__file__).resolve().parents[1]


def _report(violations: list[sql_lint.Violation]) -> str:
    return "\n".join(str(v) for v in violations)


def test_fresh_warehouse_lints_clean_with_macro_output(tmp_path: Path) -> None:
    violations = sql_lint.lint_fresh(PROJECT, tmp_path)
    assert not violations, f"sqlfluff on a fresh warehouse:\n{_report(violations)}"


def test_built_warehouse_lints_clean(duckdb_project: DbtProject, tmp_path: Path) -> None:
    duckdb_project.assert_build_ok()
    assert duckdb_project.duckdb_path is not None
    files = sql_lint.state_dependent_files(PROJECT)
    names = {p.name for p in files}
    # the incremental chain and the test that looks up relations: the files whose SQL changes
    assert {"int_ai_responses_priced.sql", "base_telemetry__ai_events.sql", "fct_ai_responses.sql",
            "assert_no_opted_out_user_in_marts.sql"} <= names, names
    built = duckdb_copy(duckdb_project, tmp_path / "built")
    violations = sql_lint.lint_built(PROJECT, tmp_path, built, duckdb_project.schema, files)
    assert not violations, f"sqlfluff on a built warehouse:\n{_report(violations)}"


def test_generic_tests_lint_clean_as_compiled(duckdb_project: DbtProject, tmp_path: Path) -> None:
    duckdb_project.assert_build_ok()
    # other tests (docs generate --no-compile) rewrite the session's manifest: compile the tests again
    compiled = duckdb_project.dbt(["compile", "--select", "test_type:generic"])
    assert compiled.success, compiled.summary()
    manifest = json.loads((duckdb_project.workdir / "target" / "manifest.json").read_text())
    instances = sql_lint.generic_test_instances(manifest, PROJECT)
    assert set(instances) == {p.stem for p in (PROJECT / "macros" / "generic_tests").glob("*.sql")}
    violations = sql_lint.lint_generic_tests(PROJECT, tmp_path, manifest)
    assert not violations, f"sqlfluff on the compiled generic tests:\n{_report(violations)}"


def test_every_macro_file_renders_in_a_linted_pass() -> None:
    coverage = sql_lint.macro_coverage(PROJECT)
    assert set(coverage) == {str(p.relative_to(PROJECT)) for p in (PROJECT / "macros").rglob("*.sql")}
    assert sql_lint.uncovered_macro_files(PROJECT) == []
    # the exceptions are real files and render nothing into a node
    for file in sql_lint.NOT_RENDERED:
        assert file in coverage and coverage[file] == [], file


def test_state_pass_finds_a_state_dependent_file_through_a_macro(tmp_path: Path) -> None:
    """A file that calls is_incremental() only inside a macro still counts as state-dependent."""
    (tmp_path / "macros").mkdir()
    (tmp_path / "models").mkdir()
    (tmp_path / "macros" / "m.sql").write_text(
        "{% macro only_new() %}{% if is_incremental() %}where x > 1{% endif %}{% endmacro %}\n"
        "{% macro plain() %}1{% endmacro %}\n")
    (tmp_path / "models" / "a.sql").write_text("select 1 from t {{ only_new() }}\n")
    (tmp_path / "models" / "b.sql").write_text("select {{ plain() }} as one\n")
    assert [p.name for p in sql_lint.state_dependent_files(tmp_path)] == ["a.sql"]


def test_only_dbts_own_rendering_is_dropped() -> None:
    source = (
        "select *\n"                                       # line 1
        "from {{ ref('x') }}\n"                            # line 2: ref() quotes names
        "where a = {{ dbt.type_string() }}\n"              # line 3: a dbt builtin
        "and b = {{ my_macro() }}\n"                       # line 4: our macro
        "and \"C\" = 1\n"                                  # line 5: literal
    )

    def v(line: int, pos: int, code: str) -> sql_lint.Violation:
        return sql_lint.Violation("m.sql", line, pos, code, "")

    assert sql_lint.is_dbt_rendering(source, v(2, 8, "RF06"))      # quoted name from ref()
    assert sql_lint.is_dbt_rendering(source, v(3, 12, "LT09"))     # anything dbt.* renders
    assert sql_lint.is_dbt_rendering(source, v(4, 10, "CP05"))     # type names inside our macro's tag
    assert not sql_lint.is_dbt_rendering(source, v(4, 10, "AL09"))  # our macro's own SQL
    assert not sql_lint.is_dbt_rendering(source, v(5, 5, "RF06"))   # literal SQL keeps every rule
    assert not sql_lint.is_dbt_rendering(source, v(1, 1, "LT09"))
