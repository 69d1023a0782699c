"""The semantic layer (MetricFlow, docs/SEMANTIC_LAYER.md) gives the numbers ops_metrics publishes.

On the session's DuckDB and Postgres builds, `mf validate-configs` passes and `mf query` for every
published metric, by ISO week and by month, overall and by workflow, equals the ops_metrics value of
the same key, period and segment (1e-9 relative), with no period or segment more or fewer. The
queries are batched (all metrics of one grouping in one `mf query`), and each build's five `mf`
commands run in one process (the `mf` command's click entry point, invoked once per command):
MetricFlow's start-up costs more than the queries.

`mf` reads `target/semantic_manifest.json` below the dbt project root, so each build gets a project
root of its own: symlinks to the repository's files beside a `target/` with that build's semantic
manifest (the relations of its own schema). On DuckDB `mf` reads a copy of the build's file: the
test process's dbt keeps the file open, and DuckDB lets one process at a time open it.
"""

from __future__ import annotations

import csv
import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PROJECT_DIR, DbtProject

pytestmark = [pytest.mark.slow]

REL_TOL = 1e-9
# ops_metrics keys the semantic layer publishes (docs/SEMANTIC_LAYER.md lists them and the others)
PUBLISHED = [
    "conversation_completion_rate",
    "success_rate",
    "p95_latency_ms",
    "ai_cost_usd",
    "cost_per_successful_outcome",
    "support_deflection_rate",
    "weekly_active_users",
]
WEEK_ONLY = {"weekly_active_users"}
# entries of the repository that are not the dbt project (or are per-build)
NOT_PROJECT = {"target", "logs", "warehouse", "profiles.yml", ".git", ".venv", ".venv-duckdb2", ".pytest_cache"}

Key = tuple[str, str, str, str]  # metric_key, period_grain, period_start, segment_value


def _mf() -> str:
    path = Path(sys.executable).parent / "mf"
    if not path.exists():
        pytest.fail(f"mf is not installed in {path.parent}: run `make install` (the `semantic` extra)",
                    pytrace=False)
    return str(path)


def _mf_root(project: DbtProject) -> Path:
    """A dbt project root for `mf`: the repository's files, this build's semantic manifest."""
    root = project.workdir / "mf_project"
    if root.exists():
        return root
    root.mkdir()
    for entry in PROJECT_DIR.iterdir():
        if entry.name not in NOT_PROJECT:
            (root / entry.name).symlink_to(entry)
    (root / "target").mkdir()
    manifest = project.workdir / "target" / "semantic_manifest.json"
    assert manifest.exists(), f"the session build wrote no {manifest}"
    shutil.copy(manifest, root / "target" / "semantic_manifest.json")
    if project.duckdb_path is not None:
        # same file name: the semantic manifest names the database by it
        (root / "warehouse").mkdir()
        for suffix in ("", ".wal"):
            source = Path(str(project.duckdb_path) + suffix)
            if source.exists():
                shutil.copy(source, root / "warehouse" / (project.duckdb_path.name + suffix))
    return root


# Runs `mf` commands (argv lists, JSON in argv[1]) one after the other through the click entry point of
# the `mf` script, each with the process's stdout and stderr (file descriptors 1 and 2: MetricFlow's
# spinners hold the original sys.stdout) sent to a file of its own; writes each one's exit code and
# output as JSON to the file argv[2].
MF_COMMANDS = """
import json, os, pathlib, sys, traceback
from dbt_metricflow.cli.main import cli
out = pathlib.Path(sys.argv[2])
results = []
for i, args in enumerate(json.loads(sys.argv[1])):
    log = out.with_name(f"{out.stem}_{i}.log")
    sys.stdout.flush(); sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with log.open("w") as handle:
        os.dup2(handle.fileno(), 1); os.dup2(handle.fileno(), 2)
        try:
            cli.main(args, prog_name="mf")
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
        except Exception:
            traceback.print_exc()
            code = 1
        finally:
            sys.stdout.flush(); sys.stderr.flush()
            os.dup2(saved[0], 1); os.dup2(saved[1], 2)
    results.append({"code": code, "output": log.read_text(errors="replace")})
out.write_text(json.dumps(results))
"""
_MF_RUNS: dict[Path, dict[str, tuple[int, str]]] = {}


def _query_args(project: DbtProject, grain: str, by_workflow: bool) -> list[str]:
    metrics = [m for m in PUBLISHED if grain == "week" or m not in WEEK_ONLY]
    group_by = [f"metric_time__{grain}", *(["workflow"] if by_workflow else [])]
    return ["query", "--metrics", ",".join(metrics), "--group-by", ",".join(group_by),
            "--csv", str(_csv_path(project, grain, by_workflow))]


def _csv_path(project: DbtProject, grain: str, by_workflow: bool) -> Path:
    return project.workdir / f"mf_{grain}_{'workflow' if by_workflow else 'overall'}.csv"


def _run_mf(project: DbtProject, args: list[str]) -> tuple[int, str]:
    """(exit code, output) of `mf <args>` on this build: the first call runs every command of the
    module (validate-configs and each grouping's query) in one process and keeps what each said."""
    if project.workdir not in _MF_RUNS:
        root = _mf_root(project)
        env = {**os.environ, **project.env, "DBT_PROFILES_DIR": str(project.workdir / "profiles"),
               "DBT_PROJECT_DIR": str(root)}
        if project.duckdb_path is not None:
            env["AI_OPS_DUCKDB_PATH"] = str(root / "warehouse" / project.duckdb_path.name)
        commands = [["validate-configs"], *(_query_args(project, g, w) for g, w in GROUPINGS)]
        results = project.workdir / "mf_results.json"
        proc = subprocess.run([str(Path(_mf()).with_name("python")), "-c", MF_COMMANDS, json.dumps(commands),
                               str(results)], cwd=root, env=env, capture_output=True, text=True, timeout=1200)
        assert proc.returncode == 0 and results.exists(), proc.stdout[-5000:] + proc.stderr[-5000:]
        _MF_RUNS[project.workdir] = {" ".join(c): (r["code"], r["output"])
                                     for c, r in zip(commands, json.loads(results.read_text()), strict=True)}
    return _MF_RUNS[project.workdir][" ".join(args)]


def _mf_values(project: DbtProject, grain: str, by_workflow: bool) -> dict[Key, float]:
    """{(key, grain, period_start, workflow or 'all'): value} from one batched `mf query`."""
    metrics = [m for m in PUBLISHED if grain == "week" or m not in WEEK_ONLY]
    out = _csv_path(project, grain, by_workflow)
    code, output = _run_mf(project, _query_args(project, grain, by_workflow))
    assert code == 0 and out.exists(), output
    values: dict[Key, float] = {}
    with out.open(newline="") as handle:
        for row in csv.DictReader(handle):
            segment = row["workflow"] if by_workflow else "all"
            if segment == "":
                continue  # a null workflow: ops_metrics has no segment row for it either
            period = row[f"metric_time__{grain}"][:10]
            for metric in metrics:
                if row[metric] != "":
                    values[(metric, grain, period, segment)] = float(row[metric])
    return values


def _ops_values(project: DbtProject, grain: str, by_workflow: bool) -> dict[Key, float]:
    segment_type = "workflow" if by_workflow else "overall"
    keys = ", ".join(f"'{k}'" for k in PUBLISHED)
    rows = project.query(
        f"select metric_key, period_grain, cast(period_start as varchar), segment_value, value "
        f"from {project.relation('ops_metrics')} "
        f"where period_grain = '{grain}' and segment_type = '{segment_type}' and value is not null "
        f"and metric_key in ({keys})")
    return {(r[0], r[1], r[2], r[3]): float(r[4]) for r in rows}


def _assert_same(mf: dict[Key, float], ops: dict[Key, float], metrics: set[str]) -> None:
    assert ops, "ops_metrics has no value for the published keys: the comparison would prove nothing"
    only_mf = sorted(set(mf) - set(ops))
    only_ops = sorted(set(ops) - set(mf))
    assert not only_mf and not only_ops, f"only in mf query: {only_mf[:10]}; only in ops_metrics: {only_ops[:10]}"
    differ = {k: (mf[k], ops[k]) for k in ops if not math.isclose(mf[k], ops[k], rel_tol=REL_TOL, abs_tol=1e-12)}
    assert not differ, f"{len(differ)} values differ (mf, ops_metrics): {dict(list(differ.items())[:10])}"
    assert {k[0] for k in ops} == metrics, "a published metric has no value in ops_metrics to compare with"


def _check_validate(project: DbtProject) -> None:
    project.assert_build_ok()
    code, output = _run_mf(project, ["validate-configs"])
    assert code == 0, output
    assert "ERRORS: 0" in output and "Successfully validated metrics" in output, output


def _check_queries(project: DbtProject, grain: str, by_workflow: bool) -> None:
    project.assert_build_ok()
    metrics = {m for m in PUBLISHED if grain == "week" or m not in WEEK_ONLY}
    _assert_same(_mf_values(project, grain, by_workflow), _ops_values(project, grain, by_workflow), metrics)


GROUPINGS = [("week", False), ("week", True), ("month", False), ("month", True)]
IDS = ["week", "week-workflow", "month", "month-workflow"]


def test_duckdb_mf_validate_configs(duckdb_project: DbtProject) -> None:
    _check_validate(duckdb_project)


@pytest.mark.parametrize(("grain", "by_workflow"), GROUPINGS, ids=IDS)
def test_duckdb_mf_query_equals_ops_metrics(duckdb_project: DbtProject, grain: str, by_workflow: bool) -> None:
    _check_queries(duckdb_project, grain, by_workflow)


@pytest.mark.postgres
def test_postgres_mf_validate_configs(postgres_project: DbtProject) -> None:
    _check_validate(postgres_project)


@pytest.mark.postgres
@pytest.mark.parametrize(("grain", "by_workflow"), GROUPINGS, ids=IDS)
def test_postgres_mf_query_equals_ops_metrics(postgres_project: DbtProject, grain: str, by_workflow: bool) -> None:
    _check_queries(postgres_project, grain, by_workflow)


def test_comparison_fails_on_a_difference_or_a_missing_row() -> None:
    """The comparison itself: 2e-9 relative is a difference, a row on one side only is one too."""
    ops: dict[Key, float] = {("ai_cost_usd", "week", "2026-03-02", "all"): 1.0 + 2e-9}
    _assert_same({("ai_cost_usd", "week", "2026-03-02", "all"): 1.0 + 1.5e-9}, ops, {"ai_cost_usd"})
    with pytest.raises(AssertionError, match="values differ"):
        _assert_same({("ai_cost_usd", "week", "2026-03-02", "all"): 1.0}, ops, {"ai_cost_usd"})
    with pytest.raises(AssertionError, match="only in ops_metrics"):
        _assert_same({}, ops, {"ai_cost_usd"})
