"""A new user's paths (issue 19, points 1 and 2), on DuckDB and on Postgres.

One journey per target, run once by the module fixture ``journey``:

1. On an EMPTY warehouse (a new DuckDB file / new Postgres schemas, no raw
   table anywhere): ``dbt debug``, ``parse``, ``compile``, ``docs generate``,
   ``seed`` and a ``build`` of one seed must succeed; a ``build`` selecting a
   model that reads a raw table must stop with the message naming it; with
   raw ``users`` alone created, a ``run`` of the users chain passes.
2. The README's "Point it at your own warehouse" steps, literally: the profile
   copied from profiles.yml.example, raw tables loaded into a schema with the
   user's own name (``acme_landing``), a target schema of their own
   (AI_OPS_SCHEMA), their launch date (the demo data is generated with it, so
   the data fits) and their join windows, passed the README's way
   (``--vars '{raw_schema: ..., ai_launch_date: "..."}'``); then ``dbt seed``,
   ``dbt build``, ``dbt source freshness`` and ``dbt docs generate``.

Then every unit test runs with a non-default value of every var the project
reads: a unit test whose fixture depends on a var must pin it.
"""

from __future__ import annotations

import csv
import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest
import yaml

from ai_ops_tools import loader
from ai_ops_tools.dbt_run import DbtOutcome, run_dbt
from ai_ops_tools.generator import GenConfig, generate
from ai_ops_tools.raw_schema import RAW_TABLES, create_table_sql
from conftest import PROJECT_DIR, TEST_SEED, DbtProject, _json_roundtrip, _profiles_dir
from helpers_rel import utc_hours_ago

pytestmark = pytest.mark.slow

# The user's own choices (all differ from dbt_project.yml's defaults).
LAUNCH_DATE = date(2026, 2, 16)
USER_VARS: dict[str, Any] = {
    "ai_launch_date": LAUNCH_DATE.isoformat(),
    "deflection_window_days": 5,
    "attribution_window_days": 21,
}
# Every var the project reads, none at its default (raw_schema is added per project).
NON_DEFAULT_VARS: dict[str, Any] = {
    **USER_VARS,
    "user_key_salt": "acme-secret-salt",
    "alert_spike_ratio": 3.0,
    "alert_drop_ratio": 0.5,
    "alert_baseline_weeks": 2,
    "alert_version_lookback_weeks": 6,
    "expected_treatment_share": 0.4,
}
SEED_ONLY_NODE = "model_pricing"
MODEL_READING_USERS = "stg_app__users"

TARGETS = ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]


def readme_vars(values: dict[str, Any]) -> str:
    """The README's inline YAML form: {raw_schema: my_raw, ai_launch_date: "2026-03-02"}."""
    return "{" + ", ".join(f"{k}: {json.dumps(v)}" for k, v in values.items()) + "}"


def restamp_loaded_at(tables: dict[str, pa.Table], newest: datetime) -> dict[str, pa.Table]:
    """As if the user's loader had just run: each table's newest loaded_at moves to ``newest``.

    Only loaded_at moves, and only forward (order within a table is kept, and a
    row is never loaded before it occurred), so the demo's history stays as
    generated while `dbt source freshness` sees fresh tables.
    """
    out: dict[str, pa.Table] = {}
    for name, table in tables.items():
        column = table.column("loaded_at")
        shift = max(newest - pc.max(column).as_py(), timedelta(0))
        moved = pc.add(column, pa.scalar(shift, pa.duration("us"))).cast(pa.timestamp("us"))
        out[name] = table.set_column(table.schema.get_field_index("loaded_at"), "loaded_at", moved)
    return out


def unit_tests_declared() -> set[str]:
    """Names of every unit test in the models' yml files (read here, not from dbt)."""
    names: set[str] = set()
    for path in (PROJECT_DIR / "models").rglob("*.yml"):
        doc = yaml.safe_load(path.read_text()) or {}
        names.update(test["name"] for test in doc.get("unit_tests") or [])
    return names


def message_of(outcome: DbtOutcome) -> str:
    """What dbt said about a failed command: the exception (a failed hook raises one) and the failed nodes."""
    return "\n".join([str(outcome.exception or ""), *outcome.failed_nodes])


def results_by_type(outcome: DbtOutcome, resource_type: str) -> dict[str, str]:
    """{node name: status} of the results of one resource type (hooks are left out)."""
    out: dict[str, str] = {}
    for r in getattr(outcome.result, "results", None) or []:
        node = getattr(r, "node", None)
        if str(getattr(node, "resource_type", "")).split(".")[-1].lower() == resource_type:
            out[str(getattr(node, "name", "?"))] = str(getattr(r, "status", "")).split(".")[-1].lower()
    return out


@dataclass
class Journey:
    """One target's project and what each dbt command did, on the empty then the loaded warehouse."""

    project: DbtProject
    vars_yaml: str
    empty: dict[str, DbtOutcome] = field(default_factory=dict)  # commands that must pass
    missing_raw_build: DbtOutcome | None = None  # build of a model reading the missing raw users
    users_only_run: DbtOutcome | None = None  # run of the users chain, raw users alone present
    loaded: dict[str, DbtOutcome] = field(default_factory=dict)

    def run(self, args: list[str]) -> DbtOutcome:
        return self.project.dbt([*args, "--vars", self.vars_yaml])

    def debug(self) -> DbtOutcome:
        # `dbt debug` takes no --target-path, so it bypasses DbtProject.dbt
        p = self.project
        return run_dbt(["debug", "--target", p.target, "--vars", self.vars_yaml],
                       profiles=p.workdir / "profiles", env=p.env)


def _walk(journey: Journey, load: Any) -> Journey:
    steps = [("parse", ["parse"]), ("compile", ["compile"]), ("docs generate", ["docs", "generate"]),
             ("seed", ["seed"]), (f"build --select {SEED_ONLY_NODE}", ["build", "--select", SEED_ONLY_NODE])]
    journey.empty["debug"] = journey.debug()
    for label, args in steps:
        journey.empty[label] = journey.run(args)
    journey.missing_raw_build = journey.run(["build", "--select", MODEL_READING_USERS])
    # the one raw table the users chain reads, empty, and nothing else
    raw = journey.project.raw_schema
    journey.project.query(f'create schema if not exists "{raw}"')
    journey.project.query(create_table_sql(raw, "users"))
    journey.users_only_run = journey.run(["run", "--select", f"+{MODEL_READING_USERS}"])

    data = generate(GenConfig(seed=TEST_SEED, conversations=150, launch_date=LAUNCH_DATE, progress=False))
    load(restamp_loaded_at(data.tables, utc_hours_ago(1)))
    for label, args in [("seed", ["seed"]), ("build", ["build"]), ("source freshness", ["source", "freshness"]),
                        ("docs generate", ["docs", "generate"])]:
        journey.loaded[label] = journey.run(args)
    return journey


@pytest.fixture(scope="module", params=TARGETS)
def journey(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Journey]:
    target: str = request.param
    workdir = tmp_path_factory.mktemp(f"user_{target}")
    _profiles_dir(workdir)  # step 1 of the README: cp profiles.yml.example profiles.yml
    truths = _json_roundtrip({"config": {"launch_date": LAUNCH_DATE}})
    if target == "duckdb":
        path = workdir / "acme.duckdb"
        project = DbtProject(
            target="duckdb", schema="acme_analytics", raw_schema="acme_landing", truths=truths, workdir=workdir,
            env={"AI_OPS_TARGET": "duckdb", "AI_OPS_DUCKDB_PATH": str(path), "AI_OPS_SCHEMA": "acme_analytics"},
            duckdb_path=path,
        )
        vars_yaml = readme_vars({"raw_schema": project.raw_schema, **USER_VARS})
        yield _walk(Journey(project, vars_yaml),
                    lambda tables: loader.load_duckdb(tables, path, project.raw_schema, progress=False))
        return
    pg: loader.PostgresSettings = request.getfixturevalue("pg_settings")
    schema = f"acme_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    project = DbtProject(
        target="postgres", schema=schema, raw_schema=f"{schema}_landing", truths=truths, workdir=workdir,
        env={"AI_OPS_TARGET": "postgres", "AI_OPS_SCHEMA": schema}, pg=pg,
    )
    vars_yaml = readme_vars({"raw_schema": project.raw_schema, **USER_VARS})
    try:
        yield _walk(Journey(project, vars_yaml),
                    lambda tables: loader.load_postgres(tables, project.raw_schema, pg, progress=False))
    finally:
        loader.drop_postgres_schemas(schema, pg)  # the target, its custom schemas and <schema>_landing


# --- point 1: an empty warehouse ------------------------------------------------------------


def test_commands_that_read_no_raw_table_work_on_an_empty_warehouse(journey: Journey) -> None:
    failed = [f"{label}:\n{o.summary()}" for label, o in journey.empty.items() if not o.success]
    assert not failed, "\n".join(failed)
    project = journey.project
    # the seed landed with every row of its CSV
    with (PROJECT_DIR / "seeds" / f"{SEED_ONLY_NODE}.csv").open() as f:
        csv_rows = sum(1 for _ in csv.DictReader(f))
    assert project.query(f"select count(*) from {project.relation(SEED_ONLY_NODE)}") == [(csv_rows,)]
    # the seed's data tests ran in the seed-only build
    tests = results_by_type(journey.empty[f"build --select {SEED_ONLY_NODE}"], "test")
    assert tests and set(tests.values()) == {"pass"}, tests


def test_a_model_reading_a_missing_raw_table_stops_with_its_name(journey: Journey) -> None:
    outcome = journey.missing_raw_build
    assert outcome is not None and not outcome.success, "the build of a model reading a missing raw table succeeded"
    message = message_of(outcome)
    assert f"missing raw table {journey.project.raw_schema}.users" in message, message
    assert "Load the raw tables" in message, message


def test_only_the_raw_tables_of_the_selection_are_required(journey: Journey) -> None:
    """With raw users alone present, `dbt run` of the users chain passes: the 14 others are not asked for."""
    outcome = journey.users_only_run
    assert outcome is not None
    assert outcome.success, outcome.summary()


# --- point 2: the README's steps with the user's own schema, launch date and windows ----------


@pytest.mark.parametrize("command", ["seed", "build", "source freshness", "docs generate"])
def test_readme_steps_pass_with_the_users_own_names_and_vars(journey: Journey, command: str) -> None:
    outcome = journey.loaded[command]
    assert outcome.success, outcome.summary()
    if command == "source freshness":
        statuses = results_by_type(outcome, "source")
        assert set(statuses) == set(RAW_TABLES) and set(statuses.values()) == {"pass"}, statuses


def test_the_build_uses_the_users_launch_date_and_schemas(journey: Journey) -> None:
    project = journey.project
    conversations = project.relation("int_conversations_assembled")
    assert conversations.startswith(f'"{project.schema}_'), conversations
    rows = project.query(
        f"select cast(started_at as date) >= cast('{LAUNCH_DATE}' as date) as expected, is_post_launch, count(*) "
        f"from {conversations} group by 1, 2 order by 1, 2"
    )
    # every conversation is split by the user's date, and the data has both sides of it
    assert [(e, p) for e, p, _ in rows] == [(False, False), (True, True)], rows
    assert project.relation("ops_metrics") == f'"{project.schema}_marts"."ops_metrics"'


# --- point 2: every unit test with a non-default value of every var --------------------------


def test_non_default_vars_cover_every_var_of_the_project() -> None:
    """A var added to dbt_project.yml must join NON_DEFAULT_VARS (or the per-project ones)."""
    declared = set(yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"])
    covered = set(NON_DEFAULT_VARS) | {"raw_schema", "bi_reader_roles"}
    assert declared == covered, sorted(declared ^ covered)


def test_every_unit_test_passes_with_non_default_vars(journey: Journey) -> None:
    project = journey.project
    values = {"raw_schema": project.raw_schema, **NON_DEFAULT_VARS}
    role = None
    if project.target == "postgres":
        role = f"acme_bi_{os.getpid()}_{uuid.uuid4().hex[:4]}"
        values["bi_reader_roles"] = [role]
    else:
        values["bi_reader_roles"] = ["acme_bi"]
    try:
        outcome = project.dbt(["test", "--select", "test_type:unit", "--vars", readme_vars(values)])
        if role is not None:  # the on-run-start hook created the user's role
            assert project.query("select count(*) from pg_roles where rolname = %s", [role]) == [(1,)]
    finally:
        if role is not None:
            project.query(f'drop role if exists "{role}"')
    assert outcome.success, outcome.summary()
    ran = results_by_type(outcome, "unit_test")
    assert set(ran) == unit_tests_declared(), sorted(set(ran) ^ unit_tests_declared())
    assert set(ran.values()) == {"pass"}, {name: s for name, s in ran.items() if s != "pass"}
