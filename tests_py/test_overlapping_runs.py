"""Overlapping runs are safe (docs/INCREMENTAL.md, "Overlapping runs").

Per warehouse: build the small generated data set, land a new batch of events, start two
incremental ``ai-ops build -- run`` processes on the same target together. One must finish;
the other must stop at once with a message saying another run holds the target, and run no
model. Then the marts and the incremental chain must equal a full refresh of the same raw
data (test_incremental's comparison). On Postgres also: a ``dbt build`` (exposures selected)
while another run holds the claim ends with the message alone, not dbt's AttributeError; an
on-run-start setup statement failing after the claim leaves no claim behind.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ai_ops_tools import loader
from ai_ops_tools.generator import GeneratedData
from conftest import PROJECT_DIR, DbtProject
from test_incremental import EVENT_COLUMNS, assert_equals_full_refresh, duckdb_pair, postgres_pair


def start_run(project: DbtProject, name: str, command: str = "run",
              extra: tuple[str, ...] = ()) -> tuple[subprocess.Popen[str], Path]:
    """`ai-ops build -- <command> <extra>` (an incremental run) in its own process, with its own target dir."""
    target_path = project.workdir / f"target_{name}"
    # the manifest of an earlier run: both runs of a pair parse in a second, so they start together
    # (and the first run does not parse the project again after the seed)
    earlier = [project.workdir / f"target_first_{c}" / "partial_parse.msgpack" for c in ("run", "seed")]
    parsed = next((p for p in earlier if p.exists() and p.parent != target_path), None)
    if parsed is not None:
        target_path.mkdir(parents=True, exist_ok=True)
        shutil.copy(parsed, target_path / parsed.name)
    env = {**os.environ, **project.env, "AI_OPS_PROJECT_DIR": str(PROJECT_DIR), "PYTHONUNBUFFERED": "1"}
    args = [sys.executable, "-m", "ai_ops_tools.cli", "build", "--", command, *extra, "--target", project.target,
            "--vars", project.vars_json, "--target-path", str(target_path),
            "--log-path", str(project.workdir / f"logs_{name}"),
            "--profiles-dir", str(project.workdir / "profiles")]
    process = subprocess.Popen(args, env=env, cwd=PROJECT_DIR, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return process, target_path


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

    runs = [start_run(incremental, name) for name in ("one", "two")]
    outputs = [process.communicate(timeout=600)[0] for process, _ in runs]
    codes = [process.returncode for process, _ in runs]
    assert sorted(codes) == [0, 1], "one run must finish, the other stop:\n" + "\n".join(outputs)
    stopped = codes.index(1)
    out_stopped = outputs[stopped]
    # the CLI's last word is the plain explanation (dbt's own log above it may show the driver error)
    assert out_stopped.strip().splitlines()[-1].startswith(f"ai-ops build: error: {held_message}"), out_stopped
    assert models_run(runs[stopped][1]) == [], "the stopped run wrote models"

    assert_equals_full_refresh(incremental, full, prepare_full, [["seed"], ["run", "--full-refresh"]],
                               "after overlapping runs vs full refresh")


def test_overlapping_runs_duckdb(tmp_path: Path, generated: GeneratedData, truths: dict[str, Any]) -> None:
    incremental, full, prepare_full = duckdb_pair(tmp_path, generated, truths, "overlap_test")
    assert incremental.duckdb_path is not None
    run_overlapping(incremental, full, f"another run holds the DuckDB file {incremental.duckdb_path}", prepare_full)


def claims(project: DbtProject) -> list[tuple[str, ...]]:
    return [tuple(r) for r in project.query(
        f'select target_schema, invocation_id from "{project.schema}".ai_ops_run_lock')]


def build_exposures(project: DbtProject, name: str) -> tuple[int, str]:
    """`ai-ops build -- build` of the exposures alone (no model): the nodes dbt 1.11 fails to skip
    after a failed on-run-start hook (AttributeError: 'Exposure' object has no attribute 'schema')."""
    process, _ = start_run(project, name, "build", ("--select", "resource_type:exposure"))
    out, _ = process.communicate(timeout=600)
    return process.returncode, out


def assert_held_build_stops_cleanly(project: DbtProject, held_message: str) -> None:
    """A `dbt build` while another run holds the claim ends with the message alone (no traceback)."""
    project.query(f"""insert into "{project.schema}".ai_ops_run_lock values ('{project.schema}', 'other-run', now())""")
    code, out = build_exposures(project, "held_build")
    assert code == 1, out
    assert out.strip().splitlines()[-1].startswith(f"ai-ops build: error: {held_message}"), out
    assert "AttributeError" not in out and "Traceback" not in out, out
    assert claims(project) == [(project.schema, "other-run")], "the held claim was touched"
    project.query(f'delete from "{project.schema}".ai_ops_run_lock')


def assert_failing_setup_leaves_no_claim(project: DbtProject) -> None:
    """The setup DDL of on-run-start (here create_udfs: a function of another return type is in
    the way) fails after the claim is written: the claim must go with it, not stay for 6 hours."""
    project.query(f'drop function "{project.schema}".ai_ops_lenient_json(text); '
                  f'create function "{project.schema}".ai_ops_lenient_json(json_text text) '
                  "returns integer language sql as 'select 1'")
    try:
        code, out = build_exposures(project, "failing_setup")
        assert code == 1 and "ai_ops_lenient_json" in out, out
        assert claims(project) == [], "a failed on-run-start left its claim"
    finally:
        project.query(f'drop function "{project.schema}".ai_ops_lenient_json(text)')
    code, out = build_exposures(project, "after_failing_setup")  # the next run is not blocked
    assert code == 0, out


def test_overlapping_runs_postgres(tmp_path: Path, generated: GeneratedData, truths: dict[str, Any],
                                   pg_schemas: tuple[loader.PostgresSettings, str]) -> None:
    incremental, full, prepare_full = postgres_pair(tmp_path, generated, truths, pg_schemas)
    held_message = f"another dbt run holds the target schema {incremental.schema}"
    run_overlapping(incremental, full, held_message, prepare_full)
    assert claims(incremental) == [], "a finished run left its claim"
    assert_held_build_stops_cleanly(incremental, held_message)
    assert_failing_setup_leaves_no_claim(incremental)
