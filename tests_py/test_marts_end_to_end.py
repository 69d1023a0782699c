"""End to end: generated data with planted effects, built on DuckDB and Postgres.

The marts must (1) recover the planted effects, (2) agree with an independent
pandas implementation of the contract's formulas computed from the valid
(staged) events, and (3) be the same on both warehouses.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
import pytest

from ai_ops_tools import contract
from helpers_rel import frame

REL_TOL = 1e-9
MARTS_KEYS = {
    "ops_metrics": ["metric_key", "period_grain", "period_start", "segment_type", "segment_value"],
    "experiment_comparison": ["comparison_type", "metric_key", "segment_type", "segment_value"],
    "roi_monthly": ["month", "workflow"],
    "ai_workflow_funnel": ["week_start", "workflow"],
}


def mart(project: Any, name: str) -> pd.DataFrame:
    df = frame(project, f"select * from {project.relation(name)}")
    return df.sort_values(MARTS_KEYS[name]).reset_index(drop=True)


# --- planted effects ---------------------------------------------------------------------------


def test_experiment_comparison_recovers_planted_effects(duckdb_project: Any) -> None:
    duckdb_project.assert_build_ok()
    truths = duckdb_project.truths
    exp = mart(duckdb_project, "experiment_comparison")
    exp = exp[exp.segment_type == "overall"].set_index(["comparison_type", "metric_key"])
    assert set(contract.EXPERIMENT_KEYS) <= set(exp.index.get_level_values("metric_key"))

    arms = truths["effects"]["control_vs_treatment"]
    row = exp.loc[("control_vs_treatment", "conversation_completion_rate")]
    # the realised per-arm counts the generator wrote, independently of dbt
    assert row["baseline_n"] == arms["control"]["conversations"]
    assert row["treatment_n"] == arms["treatment"]["conversations"]
    assert math.isclose(row["baseline_value"], arms["control"]["completion_rate"], rel_tol=REL_TOL)
    assert math.isclose(row["treatment_value"], arms["treatment"]["completion_rate"], rel_tol=REL_TOL)
    planted = truths["effects"]["planted"]["completion_probability"]
    planted_lift = planted["treatment"] - planted["control"]
    assert row["ci_low"] <= planted_lift <= row["ci_high"], (planted_lift, row["ci_low"], row["ci_high"])
    # the unpooled standard error, recomputed
    p1, n1, p0, n0 = row["treatment_value"], row["treatment_n"], row["baseline_value"], row["baseline_n"]
    se = math.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)
    assert math.isclose(row["ci_high"] - row["ci_low"], 2 * 1.959964 * se, rel_tol=1e-9)
    assert math.isclose(row["p_value"], math.erfc(abs((p1 - p0) / se) / math.sqrt(2)), rel_tol=1e-9)

    tickets = truths["effects"]["pre_vs_post_tickets"]
    for key in ("tickets_per_day", "mean_handle_minutes"):
        got = exp.loc[("pre_vs_post", key)]
        want = tickets[key]
        assert got["baseline_n"] == want["baseline"]["n"], key
        assert got["treatment_n"] == want["treatment"]["n"], key
        assert math.isclose(got["baseline_value"], want["baseline"]["mean"], rel_tol=REL_TOL), key
        assert math.isclose(got["treatment_value"], want["treatment"]["mean"], rel_tol=REL_TOL), key
        se = math.sqrt(want["baseline"]["sample_variance"] / want["baseline"]["n"]
                       + want["treatment"]["sample_variance"] / want["treatment"]["n"])
        assert math.isclose(got["z_score"], (got["treatment_value"] - got["baseline_value"]) / se, rel_tol=1e-9)
        # fewer tickets and shorter handling after launch were planted, and are significant here
        assert got["abs_lift"] < 0 and bool(got["is_significant"]), key


def test_slow_model_version_has_the_highest_p95(duckdb_project: Any) -> None:
    duckdb_project.assert_build_ok()
    slow = duckdb_project.truths["effects"]["slow_model_version"]
    ops = mart(duckdb_project, "ops_metrics")
    p95 = ops[(ops.metric_key == "p95_latency_ms") & (ops.segment_type == "model_version")
              & (ops.period_grain == "month")]
    months_with_slow = p95[p95.segment_value == slow].period_start.unique()
    assert len(months_with_slow) > 0
    for month in months_with_slow:
        in_month = p95[p95.period_start == month].set_index("segment_value")["value"]
        others = in_month.drop(slow).dropna()
        assert (in_month[slow] > others).all(), (month, in_month.to_dict())


# --- an independent implementation of some formulas -------------------------------------------


def _as_date(value: Any) -> date:
    """A plain date from a date, datetime or pandas Timestamp (a Timestamp is also a date)."""
    return value.date() if isinstance(value, datetime) else value


def _dates_or_none(values: pd.Series) -> list[date | None]:
    """Plain dates, with None for a missing value (None or NaN)."""
    return [None if v is None or (isinstance(v, float) and math.isnan(v)) else _as_date(v) for v in values]


def _period(ts: pd.Series, grain: str) -> pd.Series:
    """First day of the ISO week (Monday) or month, as plain dates."""
    ts = pd.to_datetime(ts)
    if grain == "week":
        starts = ts.dt.normalize() - pd.to_timedelta(ts.dt.day_of_week, unit="D")
    else:
        starts = ts.dt.to_period("M").dt.start_time
    return starts.map(_as_date)


def _overall(ops: pd.DataFrame, key: str, grain: str) -> pd.Series:
    rows = ops[(ops.metric_key == key) & (ops.segment_type == "overall") & (ops.period_grain == grain)]
    return rows.set_index(rows.period_start.map(_as_date))["value"]


def _assert_series_close(got: pd.Series, want: pd.Series, key: str) -> None:
    got = got.dropna()
    want = want.dropna()
    assert sorted(got.index) == sorted(want.index), (key, sorted(set(got.index) ^ set(want.index)))
    for period, value in want.items():
        assert math.isclose(got[period], value, rel_tol=REL_TOL, abs_tol=1e-12), (key, period, got[period], value)


@pytest.mark.parametrize("grain", ["week", "month"])
def test_ai_event_metrics_match_an_independent_computation(duckdb_project: Any, grain: str) -> None:
    project = duckdb_project
    project.assert_build_ok()
    events = frame(project, f"select * from {project.relation('stg_telemetry__ai_events')}")
    pricing = frame(project, f"select * from {project.relation('model_pricing')}").set_index("model_used")
    ops = mart(project, "ops_metrics")

    responses = events[events.event_name == "ai_llm_response_received"].copy()
    responses["period"] = _period(responses.occurred_at, grain)
    by_period = responses.groupby("period")

    success = by_period.apply(lambda g: (g.response_status == "success").sum() / len(g))
    _assert_series_close(_overall(ops, "success_rate", grain), success, "success_rate")

    p95 = by_period.apply(
        lambda g: float(np.percentile(g.latency_ms.dropna(), 95, method="linear"))
        if g.latency_ms.notna().any() else np.nan
    )
    _assert_series_close(_overall(ops, "p95_latency_ms", grain), p95, "p95_latency_ms")

    def price(r: pd.Series) -> float:
        if pd.notna(r.cost_usd):
            return float(r.cost_usd)
        if r.model_used in pricing.index:
            p = pricing.loc[r.model_used]
            return float(np.nan_to_num(r.input_tokens) / 1000 * p.input_usd_per_1k_tokens
                         + np.nan_to_num(r.output_tokens) / 1000 * p.output_usd_per_1k_tokens)
        return 0.0

    responses["cost"] = responses.apply(price, axis=1)
    _assert_series_close(_overall(ops, "ai_cost_usd", grain), responses.groupby("period").cost.sum(), "ai_cost_usd")

    # conversations: time and arm of the earliest valid event; completed by any accepted/converting action
    first = events.sort_values("occurred_at").groupby("conversation_id").occurred_at.min()
    actions = events[events.event_name == "ai_user_action"]
    completed_ids = set(actions[(actions.action_type == "accepted") | (actions.conversion_flag == True)]  # noqa: E712
                        .conversation_id)
    conv = pd.DataFrame({"started_at": first})
    conv["period"] = _period(conv.started_at, grain)
    conv["completed"] = conv.index.isin(completed_ids)
    completion = conv.groupby("period").completed.mean()
    _assert_series_close(_overall(ops, "conversation_completion_rate", grain), completion,
                         "conversation_completion_rate")

    all_events = events.copy()
    all_events["period"] = _period(all_events.occurred_at, grain)
    all_events["lag_minutes"] = (pd.to_datetime(all_events.loaded_at)
                                 - pd.to_datetime(all_events.occurred_at)).dt.total_seconds() / 60
    freshness = all_events.groupby("period").lag_minutes.median()
    _assert_series_close(_overall(ops, "data_freshness_minutes", grain), freshness, "data_freshness_minutes")

    if grain == "week":
        prompts = all_events[(all_events.event_name == "ai_user_prompt_created") & all_events.user_id.notna()]
        wau = prompts.groupby("period").user_id.nunique().astype(float)
        _assert_series_close(_overall(ops, "weekly_active_users", "week"), wau, "weekly_active_users")


def test_every_metric_key_has_an_overall_row_for_every_period(duckdb_project: Any) -> None:
    duckdb_project.assert_build_ok()
    ops = mart(duckdb_project, "ops_metrics")
    overall = ops[ops.segment_type == "overall"]
    assert set(overall.metric_key) == set(contract.METRIC_KEYS)
    for grain in ("week", "month"):
        periods = set(overall[overall.period_grain == grain].period_start)
        for key in contract.METRIC_KEYS:
            if (key == "weekly_active_users" and grain == "month") or (
                key in ("total_cost_usd", "roi") and grain == "week"
            ):
                continue
            have = set(overall[(overall.period_grain == grain) & (overall.metric_key == key)].period_start)
            assert have == periods, (key, grain, sorted(periods - have))
    no_data = ops[ops.status == "no_data"]
    assert no_data.value.isna().all()


# --- the two warehouses agree ------------------------------------------------------------------


def _assert_frames_equal(a: pd.DataFrame, b: pd.DataFrame, name: str) -> None:
    assert list(a.columns) == list(b.columns), name
    assert len(a) == len(b), (name, len(a), len(b))
    for col in a.columns:
        left, right = a[col], b[col]
        if pd.api.types.is_numeric_dtype(left) and not pd.api.types.is_bool_dtype(left):
            left_f, right_f = left.astype(float), right.astype(float)
            both_null = left_f.isna() & right_f.isna()
            close = np.isclose(left_f, right_f, rtol=REL_TOL, atol=1e-12)
            bad = ~(both_null | close)
            assert not bad.any(), (name, col, a[bad].head(5).to_dict("records"), right_f[bad].head(5).tolist())
        else:
            assert _dates_or_none(left) == _dates_or_none(right), (name, col)


@pytest.mark.postgres
@pytest.mark.parametrize("name", sorted(MARTS_KEYS))
def test_duckdb_and_postgres_publish_the_same_marts(duckdb_project: Any, postgres_project: Any, name: str) -> None:
    duckdb_project.assert_build_ok()
    postgres_project.assert_build_ok()
    _assert_frames_equal(mart(duckdb_project, name), mart(postgres_project, name), name)
