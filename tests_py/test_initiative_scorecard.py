"""The leadership marts on the session's built data (DuckDB and Postgres).

- The planted outcome stories (ai_ops_tools.generator_outcomes, written into truths.json as
  `outcome_contracts`) show in initiative_scorecard: each initiative's first and last
  complete-month recommendation, and all four recommendation values over the months.
- cost_breakdown_monthly adds up to roi_monthly.total_cost_usd per month and workflow (and
  to the `all` row per month), recomputed here in Python beside the dbt singular test.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date
from typing import Any

import pytest

from ai_ops_tools.generator_outcomes import outcome_truths
from conftest import DbtProject

LAST_COMPLETE_MONTH_END = date(2026, 6, 30)  # the demo calendar's data ends on 2026-07-05


def _scorecard(project: DbtProject) -> dict[str, list[tuple[Any, str]]]:
    rows = project.query(
        f"select initiative_id, period_start, recommendation from {project.relation('initiative_scorecard')} "
        f"order by initiative_id, period_start")
    out: dict[str, list[tuple[Any, str]]] = defaultdict(list)
    for initiative, start, rec in rows:
        start = start.date() if hasattr(start, "date") else start
        if start <= LAST_COMPLETE_MONTH_END:
            out[initiative].append((start, rec))
    return out


def _check_plants(project: DbtProject) -> None:
    project.assert_build_ok()
    truths = outcome_truths()
    scorecard = _scorecard(project)
    assert set(scorecard) == set(truths["initiatives"])
    shown: set[str] = set()
    for initiative, plant in truths["initiatives"].items():
        history = scorecard[initiative]
        recs = [rec for _, rec in history]
        assert recs[0] == plant["first_review"], (initiative, recs)
        assert recs[-1] == plant["final"], (initiative, recs)
        assert set(recs) == set(plant["recommendations"]), (initiative, recs)
        shown |= set(recs)
    assert shown == set(truths["recommendations_shown"]) == {"expand", "adjust", "hold", "wind_down"}


def _check_cost_sums(project: DbtProject) -> None:
    project.assert_build_ok()
    breakdown = project.query(
        f"select month, workflow, cost_category, amount_usd from {project.relation('cost_breakdown_monthly')}")
    sums: dict[tuple[Any, str], float] = defaultdict(float)
    for month, workflow, category, amount in breakdown:
        assert amount is not None
        if category != "agent_usage":
            sums[(month, workflow)] += amount
            sums[(month, "all")] += amount
    roi = project.query(f"select month, workflow, total_cost_usd from {project.relation('roi_monthly')}")
    assert roi
    for month, workflow, total in roi:
        assert math.isclose(sums.get((month, workflow), 0.0), total, rel_tol=1e-9, abs_tol=1e-6), (month, workflow)
    categories = {c for _, _, c, _ in breakdown}
    assert {"model_usage", "agent_usage", "headcount"} <= categories
    assert not any(w == "all" for _, w, _, _ in breakdown)


def test_scorecard_shows_the_planted_recommendations_duckdb(duckdb_project: DbtProject) -> None:
    _check_plants(duckdb_project)


@pytest.mark.postgres
def test_scorecard_shows_the_planted_recommendations_postgres(postgres_project: DbtProject) -> None:
    _check_plants(postgres_project)


def test_cost_breakdown_adds_up_to_roi_monthly_duckdb(duckdb_project: DbtProject) -> None:
    _check_cost_sums(duckdb_project)


@pytest.mark.postgres
def test_cost_breakdown_adds_up_to_roi_monthly_postgres(postgres_project: DbtProject) -> None:
    _check_cost_sums(postgres_project)
