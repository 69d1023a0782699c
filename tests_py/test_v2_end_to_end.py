"""End to end for CONTRACT.md version 2: event_deliveries, quality_reviews, the eleven new keys, the funnel.

The generator plants the values and computes what they realise with numpy, independently of
the SQL (truths ``v2_metrics``); the demo build on DuckDB and on Postgres must publish them.
Both warehouses publishing the same rows is checked for every mart in test_marts_end_to_end.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

REL_TOL = 1e-9
RATIO_KEYS = (
    "consent_enforcement_rate", "audit_completeness", "rubric_pass_rate", "judge_agreement_rate",
    "override_rate", "review_coverage",
)
MONTHLY_KEYS = ("time_to_first_value_hours", "workflows_per_active_user", "agent_cost_per_outcome")
COUNT_KEYS = ("sensitive_destinations_blocked", "raw_text_external_deliveries")
TARGETS = [
    "duckdb_project",
    pytest.param("postgres_project", marks=pytest.mark.postgres),
]


@pytest.fixture(params=TARGETS)
def project(request: pytest.FixtureRequest) -> Any:
    built = request.getfixturevalue(request.param)
    built.assert_build_ok()
    assert built.truths["time_shift_seconds"] == 0.0, "the per-month truths assume unshifted data"
    return built


def _monthly(project: Any, key: str) -> dict[str, tuple[Any, Any, Any]]:
    rows = project.query(
        f"select period_start, value, numerator, denominator from {project.relation('ops_metrics')} "
        f"where metric_key = '{key}' and period_grain = 'month' and segment_type = 'overall'")
    return {str(r[0])[:10]: (r[1], r[2], r[3]) for r in rows}


@pytest.mark.parametrize("key", RATIO_KEYS)
def test_ratio_keys_recover_the_realised_counts(project: Any, key: str) -> None:
    """Summed over the months, numerator and denominator are the generator's own counts."""
    want = project.truths["v2_metrics"][key]
    rows = _monthly(project, key).values()
    assert sum(float(r[1] or 0) for r in rows) == want["numerator"]
    assert sum(float(r[2] or 0) for r in rows) == want["denominator"]


@pytest.mark.parametrize("key", MONTHLY_KEYS)
def test_medians_means_and_cost_per_outcome_per_month(project: Any, key: str) -> None:
    want = project.truths["v2_metrics"][key]["by_month"]
    got = _monthly(project, key)
    assert want, key
    for month, value in want.items():
        if value is None:
            assert got[month][0] is None, (key, month)
        else:
            assert math.isclose(float(got[month][0]), value, rel_tol=REL_TOL), (key, month, got[month], value)
    # every other month of the spine has no value (no_data)
    assert all(got[m][0] is None for m in set(got) - set(want)), key


@pytest.mark.parametrize("key", COUNT_KEYS)
def test_counts_are_zero_not_no_data_where_nothing_matched(project: Any, key: str) -> None:
    truth = project.truths["v2_metrics"][key]
    got = _monthly(project, key)
    assert all(v[0] is not None for v in got.values()), f"{key}: a month without a value"
    assert sum(float(v[0]) for v in got.values()) == truth["total"]
    by_month = truth.get("by_month") or truth["by_month_without_orphan"]
    for month, count in by_month.items():
        assert float(got[month][0]) >= count, (key, month)
    assert any(float(v[0]) == 0 for v in got.values()), f"{key}: no month shows a measured 0"
    status = project.query(
        f"select count(*) from {project.relation('ops_metrics')} where metric_key = '{key}' and status = 'no_data'")
    assert status[0][0] == 0


def test_planted_rates_are_recovered(project: Any) -> None:
    """The realised rates lie within four binomial standard errors of the planted probabilities."""
    truths = project.truths["v2_metrics"]
    planted = truths["planted"]
    checks = {
        "audit_completeness": 1 - planted["no_delivery_share"],
        "judge_agreement_rate": planted["judge_agreement_probability"],
        "override_rate": planted["override_probability"],
        "review_coverage": planted["reviewed_share"],
    }
    for key, p in checks.items():
        rows = _monthly(project, key).values()
        n = sum(float(r[2] or 0) for r in rows)
        rate = sum(float(r[1] or 0) for r in rows) / n
        assert abs(rate - p) < 4 * math.sqrt(p * (1 - p) / n), (key, rate, p, n)


@pytest.mark.parametrize("table,model", [("event_deliveries", "pipeline__event_deliveries"),
                                         ("quality_reviews", "quality__quality_reviews")])
def test_bad_rows_quarantined_and_reconciled(project: Any, table: str, model: str) -> None:
    truth = project.truths["tables"][table]
    reasons = dict(project.query(
        f"select quarantine_reason, count(*) from {project.relation('quarantine_' + model)} group by 1"))
    # the generator names each planted defect by its quarantine reason; missing_key is its own
    want = {f"missing {truth['key']}" if k == "missing_key" else k: v for k, v in truth["invalid_by_reason"].items()}
    assert {k: int(v) for k, v in reasons.items()} == want
    stg = "stg_pipeline__event_deliveries" if table == "event_deliveries" else "stg_quality__reviews"
    (valid,) = project.query(f"select count(*) from {project.relation(stg)}")[0]
    (dups,) = project.query(f"select count(*) from {project.relation('base_' + model)} where is_duplicate")[0]
    (raw,) = project.query(f"select count(*) from {project.raw(table)}")[0]
    assert (valid, dups, raw) == (truth["valid_rows"], truth["planted_duplicates"], truth["raw_rows"])
    assert raw == valid + dups + sum(want.values())


def test_funnel_counts_every_conversation_once(project: Any) -> None:
    funnel = project.relation("ai_workflow_funnel")
    (total,) = project.query(f"select sum(conversations) from {funnel} where workflow = 'all'")[0]
    assert int(total) == project.truths["config"]["conversations"]
    # the demo's conversations all have a workflow: each week's `all` row sums its workflow rows
    mismatched = project.query(
        f"select week_start from {funnel} group by week_start having "
        "2 * sum(case when workflow = 'all' then conversations else 0 end) <> sum(conversations)")
    assert mismatched == []
    # completion as in ops_metrics' conversation_completion_rate, week by week
    differing = project.query(
        f"select funnel.week_start from {funnel} as funnel inner join {project.relation('ops_metrics')} as ops "
        "on ops.period_start = funnel.week_start and ops.period_grain = 'week' and ops.segment_type = 'overall' "
        "and ops.metric_key = 'conversation_completion_rate' "
        "where funnel.workflow = 'all' and abs(funnel.completion_rate - ops.value) > 1e-12")
    assert differing == []
