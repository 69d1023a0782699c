"""An independent implementation of experiment_comparison (CONTRACT.md version 2) in pandas.

It reads only staging rows (valid, deduplicated events and tickets) and the model_pricing
seed, rebuilds conversations, arms, populations and samples itself, and takes its tests
from statsmodels: the two-sample proportions z-test with unpooled variance
(``test_proportions_2indep(method="wald")``), the Welch z-test of two means
(``CompareMeans.ztest_ind(usevar="unequal")``), the one-sample proportion z-test of the
sample ratio (``proportions_ztest`` with ``prop_var``) and Holm's correction
(``multipletests(method="holm")``). Only the ratio's delta-method variance is written
from the formula (tests_py/test_experiment_statistics.py checks it against a bootstrap).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportions_ztest, test_proportions_2indep
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

Z_95 = 1.959964  # CONTRACT conventions: 95 % intervals use z = 1.959964
Z_80 = 0.841621  # z of 80 % power (mde_abs)
PROPORTIONS = ("conversation_completion_rate", "support_deflection_rate", "conversation_escalation_rate")
RATIO = "cost_per_successful_outcome"


@dataclass(frozen=True)
class Settings:
    """The dbt vars the formulas depend on."""

    launch_date: date
    deflection_window_days: int = 7
    expected_treatment_share: float = 0.5


# --- units ---------------------------------------------------------------------------------------


def _priced_cost(responses: pd.DataFrame, pricing: pd.DataFrame) -> pd.Series:
    """cost_usd when given, else tokens priced from model_pricing, else 0."""
    prices = pricing.set_index("model_used")
    inp = responses.model_used.map(prices.input_usd_per_1k_tokens)
    out = responses.model_used.map(prices.output_usd_per_1k_tokens)
    priced = (responses.input_tokens.fillna(0).astype(float) / 1000 * inp
              + responses.output_tokens.fillna(0).astype(float) / 1000 * out)
    return responses.cost_usd.astype(float).fillna(priced).fillna(0.0)


def _tickets_in_window(conv: pd.DataFrame, tickets: pd.DataFrame, key: str, window: timedelta) -> set[str]:
    """Conversations with a ticket sharing ``key`` created in [start, start + window]."""
    left = conv[list(dict.fromkeys(["conversation_id", "started_at", key]))].dropna(subset=[key])
    right = tickets[[key, "created_at"]].dropna(subset=[key])
    pairs = left.merge(right, on=key)
    hit = (pairs.created_at >= pairs.started_at) & (pairs.created_at <= pairs.started_at + window)
    return set(pairs.conversation_id[hit])


def conversations(events: pd.DataFrame, tickets: pd.DataFrame, pricing: pd.DataFrame,
                  settings: Settings) -> pd.DataFrame:
    """One row per conversation: attributes of its earliest valid event and its outcomes."""
    order = events.event_name.map({"ai_user_prompt_created": 1, "ai_llm_response_received": 2}).fillna(3)
    first = (events.assign(event_order=order)
             .sort_values(["conversation_id", "occurred_at", "event_order", "event_id"])
             .drop_duplicates("conversation_id"))
    conv = first[["conversation_id", "user_id", "workflow", "feature_flag_state", "occurred_at"]]
    conv = conv.rename(columns={"occurred_at": "started_at"}).reset_index(drop=True)

    actions = events[events.event_name == "ai_user_action"]
    completing = actions[(actions.action_type == "accepted") | (actions.conversion_flag == True)]  # noqa: E712
    conv["completed"] = conv.conversation_id.isin(set(completing.conversation_id)).astype(float)
    escalating = actions[actions.action_type == "escalated"]
    conv["escalated"] = conv.conversation_id.isin(set(escalating.conversation_id)).astype(float)

    responses = events[events.event_name == "ai_llm_response_received"]
    cost = _priced_cost(responses, pricing).groupby(responses.conversation_id).sum()
    conv["cost"] = conv.conversation_id.map(cost).fillna(0.0)

    window = timedelta(days=settings.deflection_window_days)
    with_ticket = (_tickets_in_window(conv, tickets, "conversation_id", window)
                   | _tickets_in_window(conv, tickets, "user_id", window))
    conv["deflected"] = (~conv.conversation_id.isin(with_ticket)).astype(float)
    conv["is_post_launch"] = conv.started_at >= pd.Timestamp(settings.launch_date)
    conv["arm"] = conv.feature_flag_state.map({"control": "baseline", "treatment": "treatment"})
    return conv


def ticket_samples(tickets: pd.DataFrame, settings: Settings) -> dict[str, pd.DataFrame]:
    """pre_vs_post units: calendar days with their ticket counts, tickets with their minutes."""
    tickets = tickets[tickets.created_at.notna()]
    days = tickets.created_at.dt.normalize()
    spine = pd.date_range(days.min(), days.max(), freq="D")
    counts = days.value_counts().reindex(spine, fill_value=0).astype(float)
    ai_handled = tickets.is_ai_handled.astype("boolean").fillna(False).astype(bool)
    minutes = tickets.handle_minutes.astype(float).where(tickets.handle_minutes.notna() | ~ai_handled, 0.0)
    launch = pd.Timestamp(settings.launch_date)
    return {
        "tickets_per_day": pd.DataFrame({"arm": np.where(spine < launch, "baseline", "treatment"),
                                         "x": counts.to_numpy()}),
        "mean_handle_minutes": pd.DataFrame({"arm": np.where(days < launch, "baseline", "treatment"),
                                             "x": minutes}).dropna(subset=["x"]),
    }


# --- statistics ----------------------------------------------------------------------------------


def delta_method_variance(c: np.ndarray, k: np.ndarray) -> float:
    """se^2 of mean(c) / mean(k): (var c / k^2 - 2 c cov / k^3 + c^2 var k / k^4) / n."""
    n = c.size
    cbar, kbar = c.mean(), k.mean()
    if n < 2 or kbar == 0:
        return math.nan
    var_c, var_k = c.var(ddof=1), k.var(ddof=1)
    cov = np.cov(c, k, ddof=1)[0, 1]
    return float((var_c / kbar**2 - 2 * cbar * cov / kbar**3 + cbar**2 * var_k / kbar**4) / n)


def _arm(values: pd.DataFrame, statistic: str) -> tuple[int, float, float]:
    """(n, value, se^2) of one arm's samples (columns x, and k for the ratio)."""
    n = len(values)
    if n == 0:
        return 0, math.nan, math.nan
    x = values.x.to_numpy(float)
    if statistic == "ratio":
        k = values.k.to_numpy(float)
        value = x.sum() / k.sum() if k.sum() != 0 else math.nan
        return n, value, delta_method_variance(x, k)
    value = float(x.mean())
    if statistic == "proportion":
        return n, value, value * (1 - value) / n
    return n, value, float(x.var(ddof=1)) / n if n > 1 else math.nan


def _z_and_p(statistic: str, base: pd.DataFrame, treat: pd.DataFrame, lift: float, se: float) -> tuple[float, float]:
    if not se > 0:
        return math.nan, math.nan
    if statistic == "proportion":
        res = test_proportions_2indep(treat.x.sum(), len(treat), base.x.sum(), len(base),
                                      method="wald", compare="diff")
        return float(res.statistic), float(res.pvalue)
    if statistic == "mean":
        z, p = CompareMeans(DescrStatsW(treat.x.to_numpy(float)),
                            DescrStatsW(base.x.to_numpy(float))).ztest_ind(usevar="unequal")
        return float(z), float(p)
    z = lift / se
    return z, float(2 * norm.sf(abs(z)))


def compare(comparison_type: str, metric_key: str, statistic: str, segment: tuple[str, str],
            samples: pd.DataFrame, settings: Settings) -> dict[str, Any]:
    """One output row from the samples of both arms (columns arm, x and, for the ratio, k)."""
    base, treat = samples[samples.arm == "baseline"], samples[samples.arm == "treatment"]
    n_b, v_b, s2_b = _arm(base, statistic)
    n_t, v_t, s2_t = _arm(treat, statistic)
    lift = v_t - v_b
    se = math.sqrt(s2_b + s2_t)
    z, p = _z_and_p(statistic, base, treat, lift, se)
    srm = math.nan
    if comparison_type == "control_vs_treatment" and n_b + n_t > 0:
        share = settings.expected_treatment_share
        srm = float(proportions_ztest(n_t, n_b + n_t, value=share, prop_var=share)[1])
    return {
        "comparison_type": comparison_type, "metric_key": metric_key,
        "segment_type": segment[0], "segment_value": segment[1],
        "baseline_n": n_b, "treatment_n": n_t, "baseline_value": v_b, "treatment_value": v_t,
        "abs_lift": lift, "rel_lift": lift / v_b if v_b != 0 else math.nan, "standard_error": se,
        "ci_low": lift - Z_95 * se, "ci_high": lift + Z_95 * se, "z_score": z, "p_value": p,
        "is_significant": bool(p < 0.05), "mde_abs": (Z_95 + Z_80) * se, "srm_p_value": srm,
    }


def holm(rows: pd.DataFrame) -> pd.Series:
    """Holm per family (comparison_type, segment_type); a row without p counts in m as p = 1."""
    adjusted = pd.Series(math.nan, index=rows.index)
    for _, family in rows.groupby(["comparison_type", "segment_type"]):
        p = family.p_value.fillna(1.0).to_numpy()
        adjusted[family.index] = multipletests(p, method="holm")[1]
    return adjusted.where(rows.p_value.notna())


# --- the whole mart ------------------------------------------------------------------------------


def _conversation_samples(conv: pd.DataFrame) -> list[tuple[str, str, pd.DataFrame]]:
    assigned = conv[conv.is_post_launch & conv.arm.notna()]
    out = [(key, "proportion", assigned.assign(x=assigned[col]))
           for key, col in (("conversation_completion_rate", "completed"),
                            ("conversation_escalation_rate", "escalated"))]
    support = assigned[assigned.workflow == "support_automation"]
    out.append(("support_deflection_rate", "proportion", support.assign(x=support.deflected)))
    out.append((RATIO, "ratio", assigned.assign(x=assigned.cost, k=assigned.completed)))
    return out


def expected_comparison(events: pd.DataFrame, tickets: pd.DataFrame, pricing: pd.DataFrame,
                        settings: Settings) -> pd.DataFrame:
    """Every row of experiment_comparison (plus standard_error), from staging rows."""
    conv = conversations(events, tickets, pricing, settings)
    post_days = conv[conv.is_post_launch].started_at.dt.date
    rows = []
    for key, statistic, samples in _conversation_samples(conv):
        rows.append(compare("control_vs_treatment", key, statistic, ("overall", "all"), samples, settings))
        for workflow, part in samples.dropna(subset=["workflow"]).groupby("workflow"):
            if part.arm.nunique() == 2:  # both arms hold a conversation of the population
                rows.append(compare("control_vs_treatment", key, statistic, ("workflow", str(workflow)),
                                    part, settings))
    for key, samples in ticket_samples(tickets, settings).items():
        rows.append(compare("pre_vs_post", key, "mean", ("overall", "all"), samples, settings))
    out = pd.DataFrame(rows)
    out["p_value_adjusted"] = holm(out)
    ticket_days = tickets.created_at.dt.date
    periods = {"control_vs_treatment": (post_days.min(), post_days.max()),
               "pre_vs_post": (ticket_days.min(), ticket_days.max())}
    out["period_start"] = out.comparison_type.map(lambda c: periods[c][0])
    out["period_end"] = out.comparison_type.map(lambda c: periods[c][1])
    return out
