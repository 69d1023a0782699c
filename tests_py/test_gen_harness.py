"""The pytest harness itself: raw data loaded, seeds built, dbt results recorded.

The whole-project assertion (``test_*_build_succeeds``) lists failing node ids;
the other checks only need `dbt seed`, so the harness can be trusted even
while models are still being written.
"""

from __future__ import annotations

from typing import Any

import pytest

from ai_ops_tools.raw_schema import RAW_TABLES

pytestmark = pytest.mark.slow


def _check_raw_loaded(project: Any) -> None:
    for name in RAW_TABLES:
        (count,) = project.query(f"select count(*) from {project.raw(name)}")[0]
        assert count == project.truths["tables"][name]["raw_rows"], name


def _check_seed_and_relation(project: Any) -> None:
    seed = project.outcomes[0]
    assert seed.args[0] == "seed"
    assert seed.success, seed.summary()
    relation = project.relation("model_pricing")
    assert relation.startswith(f'"{project.schema}')
    models = {r[0] for r in project.query(f"select model_used from {relation}")}
    assert set(project.truths["vocabulary"]["models"]) <= models
    assert project.truths["vocabulary"]["unpriced_model"] not in models


def test_duckdb_raw_loaded(duckdb_project: Any) -> None:
    _check_raw_loaded(duckdb_project)


def test_duckdb_seed_and_relation_lookup(duckdb_project: Any) -> None:
    _check_seed_and_relation(duckdb_project)


def test_duckdb_dbt_helper_runs_more_commands(duckdb_project: Any) -> None:
    outcome = duckdb_project.dbt(["ls", "--resource-type", "seed"])
    assert outcome.success, outcome.summary()


def test_duckdb_build_succeeds(duckdb_project: Any) -> None:
    duckdb_project.assert_build_ok()


@pytest.mark.postgres
def test_postgres_raw_loaded(postgres_project: Any) -> None:
    _check_raw_loaded(postgres_project)


@pytest.mark.postgres
def test_postgres_seed_and_relation_lookup(postgres_project: Any) -> None:
    _check_seed_and_relation(postgres_project)


@pytest.mark.postgres
def test_postgres_build_succeeds(postgres_project: Any) -> None:
    postgres_project.assert_build_ok()
