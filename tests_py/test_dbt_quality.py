"""Issue 12's quality bars, measured by tools nobody here wrote, on the session's DuckDB build.

- dbt-coverage: at least 90 % of the columns of the marts (models/marts) have a data test.
- dbt-score: every model scores at least 9.0, and `dbt-score lint` passes the thresholds and
  rule settings of pyproject.toml ([tool.dbt-score]) on every evaluated node.
- Every public model has an enforced contract; descriptions stay one short paragraph.

Both tools read the artifacts of `dbt docs generate` (manifest.json, catalog.json), run once
per session in the build's own target directory.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import PROJECT_DIR, DbtProject

pytestmark = [pytest.mark.slow]

MIN_MART_COLUMN_COVERAGE = 0.90
MIN_MODEL_SCORE = 9.0
# one short paragraph: the longest description a BI user should have to read
MAX_MODEL_DESCRIPTION_WORDS = 80
MAX_COLUMN_DESCRIPTION_WORDS = 60


def _tool(name: str) -> str:
    """The console script `name` installed beside this interpreter (the project's venv)."""
    path = Path(sys.executable).parent / name
    if not path.exists():
        pytest.fail(f"{name} is not installed in {path.parent}: run `pip install -e '.[dev]'`",
                    pytrace=False)
    return str(path)


@pytest.fixture(scope="module")
def artifacts(duckdb_project: DbtProject) -> Path:
    """The target directory of the session build, with manifest.json and catalog.json."""
    duckdb_project.assert_build_ok()
    outcome = duckdb_project.dbt(["docs", "generate", "--no-compile"])
    assert outcome.success, outcome.summary()
    target = duckdb_project.workdir / "target"
    for name in ("manifest.json", "catalog.json"):
        assert (target / name).exists(), f"dbt docs generate wrote no {name} in {target}"
    return target


@pytest.fixture(scope="module")
def manifest(artifacts: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((artifacts / "manifest.json").read_text())
    return loaded


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    # from the project root: dbt-score reads pyproject.toml there and imports dbt_score_rules/
    return subprocess.run(args, cwd=PROJECT_DIR, capture_output=True, text=True, timeout=300)


def test_mart_column_test_coverage_at_least_90_percent(artifacts: Path, tmp_path: Path) -> None:
    report = tmp_path / "coverage.json"
    run = _run([_tool("dbt-coverage"), "compute", "test", "--project-dir", str(PROJECT_DIR),
                "--run-artifacts-dir", str(artifacts), "--cov-report", str(report),
                "--model-path-filter", "models/marts"])
    assert run.returncode == 0, run.stdout + run.stderr
    result = json.loads(report.read_text())
    marts = {table["name"].split(".")[-1] for table in result["tables"]}
    # the filter must have found the marts, or a coverage of nothing would pass
    assert {"fct_ai_conversations", "dim_ai_users", "ops_metrics"} <= marts, sorted(marts)
    untested = {table["name"]: [c["name"] for c in table["columns"] if not c["covered"]]
                for table in result["tables"]}
    coverage = result["covered"] / result["total"]
    assert coverage >= MIN_MART_COLUMN_COVERAGE, (
        f"{result['covered']} of {result['total']} mart columns tested ({coverage:.1%}); "
        f"untested: { {t: cols for t, cols in untested.items() if cols} }")


def test_dbt_score_every_model_at_least_9(artifacts: Path) -> None:
    run = _run([_tool("dbt-score"), "lint", "--manifest", str(artifacts / "manifest.json"),
                "--format", "json"])
    report = json.loads(run.stdout)
    models = {name: item for name, item in report["evaluables"].items() if name.startswith("model.")}
    assert len(models) >= 60, f"dbt-score evaluated only {len(models)} models"
    low = {name: {"score": round(item["score"], 2),
                  "failing": [rule.rsplit(".", 1)[-1] for rule, r in item["results"].items()
                              if r["result"] != "OK"]}
           for name, item in report["evaluables"].items() if item["score"] < MIN_MODEL_SCORE}
    assert not {n: v for n, v in low.items() if n.startswith("model.")}, low
    # the thresholds of pyproject.toml apply to every node (macros, seeds, sources...) and the project
    assert run.returncode == 0 and report["project"]["pass"], (run.returncode, report["project"], low,
                                                               run.stderr[-2000:])


def test_every_public_model_has_an_enforced_contract(manifest: dict[str, Any]) -> None:
    public = {node["name"]: node for node in manifest["nodes"].values()
              if node["resource_type"] == "model" and node.get("access") == "public"}
    assert {"ops_metrics", "fct_ai_conversations", "dim_ai_users"} <= set(public), sorted(public)
    uncontracted = sorted(name for name, node in public.items()
                          if not node["config"]["contract"]["enforced"])
    assert not uncontracted, f"public models without an enforced contract: {uncontracted}"
    untyped = {name: [c for c, col in node["columns"].items() if not col.get("data_type")]
               for name, node in public.items()}
    assert not {n: c for n, c in untyped.items() if c}, untyped


def test_descriptions_are_one_short_paragraph(manifest: dict[str, Any]) -> None:
    models = [node for node in manifest["nodes"].values() if node["resource_type"] == "model"]
    too_long: dict[str, int] = {}
    for node in models:
        words = len(node["description"].split())
        if words > MAX_MODEL_DESCRIPTION_WORDS or "\n\n" in node["description"].strip():
            too_long[node["name"]] = words
        for column in node["columns"].values():
            words = len((column.get("description") or "").split())
            if words > MAX_COLUMN_DESCRIPTION_WORDS:
                too_long[f"{node['name']}.{column['name']}"] = words
    assert not too_long, (f"descriptions over {MAX_MODEL_DESCRIPTION_WORDS} words (model) or "
                          f"{MAX_COLUMN_DESCRIPTION_WORDS} (column), in words: {too_long}")
