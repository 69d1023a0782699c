"""Overlapping runs are safe (docs/INCREMENTAL.md, "Overlapping runs").

Per warehouse: build the small generated data set, land a new batch of events, start one
incremental ``ai-ops build -- run`` and, once it holds the target, a second one on the same
target. The second must stop at once with a message saying another run holds the target, and
run no model; the first must finish. Then the marts and the incremental chain must equal a
full refresh of the same raw data (test_incremental's comparison).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ai_ops_tools import loader
from ai_ops_tools.generator import GeneratedData
from conftest import PROJECT_DIR, DbtProject
from test_incremental import (
    EVENT_COLUMNS,
    _project,
    assert_same_relation,
    compared_relations,
    copy_duckdb_raw,
    snapshot,
)

START_TIMEOUT_S = 120


def start_run(project: DbtProject, name: str, command: str = "run") -> tuple[subprocess.Popen[str], Path]:
    """`ai-ops build -- <command>` (an incremental run) in its own process, with its own target dir."""
    target_path = project.workdir / f"target_{name}"
    env = {**os.environ, **project.env, "AI_OPS_PROJECT_DIR": str(PROJECT_DIR)}
    args = [sys.executable, "-m", "ai_ops_tools.cli", "build", "--", command, "--target", project.target,
            "--vars", project.vars_json, "--target-path", str(target_path),
            "--log-path", str(project.workdir / f"logs_{name}"),
            "--profiles-dir", str(project.workdir / "profiles")]
    process = subprocess.Popen(args, env=env, cwd=PROJECT_DIR, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return process, target_path


def wait_until_running(process: subprocess.Popen[str], log: Path) -> None:
    """Until the run has started its models (so it holds the target: DuckDB file, run lock)."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while not (log.exists() and "START sql" in log.read_text(errors="replace")):
        assert process.poll() is None, f"the first run ended before it ran a model:\n{process.communicate()[0]}"
        assert time.monotonic() < deadline, "the first run did not start its models in time"
        time.sleep(0.2)


def models_run(target_path: Path) -> list[str]:
    """unique_id of every model a run wrote (its run_results.json; none when it stopped early)."""
    results = target_path / "run_results.json"
    if not results.exists():
        return []
    data = json.loads(results.read_text())
    return [r["unique_id"] for r in data["results"]
            if r["unique_id"].startswith("model.") and r["status"] == "success"]


def land_new_batch(project: DbtProject) -> None:
    events = project.raw("ai_events")
    project.query(f"""insert into {events} ({EVENT_COLUMNS})
        select event_id || '_overlap', event_name, occurred_at, loaded_at + interval '1 day',
               conversation_id || '_overlap', user_id, session_id, properties
        from {events} where conversation_id in (
            select conversation_id from {events} order by conversation_id limit 20)""")


def run_overlapping(incremental: DbtProject, full: DbtProject, held_message: str,
                    prepare_full: Callable[[], None]) -> None:
    # in subprocesses only: dbt in this process would keep the DuckDB file open
    for command in ("seed", "run"):
        first, _ = start_run(incremental, f"first_{command}", command)
        out_first, _ = first.communicate(timeout=600)
        assert first.returncode == 0, out_first
    land_new_batch(incremental)

    one, _ = start_run(incremental, "one")
    wait_until_running(one, incremental.workdir / "logs_one" / "dbt.log")
    two, two_target = start_run(incremental, "two")
    out_two, _ = two.communicate(timeout=600)
    out_one, _ = one.communicate(timeout=600)

    assert one.returncode == 0, out_one
    assert two.returncode != 0, f"the second run was not stopped:\n{out_two}"
    assert held_message in out_two, out_two
    assert "Traceback" not in out_two, out_two
    assert models_run(two_target) == [], "the stopped run wrote models"

    prepare_full()
    seeded = full.dbt(["seed"])
    assert seeded.success, seeded.summary()
    rebuilt = full.dbt(["run", "--full-refresh"])
    assert rebuilt.success, rebuilt.summary()
    names = compared_relations(incremental)
    after, expected = snapshot(incremental, names), snapshot(full, names)
    for name in names:
        assert_same_relation(name, after[name], expected[name], "after overlapping runs vs full refresh")


def test_overlapping_runs_duckdb(tmp_path: Path, generated: GeneratedData, truths: dict[str, Any]) -> None:
    inc_path, full_path = tmp_path / "incremental.duckdb", tmp_path / "full_refresh.duckdb"
    loader.load_duckdb(generated.tables, inc_path, "raw", progress=False)
    schema = "overlap_test"

    def project(name: str, path: Path) -> DbtProject:
        return _project("duckdb", schema, "raw", tmp_path / name, truths,
                        {"AI_OPS_TARGET": "duckdb", "AI_OPS_DUCKDB_PATH": str(path), "AI_OPS_SCHEMA": schema},
                        duckdb_path=path)

    run_overlapping(project("inc", inc_path), project("full", full_path),
                    f"another run holds the DuckDB file {inc_path}", lambda: copy_duckdb_raw(inc_path, full_path))


def test_overlapping_runs_postgres(tmp_path: Path, generated: GeneratedData, truths: dict[str, Any],
                                   pg_schemas: tuple[loader.PostgresSettings, str]) -> None:
    settings, prefix = pg_schemas
    raw_schema = f"{prefix}_raw"
    loader.load_postgres(generated.tables, raw_schema, settings, progress=False)

    def project(name: str, schema: str) -> DbtProject:
        return _project("postgres", schema, raw_schema, tmp_path / name, truths,
                        {"AI_OPS_TARGET": "postgres", "AI_OPS_SCHEMA": schema}, pg=settings)

    run_overlapping(project("inc", f"{prefix}_i"), project("full", f"{prefix}_f"),
                    f"another dbt run holds the target schema {prefix}_i", lambda: None)
