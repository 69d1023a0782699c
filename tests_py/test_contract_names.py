"""The project's own interface exists in the built warehouse (CONTRACT.md sections 1-3, version 1).

The interface is declared once, in the project's dbt yml (docs/DESIGN.md, "The interface"):
- raw tables and their columns: the sources, models/staging/<source>/_<source>__sources.yml;
- seeds and their columns: seeds/_seeds.yml;
- published marts and their columns: the models with an enforced contract;
- metric keys: the metric catalog (ai_ops_tools.contract.METRIC_KEYS).
The tests read that declaration from the manifest dbt wrote when it built the session's
project and look every name up in the warehouse. Nothing outside the repository is read:
the contract checker kept beside the repository is for developers to run by hand.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ai_ops_tools import contract
from conftest import PROJECT_DIR, DbtProject

pytestmark = pytest.mark.slow

TARGETS = ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]


@dataclass(frozen=True)
class Interface:
    """{(schema, relation): [declared column, ...]} per part of the interface."""

    raw: dict[tuple[str, str], list[str]]
    seeds: dict[tuple[str, str], list[str]]
    marts: dict[tuple[str, str], list[str]]


def declared_interface(project: DbtProject) -> Interface:
    """The interface as dbt parsed it from the project's yml (schemas resolved for this target)."""
    manifest: dict[str, Any] = json.loads((project.workdir / "target" / "manifest.json").read_text())
    ours = [n for n in manifest["nodes"].values() if n["package_name"] == manifest["metadata"]["project_name"]]

    def columns(node: dict[str, Any]) -> list[str]:
        return [str(c["name"]).lower() for c in node["columns"].values()]

    raw = {(s["schema"], s["identifier"]): columns(s) for s in manifest["sources"].values()
           if s["package_name"] == manifest["metadata"]["project_name"]}
    seeds = {(n["schema"], n["alias"]): columns(n) for n in ours if n["resource_type"] == "seed"}
    marts = {(n["schema"], n["alias"]): columns(n) for n in ours
             if n["resource_type"] == "model" and n["config"]["contract"]["enforced"]}
    return Interface(raw=raw, seeds=seeds, marts=marts)


def missing_in_warehouse(project: DbtProject, declared: dict[tuple[str, str], list[str]]) -> list[str]:
    """'schema.relation' or 'schema.relation.column' for each declared name the warehouse lacks."""
    schemas = sorted({schema for schema, _ in declared})
    found: dict[tuple[str, str], set[str]] = {}
    for schema, table, column in project.query(
            "select table_schema, table_name, column_name from information_schema.columns "
            f"where table_schema in ({', '.join([project.placeholder] * len(schemas))})", schemas):
        found.setdefault((schema, table), set()).add(str(column).lower())
    missing: list[str] = []
    for (schema, relation), cols in sorted(declared.items()):
        if (schema, relation) not in found:
            missing.append(f"{schema}.{relation}")
        else:
            missing += [f"{schema}.{relation}.{c}" for c in cols if c not in found[(schema, relation)]]
    return missing


@pytest.fixture(params=TARGETS)
def built(request: pytest.FixtureRequest) -> DbtProject:
    project: DbtProject = request.getfixturevalue(f"{request.param}_project")
    return project


def _check(project: DbtProject, declared: dict[tuple[str, str], list[str]], what: str) -> None:
    assert declared, f"the project declares no {what}"
    assert all(declared.values()), f"{what} without declared columns: {[k for k, v in declared.items() if not v]}"
    missing = missing_in_warehouse(project, declared)
    assert not missing, f"declared {what} missing from the built warehouse: {missing}; failed nodes: " \
                        f"{project.failed_nodes}"


def test_declared_raw_tables_and_columns_exist(built: DbtProject) -> None:
    interface = declared_interface(built)
    assert {schema for schema, _ in interface.raw} == {built.raw_schema}, interface.raw.keys()
    _check(built, interface.raw, "raw tables")


def test_declared_seeds_and_columns_exist(built: DbtProject) -> None:
    _check(built, declared_interface(built).seeds, "seeds")


def test_published_marts_and_columns_exist(built: DbtProject) -> None:
    marts = declared_interface(built).marts
    # the marts the Python tooling (GX suite, grants tests) treats as published are all declared
    assert set(contract.PUBLISHED_MARTS) <= {name for _, name in marts}, sorted(marts)
    _check(built, marts, "published marts")


def test_every_metric_key_is_published(built: DbtProject) -> None:
    assert contract.METRIC_KEYS, "no metric keys declared"
    ops_metrics, comparison = built.relation("ops_metrics"), built.relation("experiment_comparison")
    ops = {r[0] for r in built.query(f"select distinct metric_key from {ops_metrics} where segment_type = 'overall'")}
    experiments = {r[0] for r in built.query(f"select distinct metric_key from {comparison}")}
    assert not set(contract.METRIC_KEYS) - ops, f"keys without rows in ops_metrics: {set(contract.METRIC_KEYS) - ops}"
    assert not set(contract.EXPERIMENT_KEYS) - experiments, set(contract.EXPERIMENT_KEYS) - experiments


# Files that run (code, configuration, CI); prose may say where CONTRACT.md lives.
CODE_ROOTS = ["src", "tests_py", "macros", "models", "seeds", "snapshots", "tests", "analyses", ".ci", "Makefile",
              "pyproject.toml", "dbt_project.yml", "profiles.yml.example", ".sqlfluff"]
# A path into the folder kept beside the repository (the one CONTRACT.md comes from): that folder's name after
# a parent step, after a quote (a path joined from parts) or after a slash.
OUTSIDE_PATH = re.compile(r"""(\.\./|["'/])shared(/|["'])""")


def _code_files() -> list[Path]:
    paths = [PROJECT_DIR / root for root in CODE_ROOTS]
    files = [p for path in paths for p in ([path] if path.is_file() else sorted(path.rglob("*")))]
    return [p for p in files if p.is_file() and p.suffix not in {".md", ".pyc"} and p != Path(__file__).resolve()
            and not any(part.endswith(".egg-info") or part == "__pycache__" for part in p.parts)]


def test_nothing_runs_from_outside_the_repository() -> None:
    files = _code_files()
    assert len(files) > 50, f"only {len(files)} files scanned under {PROJECT_DIR}"
    hits = [f"{path.relative_to(PROJECT_DIR)}:{n}: {line.strip()}"
            for path in files for n, line in enumerate(path.read_text(errors="replace").splitlines(), 1)
            if OUTSIDE_PATH.search(line)]
    assert not hits, "files that reach outside the repository:\n" + "\n".join(hits)
