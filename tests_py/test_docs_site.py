"""The docs site (issue 18): `dbt docs generate` works on an empty and on a built warehouse.

Empty: a new DuckDB file and new Postgres schemas with no raw table: the site is written (index.html,
manifest.json, catalog.json; with --static one self-contained page) and the catalog holds no
relation. Built: the session builds, whose catalog holds every published mart with its columns.
Both: the overview page is the project's own `__overview__` block, which says what the project is
and where to start.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any

import pytest

from ai_ops_tools import loader
from conftest import DbtProject, _profiles_dir, postgres_settings_or_skip

pytestmark = [pytest.mark.slow]

START_HERE = ["ops_metrics", "roi_monthly", "experiment_comparison", "ai_metric_alerts"]


def _generate(project: DbtProject, *extra: str) -> dict[str, Any]:
    outcome = project.dbt(["docs", "generate", *extra])
    assert outcome.success, outcome.summary()
    target = project.workdir / "target"
    site = {name: target / name for name in ("index.html", "manifest.json", "catalog.json")}
    missing = [name for name, path in site.items() if not path.exists()]
    assert not missing, f"dbt docs generate wrote no {missing} in {target}"
    return {name: json.loads(path.read_text()) for name, path in site.items() if name.endswith(".json")}


def _check_overview(manifest: dict[str, Any]) -> None:
    overview = manifest["docs"].get("doc.ai_ops.__overview__")
    assert overview is not None, "the project has no __overview__ docs block: the site shows dbt's default page"
    text = overview["block_contents"]
    assert text.startswith("# ai_ops: is the AI work paying off?")
    assert "## Where to start" in text
    # the starting points it names are real models of the project
    models = {n["name"] for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    for name in START_HERE:
        assert f"**`{name}`**" in text and name in models, name


def _empty_project(target: str, workdir: Path) -> DbtProject:
    _profiles_dir(workdir)
    truths = {"config": {"launch_date": "2026-03-02"}}
    schema = f"pytest_docs_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    if target == "duckdb":
        path = workdir / "empty.duckdb"
        return DbtProject(target="duckdb", schema=schema, raw_schema=f"{schema}_raw", truths=truths, workdir=workdir,
                          env={"AI_OPS_TARGET": "duckdb", "AI_OPS_DUCKDB_PATH": str(path), "AI_OPS_SCHEMA": schema},
                          duckdb_path=path)
    return DbtProject(target="postgres", schema=schema, raw_schema=f"{schema}_raw", truths=truths, workdir=workdir,
                      env={"AI_OPS_TARGET": "postgres", "AI_OPS_SCHEMA": schema}, pg=postgres_settings_or_skip())


@pytest.mark.parametrize("target", ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_docs_generate_on_an_empty_warehouse(target: str, tmp_path: Path) -> None:
    project = _empty_project(target, tmp_path)
    try:
        artifacts = _generate(project, "--static")
        _check_overview(artifacts["manifest.json"])
        assert artifacts["catalog.json"]["nodes"] == {}, "an empty warehouse has no relation to describe"
        static = (project.workdir / "target" / "static_index.html").read_text()
        assert "__overview__" in static and "Where to start" in static
        # nothing was built: docs generate creates no relation
        assert project.relations() == []
    finally:
        if target == "postgres":
            loader.drop_postgres_schemas(project.schema)


def _check_built(project: DbtProject) -> None:
    project.assert_build_ok()
    artifacts = _generate(project)
    _check_overview(artifacts["manifest.json"])
    catalog = {n["metadata"]["name"]: n for n in artifacts["catalog.json"]["nodes"].values()}
    manifest = artifacts["manifest.json"]
    public = [n for n in manifest["nodes"].values()
              if n["resource_type"] == "model" and n["config"].get("access") == "public"]
    assert len(public) >= 10
    for node in public:
        assert node["name"] in catalog, f"{node['name']} is not in the catalog of the built warehouse"
        documented = {c.lower() for c in node["columns"]}
        assert documented == {c.lower() for c in catalog[node["name"]]["columns"]}, node["name"]


def test_docs_generate_on_the_built_duckdb_warehouse(duckdb_project: DbtProject) -> None:
    _check_built(duckdb_project)


@pytest.mark.postgres
def test_docs_generate_on_the_built_postgres_warehouse(postgres_project: DbtProject) -> None:
    _check_built(postgres_project)
