"""The `normal_cdf` macro against Python's math.erfc, on DuckDB and on PostgreSQL.

The macro is compiled by dbt for each target (`dbt compile --inline`), then the
compiled SQL runs on a grid of z from -40 to 40 (step 0.01, plus the branch
boundaries of Cody's approximation) through the warehouse's own driver, so the
doubles come back unrounded. Reference: Phi(z) = erfc(-z / sqrt(2)) / 2.

Tolerances: every point within 1e-12 absolute; every point whose reference is a
normal double (>= 2.2250738585072014e-308, i.e. z > -37.5193) within 1e-9
relative (below that the reference is subnormal: no double holds 9 significant
digits there; the macro goes on with gradual underflow and returns 0 from
|z| >= 38.4, where the reference is < 7e-323).
The two warehouses must also agree with each other to 1e-12 relative.

PostgreSQL at 127.0.0.1:5432 (AI_OPS_PG_* variables): skipped when unreachable,
except under CI=true, where an unreachable server FAILS the test.
"""

from __future__ import annotations

import math
import os
import sys
from pathlib import Path
from typing import Any

import pytest

PROJECT = Path(__file__).resolve().parents[1]
DBL_MIN = 2.2250738585072014e-308
ABS_TOL = 1e-12
REL_TOL = 1e-9
GRID_PLACEHOLDER = "__normal_cdf_grid__"

# Branch boundaries of the approximation and a few classic points.
SPECIAL_POINTS = [
    0.0, 1e-300, -1e-300, 1e-17, -1e-17, 1.1102230246251565e-16, 2e-16, -2e-16, 1e-8,
    0.67448975, -0.67448975, 0.6744897501, -0.6744897501,
    5.656854249492380, -5.656854249492380, 5.6568542495, -5.6568542495,
    1.959964, -1.959964, 1.6448536269514722, -2.5758293035489004,
    8.2924, -8.2924, 37.5192, -37.5192, 37.5193, -37.5193, 37.52, -37.52, 38.39, -38.39,
    38.3999999, -38.3999999, 38.4, -38.4, 38.5, -38.5,
]


def grid() -> list[float]:
    points = {round(-40 + i / 100, 2) for i in range(8001)}
    points.update(SPECIAL_POINTS)
    return sorted(points)


def reference(z: float) -> float:
    return 0.5 * math.erfc(-z / math.sqrt(2.0))


def dbt_env(tmp_path: Path, target: str, schema: str) -> dict[str, str]:
    return {
        "AI_OPS_TARGET": target,
        "AI_OPS_SCHEMA": schema,
        "AI_OPS_DUCKDB_PATH": str(tmp_path / f"{target}.duckdb"),
        "DBT_TARGET_PATH": str(tmp_path / f"target_{target}"),
        "DBT_LOG_PATH": str(tmp_path / f"logs_{target}"),
    }


MACRO_FILES = ("normal_cdf.sql", "types.sql")


def macro_project(tmp_path: Path) -> Path:
    """A dbt project named ai_ops holding macros/normal_cdf.sql and the type macros it calls
    (macros/types.sql), as they are in the repo.

    Compiling the macro alone keeps this test independent of the state of every model.
    """
    project = tmp_path / "project"
    (project / "macros").mkdir(parents=True)
    (project / "dbt_project.yml").write_text(
        'name: ai_ops\nversion: "0.1.0"\nconfig-version: 2\nprofile: ai_ops\nmacro-paths: ["macros"]\n'
    )
    for name in MACRO_FILES:
        (project / "macros" / name).write_text((PROJECT / "macros" / name).read_text())
    return project


def compile_macro_sql(tmp_path: Path, target: str) -> str:
    """The macro as the target's adapter renders it, in a select over a placeholder grid."""
    from dbt.cli.main import dbtRunner

    project = macro_project(tmp_path)
    env = dbt_env(tmp_path, target, schema="value_cdf_test")
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        inline = (
            "select g.z, {{ ai_ops.normal_cdf('g.z') }} as phi, "
            "2 * {{ ai_ops.normal_cdf('-abs(g.z)') }} as p_two_sided "
            f"from {GRID_PLACEHOLDER} as g (z)"
        )
        result = dbtRunner().invoke(
            ["compile", "--inline", inline, "--target", target, "--project-dir", str(project),
             "--profiles-dir", str(PROJECT), "--quiet"]
        )
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    assert result.success, f"dbt compile --inline failed on {target}: {result.exception}"
    run_result: Any = result.result  # a RunExecutionResult for `compile`
    compiled = str(run_result.results[0].node.compiled_code)
    assert GRID_PLACEHOLDER in compiled
    return compiled


def with_grid(compiled: str, points: list[float]) -> str:
    values = ", ".join(f"(cast('{z!r}' as double precision))" for z in points)
    return compiled.replace(GRID_PLACEHOLDER, f"(values {values})") + " order by 1"


def run_duckdb(sql: str) -> list[tuple[Any, ...]]:
    import duckdb

    with duckdb.connect(":memory:") as con:
        return con.execute(sql).fetchall()


def postgres_connection() -> Any:
    import psycopg2

    return psycopg2.connect(
        host=os.environ.get("AI_OPS_PG_HOST", "127.0.0.1"),
        port=int(os.environ.get("AI_OPS_PG_PORT", "5432")),
        user=os.environ.get("AI_OPS_PG_USER", "postgres"),
        password=os.environ.get("AI_OPS_PG_PASSWORD", ""),
        dbname=os.environ.get("AI_OPS_PG_DATABASE", "postgres"),
        connect_timeout=5,
    )


def require_postgres() -> None:
    try:
        postgres_connection().close()
    except Exception as exc:  # noqa: BLE001 - any connection problem means "unreachable"
        message = f"PostgreSQL unreachable ({exc}); start it or set AI_OPS_PG_HOST/PORT/USER"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)


def run_postgres(sql: str) -> list[tuple[Any, ...]]:
    con = postgres_connection()
    try:
        with con.cursor() as cur:
            cur.execute(sql)
            return list(cur.fetchall())
    finally:
        con.close()


def errors(rows: list[tuple[Any, ...]]) -> tuple[float, float, list[str]]:
    """Max absolute error, max relative error (normal-range references) and the failures."""
    max_abs = max_rel = 0.0
    failures: list[str] = []
    for z, phi, p_two_sided in rows:
        for label, got, want in (
            ("Phi", phi, reference(z)),
            ("p", p_two_sided, 2.0 * reference(-abs(z))),
        ):
            abs_err = abs(got - want)
            rel_err = abs_err / want if want >= DBL_MIN else 0.0
            max_abs, max_rel = max(max_abs, abs_err), max(max_rel, rel_err)
            if abs_err > ABS_TOL or rel_err > REL_TOL:
                failures.append(f"{label}(z={z!r}) = {got!r}, math.erfc gives {want!r}")
    return max_abs, max_rel, failures


def check_against_erfc(rows: list[tuple[Any, ...]], target: str) -> None:
    assert len(rows) == len(grid())
    max_abs, max_rel, failures = errors(rows)
    print(f"\n{target}: max abs error {max_abs:.3e}, max rel error {max_rel:.3e}", file=sys.stderr)
    assert not failures, f"{target}: {len(failures)} points out of tolerance:\n" + "\n".join(failures[:20])


@pytest.fixture(scope="module")
def duckdb_sql(tmp_path_factory: pytest.TempPathFactory) -> str:
    return compile_macro_sql(tmp_path_factory.mktemp("cdf_duckdb"), "duckdb")


@pytest.fixture(scope="module")
def duckdb_rows(duckdb_sql: str) -> list[tuple[Any, ...]]:
    return run_duckdb(with_grid(duckdb_sql, grid()))


@pytest.fixture(scope="module")
def postgres_rows(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Any, ...]]:
    require_postgres()
    sql = with_grid(compile_macro_sql(tmp_path_factory.mktemp("cdf_postgres"), "postgres"), grid())
    return run_postgres(sql)


def test_normal_cdf_duckdb_matches_erfc(duckdb_rows: list[tuple[Any, ...]]) -> None:
    check_against_erfc(duckdb_rows, "duckdb")


@pytest.mark.postgres
def test_normal_cdf_postgres_matches_erfc(postgres_rows: list[tuple[Any, ...]]) -> None:
    check_against_erfc(postgres_rows, "postgres")


@pytest.mark.postgres
def test_normal_cdf_warehouses_agree(
    duckdb_rows: list[tuple[Any, ...]], postgres_rows: list[tuple[Any, ...]]
) -> None:
    disagreements = [
        f"z={d[0]!r}: duckdb {d[1]!r} / {d[2]!r}, postgres {p[1]!r} / {p[2]!r}"
        for d, p in zip(duckdb_rows, postgres_rows, strict=True)
        if any(abs(a - b) > 1e-12 * max(abs(a), abs(b)) for a, b in ((d[1], p[1]), (d[2], p[2])))
    ]
    assert not disagreements, "\n".join(disagreements[:20])


def test_normal_cdf_null_and_extremes(duckdb_sql: str, duckdb_rows: list[tuple[Any, ...]]) -> None:
    """Exact values the macro promises: 0.5 at 0, 0 / 1 beyond the tails, null for null."""
    by_z = {z: phi for z, phi, _ in duckdb_rows}
    assert by_z[0.0] == 0.5
    assert by_z[-40.0] == 0.0 and by_z[40.0] == 1.0
    null_sql = duckdb_sql.replace(GRID_PLACEHOLDER, "(values (cast(null as double precision)))")
    assert run_duckdb(null_sql) == [(None, None, None)]
