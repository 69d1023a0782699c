"""The scheduled CI run: scripts/scheduled_run.sh, the one script the example workflow calls.

Run here as the workflow runs it (a subprocess with the venv's dbt and ai-ops on PATH), against
DuckDB: on fresh raw data it passes and keeps every artifact; on the session's data, whose newest
loads are months old, freshness errors and the run must fail (after running the build and the GX
suite all the same). The workflow itself is checked with actionlint and against the script.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest
import yaml

from ai_ops_tools import loader
from ai_ops_tools.generator import GeneratedData
from ai_ops_tools.raw_schema import RAW_TABLES
from conftest import PROJECT_DIR, DbtProject
from helpers_rel import duckdb_copy, utc_now

SCRIPT = PROJECT_DIR / "scripts" / "scheduled_run.sh"
WORKFLOW = PROJECT_DIR / "examples" / "github-actions" / "scheduled-data-tests.yml"
ARTIFACTS = ("sources.json", "run_results.json", "manifest.json", "gx_report.json")
# dbt statuses of a build that did not fail (no-op: operations and ephemeral models)
OK_STATUSES = {"success", "pass", "warn", "no-op"}


def _run_script(duckdb_path: Path, schema: str, launch_date: str, workdir: Path) -> subprocess.CompletedProcess[str]:
    venv_bin = str(Path(sys.executable).parent)
    env = {
        **os.environ,
        "PATH": venv_bin + os.pathsep + os.environ.get("PATH", ""),
        "AI_OPS_TARGET": "duckdb",
        "AI_OPS_DUCKDB_PATH": str(duckdb_path),
        "AI_OPS_SCHEMA": schema,
        "AI_OPS_DBT_VARS": json.dumps({"raw_schema": "raw", "ai_launch_date": launch_date}),
        "AI_OPS_ARTIFACTS_DIR": str(workdir / "artifacts"),
        "DBT_TARGET_PATH": str(workdir / "target"),
        "DBT_LOG_PATH": str(workdir / "logs"),
    }
    env.pop("DBT_PROFILES_DIR", None)
    return subprocess.run(["bash", str(SCRIPT)], cwd=workdir, env=env, capture_output=True, text=True, timeout=1800)


def _freshened(tables: dict[str, pa.Table], hours_ago: float) -> dict[str, pa.Table]:
    """A copy where each table's newest row was loaded ``hours_ago`` (a load that just landed)."""
    at = pa.scalar(utc_now() - timedelta(hours=hours_ago), pa.timestamp("us"))
    out = {}
    for name, table in tables.items():
        loaded = table.column("loaded_at")
        newest = pc.equal(loaded, pc.max(loaded))
        index = table.schema.get_field_index("loaded_at")
        out[name] = table.set_column(index, "loaded_at", pc.if_else(newest, at, loaded).cast(loaded.type))
    return out


def _statuses(results: dict[str, Any]) -> dict[str, str]:
    return {r["unique_id"]: r["status"] for r in results["results"]}


def _assert_artifacts(artifacts: Path) -> dict[str, Any]:
    missing = [name for name in ARTIFACTS if not (artifacts / name).is_file()]
    assert not missing, f"artifacts missing: {missing} (have {sorted(p.name for p in artifacts.iterdir())})"
    return {name: json.loads((artifacts / name).read_text()) for name in ARTIFACTS}


@pytest.fixture(scope="module")
def fresh_run(tmp_path_factory: pytest.TempPathFactory, generated: GeneratedData,
              truths: dict[str, Any]) -> tuple[subprocess.CompletedProcess[str], Path]:
    workdir = tmp_path_factory.mktemp("scheduled_fresh")
    db = workdir / "ai_ops.duckdb"
    loader.load_duckdb(_freshened(generated.tables, hours_ago=1), db, "raw", progress=False)
    return _run_script(db, "sched", truths["config"]["launch_date"], workdir), workdir


def test_scheduled_run_passes_on_fresh_data(fresh_run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    proc, workdir = fresh_run
    assert proc.returncode == 0, f"scheduled_run.sh failed:\n{proc.stdout[-6000:]}\n{proc.stderr[-3000:]}"
    assert "scheduled_run: ok (freshness, build, gx)" in proc.stdout
    artifacts = _assert_artifacts(workdir / "artifacts")
    freshness = _statuses(artifacts["sources.json"])
    assert len(freshness) == len(RAW_TABLES) and set(freshness.values()) == {"pass"}, freshness
    build = _statuses(artifacts["run_results.json"])
    assert len(build) > 300 and set(build.values()) <= OK_STATUSES, set(build.values())
    # the scheduled build leaves the unit tests to CI
    assert not any(uid.startswith("unit_test.") for uid in build)
    assert any(uid.startswith("model.ai_ops.ops_metrics") for uid in artifacts["manifest.json"]["nodes"])
    assert artifacts["gx_report.json"]["success"] is True
    for step in ("freshness", "build", "gx"):
        assert (workdir / "artifacts" / f"{step}.log").stat().st_size > 0, step


def test_scheduled_run_fails_on_a_stale_source(duckdb_project: DbtProject, tmp_path: Path) -> None:
    """The session's raw data was loaded months ago: every source is past error_after (24 h)."""
    duckdb_project.assert_build_ok()
    assert duckdb_project.duckdb_path is not None
    db = duckdb_copy(duckdb_project, tmp_path / "stale")
    proc = _run_script(db, duckdb_project.schema, duckdb_project.truths["config"]["launch_date"], tmp_path)
    assert proc.returncode == 1, f"a stale source must fail the run:\n{proc.stdout[-4000:]}\n{proc.stderr[-2000:]}"
    assert "FAILED: freshness (exit 1)" in proc.stderr
    artifacts = _assert_artifacts(tmp_path / "artifacts")
    freshness = _statuses(artifacts["sources.json"])
    assert len(freshness) == len(RAW_TABLES) and set(freshness.values()) == {"error"}, freshness
    # the other steps still ran and passed: one run reports every problem
    assert set(_statuses(artifacts["run_results.json"]).values()) <= OK_STATUSES
    assert artifacts["gx_report.json"]["success"] is True


def test_script_rejects_an_unknown_target(tmp_path: Path) -> None:
    env = {**os.environ, "AI_OPS_TARGET": "snowflake", "AI_OPS_ARTIFACTS_DIR": str(tmp_path)}
    proc = subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "must be duckdb or postgres" in proc.stderr


# --- the workflow ----------------------------------------------------------------------------------------


def _actionlint(path: Path) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("actionlint")
    return subprocess.run([str(exe), "-no-color", str(path)], capture_output=True, text=True, timeout=120)


def test_workflow_passes_actionlint() -> None:
    proc = _actionlint(WORKFLOW)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(WORKFLOW.read_text().replace('cron: "17 * * * *"', 'cron: "61 * * * *"')
                      .replace("secrets.AI_OPS_PG_HOST", "secret.AI_OPS_PG_HOST"))
    proc = _actionlint(broken)
    assert proc.returncode == 1
    assert "cron" in proc.stdout and "secret" in proc.stdout, proc.stdout


def test_workflow_runs_the_script_on_a_schedule_with_secrets_and_keeps_the_artifacts() -> None:
    flow = yaml.safe_load(WORKFLOW.read_text())
    triggers = flow[True] if True in flow else flow["on"]  # YAML 1.1 reads the key `on` as true
    assert triggers["schedule"][0]["cron"] == "17 * * * *"
    (job,) = flow["jobs"].values()
    runs = [step["run"] for step in job["steps"] if "run" in step]
    assert [r for r in runs if "dbt" in r or "ai-ops" in r or "scheduled_run" in r] == ["scripts/scheduled_run.sh"]
    for name in ("HOST", "PORT", "USER", "PASSWORD", "DATABASE"):
        assert f"secrets.AI_OPS_PG_{name}" in job["env"][f"AI_OPS_PG_{name}"], name
    assert job["env"]["AI_OPS_TARGET"] == "postgres"
    upload = next(step for step in job["steps"] if str(step.get("uses", "")).startswith("actions/upload-artifact@"))
    assert upload["if"] == "always()" and upload["with"]["path"] == "artifacts/"
    assert job["env"]["AI_OPS_ARTIFACTS_DIR"].endswith("/artifacts")
    assert os.access(SCRIPT, os.X_OK)
    assert subprocess.run(["bash", "-n", str(SCRIPT)], capture_output=True, timeout=30).returncode == 0
