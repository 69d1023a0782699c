"""pytest harness: small demo data, one dbt build per target per session.

``duckdb_project`` and ``postgres_project`` each generate the same small data
set (fixed seed), load it into their own raw schema, run ``dbt seed`` and
``dbt build`` once into their own DuckDB file / Postgres schema, and hand tests
a ``DbtProject``. dbtRunner is not re-entrant, so every dbt call goes through
``DbtProject.dbt`` one at a time. A failed build does not abort the session:
tests that need the marts call ``project.assert_build_ok()``, which lists the
failing node ids.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from ai_ops_tools import loader
from ai_ops_tools.dbt_run import DbtOutcome, project_dir, run_dbt
from ai_ops_tools.generator import GenConfig, GeneratedData, generate, write_truths

PROJECT_DIR = project_dir()
TEST_SEED = 42
TEST_CONVERSATIONS = 400
# Every other build leaves the unit tests out: they read their fixtures and the column types of the
# raw tables (the same loader DDL everywhere) and never the data, so the session builds below run
# each of them once per target; repeated in a build of other data they would give the same result
# and cost about half of that build's time (dbt.log of a build of the test data: 108 unit tests took
# 236 s of thread time, the 1,018 other nodes 216 s).
NO_UNIT_TESTS = ["--exclude-resource-type", "unit_test"]
BUILD_NO_UNIT_TESTS = ["build", *NO_UNIT_TESTS]
# Seeds, snapshots and models without their data tests: for a build whose relations a test compares
# row for row with a build that ran them on the same raw data (a data test could give another result
# only on relations that differ).
MODELS_ONLY = [*BUILD_NO_UNIT_TESTS, "--exclude-resource-type", "test"]


# `make test` hands whole files to two pytest-xdist workers in collection order (--dist loadfile
# --no-loadscope-reorder), so these, the slowest files (several minutes each: Spark sessions, their own
# warehouses built from empty), go first and the short files fill in at the end, when a late long file
# would keep one worker busy alone. The other files keep pytest's order; tests within a file keep theirs.
SLOW_FILES_FIRST = (
    "test_bench_spark.py",
    "test_spark.py",
    "test_user_paths.py",
    "test_incremental_loads.py",
    "test_incremental.py",
    "test_sql_lint.py",
    "test_bench.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: position for position, name in enumerate(SLOW_FILES_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: same order otherwise


def _json_roundtrip(truths: dict[str, Any]) -> dict[str, Any]:
    # Tests see the truths exactly as a reader of the truths file would.
    from ai_ops_tools.generator import _json_default

    roundtrip: dict[str, Any] = json.loads(json.dumps(truths, default=_json_default))
    return roundtrip


@pytest.fixture(scope="session")
def test_config() -> GenConfig:
    return GenConfig(seed=TEST_SEED, conversations=TEST_CONVERSATIONS, progress=False)


@pytest.fixture(scope="session")
def generated(test_config: GenConfig) -> GeneratedData:
    """The small data set every session fixture loads (generated once)."""
    return generate(test_config)


@pytest.fixture(scope="session")
def truths(generated: GeneratedData) -> dict[str, Any]:
    return _json_roundtrip(generated.truths)


@dataclass
class DbtProject:
    """One built copy of the project on one target."""

    target: str
    schema: str
    raw_schema: str
    truths: dict[str, Any]
    workdir: Path
    env: dict[str, str]
    duckdb_path: Path | None = None
    pg: loader.PostgresSettings | None = None
    outcomes: list[DbtOutcome] = field(default_factory=list)

    # -- dbt ---------------------------------------------------------------------------------
    @property
    def vars_json(self) -> str:
        return json.dumps({"raw_schema": self.raw_schema, "ai_launch_date": self.truths["config"]["launch_date"]})

    def dbt(self, args: list[str]) -> DbtOutcome:
        """Run one dbt command against this project's target, file/schema and target dir."""
        full = list(args)
        if "--target" not in full and "-t" not in full:
            full += ["--target", self.target]
        if "--vars" not in full:
            full += ["--vars", self.vars_json]
        full += ["--target-path", str(self.workdir / "target"), "--log-path", str(self.workdir / "logs")]
        outcome = run_dbt(full, project=PROJECT_DIR, profiles=self.workdir / "profiles", env=self.env)
        self.outcomes.append(outcome)
        return outcome

    @property
    def build(self) -> DbtOutcome | None:
        """The session's `dbt build` outcome."""
        builds = [o for o in self.outcomes if o.args and o.args[0] == "build"]
        return builds[0] if builds else None

    @property
    def failed_nodes(self) -> list[str]:
        return [node for o in self.outcomes for node in o.failed_nodes]

    def assert_build_ok(self) -> None:
        """Fail with the list of failing node ids unless seed and build both succeeded."""
        bad = [o for o in self.outcomes if not o.success]
        if bad:
            pytest.fail("\n".join(o.summary() for o in bad), pytrace=False)

    # -- warehouse ---------------------------------------------------------------------------
    def query(self, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
        if self.target == "duckdb":
            import duckdb

            con = duckdb.connect(str(self.duckdb_path))
            try:
                return con.execute(sql, params or []).fetchall()
            finally:
                con.close()
        assert self.pg is not None
        conn = self.pg.connect()
        try:
            with conn, conn.cursor() as cur:
                cur.execute(sql, params)
                return cur.fetchall() if cur.description else []
        finally:
            conn.close()

    def schemas(self) -> list[str]:
        """The target schema, its dbt custom schemas (<schema>_*) and the raw schema."""
        rows = self.query("select distinct table_schema from information_schema.tables")
        names = [r[0] for r in rows]
        return sorted(n for n in names if n == self.schema or n.startswith(self.schema + "_") or n == self.raw_schema)

    @property
    def placeholder(self) -> str:
        """The query parameter marker of this target's driver (psycopg2 or duckdb)."""
        return "%s" if self.target == "postgres" else "?"

    def relation(self, name: str) -> str:
        """Fully qualified, quoted name of a model/seed relation built by this project."""
        rows = self.query(f"select table_schema from information_schema.tables where table_name = {self.placeholder}",
                          [name])
        schemas = [r[0] for r in rows if r[0] == self.schema or r[0].startswith(self.schema + "_")]
        if not schemas:
            raise LookupError(f"no relation {name!r} in schema {self.schema} or its custom schemas: "
                              f"did dbt build it? failed nodes: {self.failed_nodes}")
        return f'"{schemas[0]}"."{name}"'

    def raw(self, table: str) -> str:
        return f'"{self.raw_schema}"."{table}"'

    def relations(self) -> list[tuple[str, str]]:
        """(schema, name) of every relation dbt built for this project (raw excluded)."""
        rows = self.query("select table_schema, table_name from information_schema.tables")
        return sorted((s, t) for s, t in rows if s == self.schema or s.startswith(self.schema + "_"))


def _profiles_dir(workdir: Path) -> Path:
    target = workdir / "profiles"
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(PROJECT_DIR / "profiles.yml.example", target / "profiles.yml")
    return target


def _build(project: DbtProject) -> DbtProject:
    # build runs even after a failed seed: its own seeding and the node list say more
    project.dbt(["seed"])
    project.dbt(["build"])
    return project


@pytest.fixture(scope="session")
def duckdb_project(tmp_path_factory: pytest.TempPathFactory, generated: GeneratedData,
                   truths: dict[str, Any]) -> DbtProject:
    workdir = tmp_path_factory.mktemp("duckdb_project")
    _profiles_dir(workdir)
    path = workdir / "ai_ops.duckdb"
    write_truths(generated.truths, workdir / "truths.json")
    loader.load_duckdb(generated.tables, path, "raw", progress=False)
    project = DbtProject(
        target="duckdb", schema="pytest", raw_schema="raw", truths=truths, workdir=workdir,
        env={"AI_OPS_TARGET": "duckdb", "AI_OPS_DUCKDB_PATH": str(path), "AI_OPS_SCHEMA": "pytest"},
        duckdb_path=path,
    )
    return _build(project)


def postgres_settings_or_skip() -> loader.PostgresSettings:
    """Settings for a reachable server; under CI=true an unreachable server fails, never skips."""
    settings = loader.PostgresSettings.from_env()
    try:
        settings.connect(connect_timeout=3).close()
    except ConnectionError as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but Postgres is unreachable: {exc}", pytrace=False)
        pytest.skip(f"Postgres not reachable (set CI=true to make this a failure): {exc}")
    return settings


def spark_or_fail() -> None:
    """pyspark and Java present, else a failure saying what to install (the Spark tests never skip)."""
    from ai_ops_tools.spark_loader import SparkUnavailable, require_spark

    try:
        require_spark()
    except SparkUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def pg_settings() -> loader.PostgresSettings:
    """A reachable Postgres (skips locally, fails under CI=true when unreachable)."""
    return postgres_settings_or_skip()


@pytest.fixture
def pg_schemas() -> Iterator[tuple[loader.PostgresSettings, str]]:
    """A reachable Postgres and a unique schema prefix, whose schemas are dropped afterwards."""
    settings = postgres_settings_or_skip()
    prefix = f"inc_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    try:
        yield settings, prefix
    finally:
        loader.drop_postgres_schemas(prefix, settings)


@pytest.fixture(scope="session")
def postgres_project(tmp_path_factory: pytest.TempPathFactory, generated: GeneratedData,
                     truths: dict[str, Any], pg_settings: loader.PostgresSettings) -> Iterator[DbtProject]:
    settings = pg_settings
    workdir = tmp_path_factory.mktemp("postgres_project")
    _profiles_dir(workdir)
    schema = f"pytest_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    raw_schema = f"{schema}_raw"
    loader.load_postgres(generated.tables, raw_schema, settings, progress=False)
    project = DbtProject(
        target="postgres", schema=schema, raw_schema=raw_schema, truths=truths, workdir=workdir,
        env={"AI_OPS_TARGET": "postgres", "AI_OPS_SCHEMA": schema}, pg=settings,
    )
    try:
        yield _build(project)
    finally:
        loader.drop_postgres_schemas(schema, settings)
