"""The project on Apache Spark publishes the same marts as on DuckDB (issue 17).

`ai-ops demo --target spark` builds the session's data set (same seed and size as
conftest.duckdb_project) on a local Spark in its own process: the loader writes the raw tables as
Parquet tables, then `dbt seed` and `dbt build` run on the profile's `spark` target (dbt-spark's
session method). Each Spark table is a folder of Parquet files under the warehouse directory;
this process reads them with DuckDB's Parquet reader, an independent reader, and compares them
row by row with the session's DuckDB build: the raw tables (the loader), the three contracted
marts and every other published mart (floats within 1e-9 relative).

Group `spark` (and `slow`): `make test` runs it with the rest, `make test-spark` alone. It needs
the `spark` extra (`make install-spark`) and Java 17; without them it fails, never skips.
The Spark build runs the models only (`--skip-tests`, i.e. `dbt run`): a local Spark spends
seconds on each of the ~900 data and unit tests, which the DuckDB and Postgres builds already run
on the same SQL, and equal marts are what this file proves.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from ai_ops_tools.raw_schema import RAW_TABLES
from conftest import PROJECT_DIR, TEST_CONVERSATIONS, TEST_SEED, DbtProject
from helpers_rel import WRITE_TIME_COLUMNS
from test_incremental import (
    CONTRACTED_MARTS,
    Relation,
    _normalize,
    _sort_key,
    assert_same_relation,
)

pytestmark = [pytest.mark.spark, pytest.mark.slow]

SESSION_SCHEMA = "pytest"
RAW_SCHEMA = "raw"
# A slow build on a loaded 2-core machine still ends well inside this.
BUILD_TIMEOUT_S = 3600
# The Parquet types the loader must write for each contract type (CONTRACT.md section 1), as DuckDB
# reads them: Spark timestamps are instants in UTC (isAdjustedToUTC), hence "with time zone".
PARQUET_TYPES = {
    "text": "VARCHAR",
    "timestamp": "TIMESTAMP WITH TIME ZONE",
    "date": "DATE",
    "boolean": "BOOLEAN",
    "integer": "INTEGER",
    "bigint": "BIGINT",
    "double precision": "DOUBLE",
}


def _java_and_pyspark() -> None:
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.fail("Spark needs Java 17+: install a JDK (apt-get install openjdk-17-jre-headless)", pytrace=False)
    try:
        import pyspark  # noqa: F401
    except ImportError:
        pytest.fail("pyspark is missing: run `make install-spark` (the `spark` extra)", pytrace=False)


class SparkBuild:
    """The demo's run on Spark: its warehouse directory, output and duration."""

    def __init__(self, warehouse: Path, stdout: str, seconds: float) -> None:
        self.warehouse = warehouse
        self.stdout = stdout
        self.seconds = seconds

    def folder(self, schema: str, table: str) -> Path:
        return self.warehouse / f"{schema}.db" / table

    def tables(self, schema: str) -> list[str]:
        folder = self.warehouse / f"{schema}.db"
        return sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


# A warehouse already built by `AI_OPS_SCHEMA=pytest ai-ops demo --target spark --conversations 400 --seed 42
# --skip-tests --spark-warehouse DIR > DIR/demo.out` (the same command as below): set to DIR to compare it without
# building again, while working on a model. Never set in CI.
REUSE_ENV = "AI_OPS_SPARK_TEST_WAREHOUSE"


@pytest.fixture(scope="module")
def spark_build(tmp_path_factory: pytest.TempPathFactory) -> SparkBuild:
    """The session's data set built by `ai-ops demo --target spark` in its own process."""
    reuse = os.environ.get(REUSE_ENV)
    if reuse:
        return SparkBuild(Path(reuse), (Path(reuse) / "demo.out").read_text(encoding="utf-8"), 0.0)
    _java_and_pyspark()
    workdir = tmp_path_factory.mktemp("spark_project")
    profiles = workdir / "profiles"
    profiles.mkdir()
    shutil.copy(PROJECT_DIR / "profiles.yml.example", profiles / "profiles.yml")
    warehouse = workdir / "warehouse"
    env = {**os.environ, "AI_OPS_SCHEMA": SESSION_SCHEMA, "AI_OPS_PROJECT_DIR": str(PROJECT_DIR),
           "DBT_PROFILES_DIR": str(profiles), "DBT_TARGET_PATH": str(workdir / "target"),
           "DBT_LOG_PATH": str(workdir / "logs"), "AI_OPS_THREADS": "4"}
    args = [sys.executable, "-m", "ai_ops_tools.cli", "demo", "--target", "spark", "--conversations",
            str(TEST_CONVERSATIONS), "--seed", str(TEST_SEED), "--spark-warehouse", str(warehouse),
            "--truths", str(workdir / "truths.json"), "--quiet", "--skip-tests"]
    started = time.perf_counter()
    proc = subprocess.run(args, capture_output=True, text=True, env=env, cwd=workdir, timeout=BUILD_TIMEOUT_S)
    seconds = time.perf_counter() - started
    assert proc.returncode == 0, (f"ai-ops demo --target spark failed after {seconds:.0f} s:\n"
                                  f"{proc.stdout[-6000:]}\n{_errors(proc.stderr)}")
    print(f"\nai-ops demo --target spark: {seconds:.0f} s")
    return SparkBuild(warehouse, proc.stdout, seconds)


def _errors(stderr: str) -> str:
    """stderr without Spark's progress bars and WARN lines."""
    lines = [line for line in stderr.replace("\r", "\n").splitlines()
             if line.strip() and "[Stage " not in line and " WARN " not in line]
    return "\n".join(lines[-80:])


def read_parquet_folder(folder: Path) -> Relation:
    """A Spark table's Parquet folder read by DuckDB: columns and rows sorted as test_incremental sorts them.

    Timestamps come back as UTC wall-clock time without zone, as the contract states them.
    """
    files = sorted(folder.rglob("*.parquet"))
    con = duckdb.connect(":memory:")
    try:
        con.execute("set TimeZone = 'UTC'")
        pattern = str(folder / "**" / "*.parquet") if files else None
        if pattern is None:
            raise AssertionError(f"{folder}: no Parquet files")
        described = con.execute("describe select * from read_parquet(?, hive_partitioning = true)",
                                [pattern]).fetchall()
        selected = [
            (f'cast("{name}" as timestamp) as "{name}"' if dtype == "TIMESTAMP WITH TIME ZONE" else f'"{name}"', name)
            for name, dtype, *_ in described if name not in WRITE_TIME_COLUMNS
        ]
        rel = con.execute(f"select {', '.join(s for s, _ in selected)} from read_parquet(?, hive_partitioning = true)",
                          [pattern])
        rows = [tuple(_normalize(v) for v in row) for row in rel.fetchall()]
        return [name for _, name in selected], sorted(rows, key=_sort_key)
    finally:
        con.close()


def read_duckdb(project: DbtProject, schema: str, name: str, columns: list[str]) -> Relation:
    quoted = ", ".join(f'"{c}"' for c in columns)
    rows = project.query(f'select {quoted} from "{schema}"."{name}"')
    return columns, sorted((tuple(_normalize(v) for v in row) for row in rows), key=_sort_key)


def same_columns(name: str, spark: Relation, duck_columns: list[str]) -> Relation:
    """The Spark relation with its columns in DuckDB's order, after checking both have the same names."""
    scols, srows = spark
    assert sorted(scols) == sorted(duck_columns), f"{name}: columns differ: spark {scols} != duckdb {duck_columns}"
    order = [scols.index(c) for c in duck_columns]
    return duck_columns, sorted((tuple(row[i] for i in order) for row in srows), key=_sort_key)


def duckdb_columns(project: DbtProject, schema: str, name: str) -> list[str]:
    rows = project.query("select column_name from information_schema.columns where table_schema = ? and "
                         "table_name = ? order by ordinal_position", [schema, name])
    return [r[0] for r in rows if r[0] not in WRITE_TIME_COLUMNS]


def published_marts(project: DbtProject) -> list[str]:
    marts_schema = f"{project.schema}_marts"
    return sorted(name for schema, name in project.relations() if schema == marts_schema)


# --- the loader --------------------------------------------------------------------------------------


def test_every_raw_table_is_a_parquet_table_with_the_contract_types(spark_build: SparkBuild) -> None:
    assert spark_build.tables(RAW_SCHEMA) == sorted(RAW_TABLES)
    con = duckdb.connect(":memory:")
    try:
        for table, columns in RAW_TABLES.items():
            pattern = str(spark_build.folder(RAW_SCHEMA, table) / "*.parquet")
            described = con.execute("describe select * from read_parquet(?)", [pattern]).fetchall()
            assert [(r[0], r[1]) for r in described] == [(c, PARQUET_TYPES[t]) for c, t in columns], table
    finally:
        con.close()


def test_raw_tables_hold_the_generated_rows(spark_build: SparkBuild, duckdb_project: DbtProject) -> None:
    # the DuckDB loader of the same data set is the reference (both come from one seed and size)
    for table in RAW_TABLES:
        columns = duckdb_columns(duckdb_project, RAW_SCHEMA, table)
        spark = same_columns(table, read_parquet_folder(spark_build.folder(RAW_SCHEMA, table)), columns)
        assert_same_relation(f"raw.{table}", read_duckdb(duckdb_project, RAW_SCHEMA, table, columns), spark,
                             "DuckDB loader vs Spark loader")


# --- the build -----------------------------------------------------------------------------------------


def test_demo_prints_the_parquet_folder_of_every_published_mart(spark_build: SparkBuild,
                                                                 duckdb_project: DbtProject) -> None:
    printed = dict(re.findall(r"^  (\w+): (/\S+)/$", spark_build.stdout, flags=re.MULTILINE))
    marts = published_marts(duckdb_project)
    assert set(CONTRACTED_MARTS) <= set(marts), marts
    assert sorted(printed) == marts, spark_build.stdout[-3000:]
    for name, folder in printed.items():
        assert Path(folder) == spark_build.folder(f"{SESSION_SCHEMA}_marts", name)
        assert any(Path(folder).rglob("*.parquet")), f"{name}: no Parquet file in {folder}"


@pytest.mark.parametrize("mart", CONTRACTED_MARTS)
def test_contracted_mart_equals_duckdb(mart: str, spark_build: SparkBuild, duckdb_project: DbtProject) -> None:
    duckdb_project.assert_build_ok()
    _assert_mart_equal(mart, spark_build, duckdb_project)
    assert len(read_parquet_folder(spark_build.folder(f"{SESSION_SCHEMA}_marts", mart))[1]) > 0, mart


def test_every_other_published_mart_equals_duckdb(spark_build: SparkBuild, duckdb_project: DbtProject) -> None:
    duckdb_project.assert_build_ok()
    others = [m for m in published_marts(duckdb_project) if m not in CONTRACTED_MARTS]
    assert len(others) >= 5, others
    rows: dict[str, int] = {}
    for mart in others:
        rows[mart] = _assert_mart_equal(mart, spark_build, duckdb_project)
    assert sum(rows.values()) > 0, rows


def _assert_mart_equal(mart: str, spark_build: SparkBuild, duckdb_project: DbtProject) -> int:
    schema = f"{SESSION_SCHEMA}_marts"
    folder = spark_build.folder(schema, mart)
    assert folder.is_dir(), f"{mart}: Spark wrote no folder {folder} (a view, or not built)"
    columns = duckdb_columns(duckdb_project, schema, mart)
    spark = same_columns(mart, read_parquet_folder(folder), columns)
    duck = read_duckdb(duckdb_project, schema, mart, columns)
    assert_same_relation(mart, duck, spark, "DuckDB vs Spark")
    return len(duck[1])

