"""`dbt source freshness`: warn after 6 h, error after 24 h on loaded_at (every raw table).

One small raw data set (the session's generated tables) is re-timed three
times so that every table's newest ``loaded_at`` is 1 h, 10 h and 30 h before
now; dbt must report pass, warn and error for every source table. A last
case re-times with the generator's own ``shift_to_end_at`` (``--end-at``):
only the newest table is then guaranteed fresh. No models are built here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow.compute as pc
import pytest

from ai_ops_tools import loader
from ai_ops_tools.generator import GeneratedData, shift_to_end_at
from ai_ops_tools.raw_schema import RAW_TABLES
from helpers_rel import extra_project, shift_each_table, utc_hours_ago

pytestmark = pytest.mark.slow

# hours before now of every table's newest loaded_at -> expected dbt status
SCENARIOS = [(1, "pass"), (10, "warn"), (30, "error")]


def _statuses(outcome: Any) -> dict[str, str]:
    """{table name: freshness status} from a `dbt source freshness` outcome."""
    out: dict[str, str] = {}
    for r in getattr(outcome.result, "results", None) or []:
        status = str(getattr(r, "status", "")).split(".")[-1].lower()
        node = getattr(r, "node", None)
        if str(getattr(node, "resource_type", "")).split(".")[-1].lower() != "source":
            continue  # on-run-start/end hooks are reported too
        name = getattr(node, "name", None) or str(getattr(r, "unique_id", "?")).split(".")[-1]
        out[name] = status
    return out


def _load(project: Any, tables: dict[str, Any]) -> None:
    if project.target == "duckdb":
        loader.load_duckdb(tables, project.duckdb_path, project.raw_schema, progress=False)
    else:
        loader.load_postgres(tables, project.raw_schema, project.pg, progress=False)


def _check_scenarios(project: Any, generated: GeneratedData) -> None:
    problems = []
    for hours, expected in SCENARIOS:
        _load(project, shift_each_table(generated.tables, utc_hours_ago(hours)))
        outcome = project.dbt(["source", "freshness"])
        statuses = _statuses(outcome)
        assert set(statuses) == set(RAW_TABLES), (
            f"{hours} h: freshness did not report every raw table: "
            f"missing {sorted(set(RAW_TABLES) - set(statuses))}, exception {outcome.exception}"
        )
        wrong = {t: s for t, s in statuses.items() if s != expected}
        if wrong:
            problems.append(f"{hours} h old: expected {expected}, got {wrong}")
        # An error-level freshness failure fails the command; pass and warn do not.
        assert outcome.success == (expected != "error"), f"{hours} h: success={outcome.success}"
    assert not problems, "\n".join(problems)


def _check_end_at(project: Any, generated: GeneratedData) -> None:
    data = GeneratedData(tables=dict(generated.tables), truths={**generated.truths})
    shift_to_end_at(data, utc_hours_ago(1))
    newest_table = max(data.tables, key=lambda t: pc.max(data.tables[t].column("loaded_at")).as_py())
    _load(project, data.tables)
    statuses = _statuses(project.dbt(["source", "freshness"]))
    assert statuses[newest_table] == "pass", statuses


def test_duckdb_source_freshness(tmp_path: Path, generated: GeneratedData, truths: dict[str, Any]) -> None:
    with extra_project("duckdb", tmp_path / "fresh", None, truths) as project:
        _check_scenarios(project, generated)
        _check_end_at(project, generated)


@pytest.mark.postgres
def test_postgres_source_freshness(tmp_path: Path, generated: GeneratedData, truths: dict[str, Any],
                                   pg_settings: loader.PostgresSettings) -> None:
    with extra_project("postgres", tmp_path / "fresh", None, truths, pg=pg_settings, tag="relfresh") as project:
        _check_scenarios(project, generated)
        _check_end_at(project, generated)
