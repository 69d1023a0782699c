"""The version-2 raw tables: event_deliveries (the pipeline's routing log) and quality_reviews.

Both are drawn from the valid events the generator already wrote, with their
own random stream (seeded from the configuration's seed), so adding them
changes none of the other tables. The planted values and the values they
realise (computed here with numpy, independently of the SQL) go into the
truths file under ``v2_metrics``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ai_ops_tools.generator_tables import DAY_US, HOUR_US, MINUTE_US, US, _delay, _ids, _pick, _plant, _ts
from ai_ops_tools.raw_schema import arrow_schema

if TYPE_CHECKING:
    from ai_ops_tools.generator import Conversations, EventFrame, GenConfig, Users

# planted shares
NO_DELIVERY_P = 0.03  # valid events the pipeline never logged: audit completeness about 0.97
EXPERIMENTATION_P = 0.5  # events also routed to the experimentation tool (4 destinations, else 3)
CONSENT_LEAK_P = 0.15  # consent-required deliveries of opted-out users wrongly delivered
SENSITIVE_BLOCK_P = 0.03  # observability deliveries blocked for sensitive content
POLICY_BLOCK_P = 0.01  # product analytics deliveries blocked by policy
REVIEWED_P = 0.3  # responses sampled for review
HUMAN_P = 0.4  # reviewed responses that a person grades too (beside the LLM judge)
RULE_P = 0.3  # reviewed responses a rule grades too
JUDGE_AGREEMENT_P = 0.85  # the LLM judge agrees with the person
OVERRIDE_P = 0.12  # human reviews overriding the AI's recommended action
KPI_LINK_P = 0.4  # agent decisions whose kpi_link names a CRM outcome

# (destination, class, payload, requires_consent)
DESTINATIONS: tuple[tuple[str, str, str, bool], ...] = (
    ("warehouse", "secure", "raw", False),
    ("product_analytics", "external", "redacted", True),
    ("observability_vendor", "external", "classified", False),
    ("experimentation", "external", "classified", True),
)
RUBRICS: tuple[str, ...] = ("resolution_accuracy", "brand_voice")
ERROR_CATEGORIES: tuple[str, ...] = ("hallucination", "tone", "incomplete", "policy")
ORPHAN_EVENT_ID = "evt-9999999999"


@dataclass
class V2Input:
    cfg: GenConfig
    users: Users
    conv: Conversations
    ev: EventFrame
    workflows: tuple[str, ...]


def _rng(cfg: GenConfig) -> np.random.Generator:
    return np.random.default_rng([cfg.seed, 13])


def _month(us: np.ndarray) -> np.ndarray:
    return np.asarray(us, dtype=np.int64).astype("datetime64[us]").astype("datetime64[M]")


def _per_month(us: np.ndarray, weights: np.ndarray) -> dict[str, float]:
    months = _month(us)
    return {str(m) + "-01": float(weights[months == m].sum()) for m in np.unique(months)}


# --- deliveries -------------------------------------------------------------------------------


def _delivery_rows(inp: V2Input, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """One entry per (valid event, destination) delivery, with its outcome."""
    c = inp.ev.cols
    n = inp.ev.size
    logged = rng.random(n) >= NO_DELIVERY_P
    to_exp = rng.random(n) < EXPERIMENTATION_P
    ev_idx, dest = [], []
    for dest_no in range(len(DESTINATIONS)):
        sel = np.flatnonzero(logged & (to_exp if dest_no == 3 else True))
        ev_idx.append(sel)
        dest.append(np.full(sel.size, dest_no, np.int8))
    e, d = np.concatenate(ev_idx), np.concatenate(dest)
    order = np.lexsort((d, e))
    e, d = e[order], d[order]
    m = e.size
    consented = inp.users.consent[c["user"][e]]
    requires = np.array([x[3] for x in DESTINATIONS])[d]
    r = rng.random(m)
    # 0 delivered, 1 blocked, 2 failed; block: 0 none, 1 consent, 2 sensitive_content, 3 policy
    outcome = np.where(r < 0.02, 2, 0).astype(np.int8)
    block = np.zeros(m, np.int8)
    refuse = requires & ~consented & (rng.random(m) >= CONSENT_LEAK_P)
    outcome[refuse], block[refuse] = 1, 1
    sensitive = (d == 2) & (rng.random(m) < SENSITIVE_BLOCK_P)
    policy = (d == 1) & ~refuse & (rng.random(m) < POLICY_BLOCK_P)
    outcome[sensitive], block[sensitive] = 1, 2
    outcome[policy], block[policy] = 1, 3
    payload = np.array([1 if x[2] == "redacted" else 0 if x[2] == "raw" else 2 for x in DESTINATIONS])[d]
    n_leaks = max(3, m // 2000)
    leaks = rng.choice(np.flatnonzero((d == 2) & (outcome == 0)), size=n_leaks, replace=False)
    payload[leaks] = 0  # raw text to an external tool: each one is a leak
    routed = c["occurred"][e] + rng.integers(US, 30 * US, m)
    return {"event": e, "dest": d, "outcome": outcome, "block": block, "payload": payload,
            "routed": routed, "consented": consented, "requires": requires, "logged": logged}


def _delivery_table(rows: dict[str, np.ndarray], event_ids: pa.Array, rng: np.random.Generator) -> pa.Table:
    m = rows["event"].size
    d = rows["dest"]
    block = rows["block"]
    return pa.table(
        [
            _ids("dlv-", np.arange(m), 9), event_ids,
            _pick(tuple(x[0] for x in DESTINATIONS), d), _pick(tuple(x[1] for x in DESTINATIONS), d),
            _pick(("raw", "redacted", "classified"), rows["payload"]), pa.array(rows["requires"]),
            _pick(("delivered", "blocked", "failed"), rows["outcome"]),
            pc.if_else(pa.array(block == 0), pa.scalar(None, pa.string()),
                       _pick(("", "consent", "sensitive_content", "policy"), block)),
            _pick(("route-v1", "route-v2"), (rows["routed"] % 2).astype(np.int64)),
            _ts(rows["routed"]), _ts(rows["routed"] + _delay(rng, m)),
        ],
        schema=arrow_schema("event_deliveries"),
    )


def _orphan_deliveries(table: pa.Table) -> pa.Table:
    """Deliveries naming no valid event: one raw leak (counted) and consent-required ones (left out)."""
    n = 4
    part = table.slice(0, n)
    values = {
        "delivery_id": pa.array([f"dlv-orphan-{i}" for i in range(n)]),
        "event_id": pa.array([ORPHAN_EVENT_ID] * n),
        "destination": pa.array(["observability_vendor"] + ["product_analytics"] * (n - 1)),
        "destination_class": pa.array(["external"] * n),
        "payload_kind": pa.array(["raw"] + ["redacted"] * (n - 1)),
        "requires_consent": pa.array([False] + [True] * (n - 1)),
        "outcome": pa.array(["delivered"] * n),
        "block_reason": pa.nulls(n, pa.string()),
    }
    for name, arr in values.items():
        part = part.set_column(part.schema.get_field_index(name), name, arr)
    return part


def _bad_copies(table: pa.Table, prefix: str, changes: dict[str, dict[str, pa.Array]],
                key: str) -> tuple[pa.Table, dict[str, int]]:
    """Copies of the first rows, one defect each, with fresh keys (two rows per kind, named by the reason)."""
    parts, counts, start = [], {}, 0
    for kind, cols in changes.items():
        part = table.slice(start, 2)
        start += 2
        cols = {key: pa.array([f"{prefix}{kind.replace(' ', '-')}-{i}" for i in range(2)]), **cols}
        for name, arr in cols.items():
            part = part.set_column(part.schema.get_field_index(name), name, arr)
        parts.append(part)
        counts[kind] = 2
    return pa.concat_tables(parts), counts


def _with_bad_rows(rng: np.random.Generator, clean: pa.Table, key: str, prefix: str,
                   changes: dict[str, dict[str, pa.Array]]) -> tuple[pa.Table, dict[str, Any]]:
    """The raw table: clean rows, later duplicates, a missing key and two rows per other defect."""
    raw, truth = _plant(rng, clean, key, max(2, clean.num_rows // 200))
    bad, counts = _bad_copies(clean, prefix, changes, key)
    raw = pa.concat_tables([raw, bad])
    truth["raw_rows"] = raw.num_rows
    truth["invalid_by_reason"].update(counts)
    return raw, truth


def _delivery_truths(inp: V2Input, rows: dict[str, np.ndarray]) -> dict[str, Any]:
    c = inp.ev.cols
    in_consent = rows["requires"] & ~np.isin(rows["block"], (2, 3))
    matches = np.where(rows["consented"], rows["outcome"] != 1, rows["outcome"] == 1) & in_consent
    sens = rows["block"] == 2
    sens_events = np.flatnonzero(sens)[np.unique(rows["event"][sens], return_index=True)[1]]
    leak = (rows["outcome"] == 0) & (rows["payload"] == 0) & (rows["dest"] != 0)
    return {
        "planted": {"no_delivery_share": NO_DELIVERY_P, "consent_leak_share": CONSENT_LEAK_P},
        "consent_enforcement_rate": {"numerator": int(matches.sum()), "denominator": int(in_consent.sum())},
        "audit_completeness": {"numerator": int(rows["logged"].sum()), "denominator": int(c["occurred"].size)},
        # the orphan raw leak is counted too: that formula does not need the event
        "sensitive_destinations_blocked": {
            "total": int(sens_events.size),
            "by_month": _per_month(rows["routed"][sens_events], np.ones(sens_events.size)),
        },
        "raw_text_external_deliveries": {
            "total": int(leak.sum()) + 1,
            "by_month_without_orphan": _per_month(rows["routed"][leak], np.ones(int(leak.sum()))),
        },
    }


def deliveries(inp: V2Input) -> tuple[pa.Table, dict[str, Any], dict[str, Any]]:
    """raw.event_deliveries with planted bad rows, its table truths and its metric truths."""
    rng = _rng(inp.cfg)
    rows = _delivery_rows(inp, rng)
    event_ids = _ids("evt-", inp.ev.cols["event_no"][rows["event"]], 10)
    clean = _delivery_table(rows, event_ids, rng)
    clean = pa.concat_tables([clean, _orphan_deliveries(clean)])
    raw, truth = _with_bad_rows(rng, clean, "delivery_id", "dlv-bad-", {
        "unknown outcome": {"outcome": pa.array(["bounced", None])},
        "blocked without block_reason": {"outcome": pa.array(["blocked"] * 2), "block_reason": pa.array([None, " "])},
        "missing routed_at": {"routed_at": pa.nulls(2, pa.timestamp("us"))},
    })
    return raw, truth, _delivery_truths(inp, rows)


# --- reviews ----------------------------------------------------------------------------------


def _review_draws(inp: V2Input, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Per reviewed response: rubric, true quality, the person's and the judge's verdicts."""
    c = inp.ev.cols
    resp = np.flatnonzero(c["type"] == 1)
    reviewed = resp[rng.random(resp.size) < REVIEWED_P]
    k = reviewed.size
    quality = rng.random(k) < 0.8
    human = rng.random(k) < HUMAN_P
    human_passed = np.where(rng.random(k) < JUDGE_AGREEMENT_P, quality, ~quality)
    rereview = human & (rng.random(k) < 0.05)
    return {
        "event": reviewed, "rubric": rng.integers(0, len(RUBRICS), k), "quality": quality,
        "human": human, "human_passed": human_passed, "rereview": rereview,
        "rule": rng.random(k) < RULE_P, "rule_passed": quality | (rng.random(k) < 0.1),
        "n_responses": np.array(resp.size),
    }


def _review_rows(inp: V2Input, draws: dict[str, np.ndarray], rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Rows as arrays: reviewer 0 human, 1 llm_judge, 2 rule; event -1 = a conversation review."""
    occ = inp.ev.cols["occurred"][draws["event"]]
    h, rr, ru = draws["human"], draws["rereview"], draws["rule"]
    first_human_at = occ[h] + rng.integers(DAY_US, 6 * DAY_US, int(h.sum()))
    segments = [  # (row mask over reviewed responses, reviewer, passed, reviewed_at)
        (np.ones(h.size, bool), 1, draws["quality"], occ + rng.integers(10 * MINUTE_US, 2 * HOUR_US, h.size)),
        (h, 0, draws["human_passed"][h], first_human_at),
        (rr, 0, ~draws["human_passed"][rr], first_human_at[rr[h]] + rng.integers(HOUR_US, 2 * DAY_US, int(rr.sum()))),
        (ru, 2, draws["rule_passed"][ru], occ[ru] + rng.integers(US, 60 * US, int(ru.sum()))),
    ]
    idx = np.arange(h.size)
    out: dict[str, list[np.ndarray]] = {k: [] for k in ("pos", "reviewer", "passed", "at")}
    for mask, reviewer, passed, at in segments:
        out["pos"].append(idx[mask])
        out["reviewer"].append(np.full(int(mask.sum()), reviewer, np.int8))
        out["passed"].append(np.asarray(passed, bool))
        out["at"].append(np.asarray(at, np.int64))
    rows = {k: np.concatenate(v) for k, v in out.items()}
    n_conv = max(3, h.size // 50)  # rule reviews of whole conversations: no event_id
    pos_conv = rng.integers(0, h.size, n_conv)
    rows["event_null"] = np.concatenate([np.zeros(rows["pos"].size, bool), np.ones(n_conv, bool)])
    rows["pos"] = np.concatenate([rows["pos"], pos_conv])
    rows["reviewer"] = np.concatenate([rows["reviewer"], np.full(n_conv, 2, np.int8)])
    rows["passed"] = np.concatenate([rows["passed"], rng.random(n_conv) < 0.7])
    rows["at"] = np.concatenate([rows["at"], occ[pos_conv] + rng.integers(HOUR_US, DAY_US, n_conv)])
    rows["override"] = (rows["reviewer"] == 0) & (rng.random(rows["pos"].size) < OVERRIDE_P)
    return rows


def _review_table(inp: V2Input, draws: dict[str, np.ndarray], rows: dict[str, np.ndarray],
                  rng: np.random.Generator) -> pa.Table:
    c = inp.ev.cols
    ev = draws["event"][rows["pos"]]
    n = ev.size
    passed = rows["passed"]
    score = np.round(np.where(passed, rng.uniform(3, 5, n), rng.uniform(1, 3, n)), 1)
    return pa.table(
        [
            _ids("rev-", np.arange(n), 8),
            pc.if_else(pa.array(rows["event_null"]), pa.scalar(None, pa.string()), _ids("evt-", c["event_no"][ev], 10)),
            _ids("conv-", c["conv"][ev], 8), _pick(inp.workflows, c["wf"][ev].astype(np.int64)),
            _pick(("human", "llm_judge", "rule"), rows["reviewer"]),
            _pick(RUBRICS, draws["rubric"][rows["pos"]]), pa.array(passed),
            pa.array(score, mask=rows["reviewer"] == 2), pa.array(rows["override"], mask=rows["reviewer"] != 0),
            pc.if_else(pa.array(passed), pa.scalar(None, pa.string()),
                       _pick(ERROR_CATEGORIES, rng.integers(0, len(ERROR_CATEGORIES), n))),
            _ts(rows["at"]), _ts(rows["at"] + _delay(rng, n)),
        ],
        schema=arrow_schema("quality_reviews"),
    )


def _review_truths(draws: dict[str, np.ndarray], rows: dict[str, np.ndarray]) -> dict[str, Any]:
    h = draws["human"]
    latest_human = np.where(draws["rereview"], ~draws["human_passed"], draws["human_passed"])
    agree = (latest_human == draws["quality"]) & h
    human_rows = rows["reviewer"] == 0
    return {
        "planted": {"judge_agreement_probability": JUDGE_AGREEMENT_P, "override_probability": OVERRIDE_P,
                    "reviewed_share": REVIEWED_P},
        "rubric_pass_rate": {"numerator": int(rows["passed"].sum()), "denominator": int(rows["passed"].size)},
        "judge_agreement_rate": {"numerator": int(agree.sum()), "denominator": int(h.sum())},
        "override_rate": {"numerator": int(rows["override"].sum()), "denominator": int(human_rows.sum())},
        "review_coverage": {"numerator": int(draws["event"].size), "denominator": int(draws["n_responses"])},
    }


def reviews(inp: V2Input) -> tuple[pa.Table, dict[str, Any], dict[str, Any]]:
    """raw.quality_reviews with planted bad rows, its table truths and its metric truths."""
    rng = np.random.default_rng([inp.cfg.seed, 14])
    draws = _review_draws(inp, rng)
    rows = _review_rows(inp, draws, rng)
    clean = _review_table(inp, draws, rows, rng)
    raw, truth = _with_bad_rows(rng, clean, "review_id", "rev-bad-", {
        "unknown reviewer_type": {"reviewer_type": pa.array(["crowd", None])},
        "missing passed": {"passed": pa.nulls(2, pa.bool_())},
        "missing reviewed_at": {"reviewed_at": pa.nulls(2, pa.timestamp("us"))},
    })
    return raw, truth, _review_truths(draws, rows)


# --- adoption and agent cost (truths only: computed from tables already written) ---------------


def _median_by_month(at_us: np.ndarray, values: np.ndarray) -> dict[str, float]:
    months = _month(at_us)
    return {str(m) + "-01": float(np.median(values[months == m])) for m in np.unique(months)}


def adoption_truths(inp: V2Input) -> dict[str, Any]:
    """time_to_first_value_hours and workflows_per_active_user per month, from the valid events."""
    c = inp.ev.cols
    prompt = c["type"] == 0
    user, occ = c["user"], c["occurred"]
    first = np.full(inp.users.n, np.iinfo(np.int64).max, np.int64)
    np.minimum.at(first, user[prompt], occ[prompt])
    value_ev = (c["type"] == 2) & ((c["action_type"] == 0) | (c["conversion"] & (c["conv_enc"] < 2)))
    value_ev &= occ >= first[user]
    first_value = np.full(inp.users.n, np.iinfo(np.int64).max, np.int64)
    np.minimum.at(first_value, user[value_ev], occ[value_ev])
    has = (first_value < np.iinfo(np.int64).max) & (first < np.iinfo(np.int64).max)
    hours = (first_value[has] - first[has]) / (3600 * US)
    empty = c["mv_missing"] & c["pv_missing"] & (c["arm"] < 0) & (c["consent_enc"] == 2) & (c["extra_key"] == 0)
    has_wf = ~(c["wf_missing"] & ~empty)
    months = _month(occ[prompt])
    p_user, p_wf, p_has = user[prompt], c["wf"][prompt].astype(np.int64), has_wf[prompt]
    per_month = {}
    for m in np.unique(months):
        sel = months == m
        n_users = np.unique(p_user[sel]).size
        pairs = np.unique(p_user[sel & p_has] * 1000 + p_wf[sel & p_has]).size
        per_month[str(m) + "-01"] = pairs / n_users
    return {
        "time_to_first_value_hours": {"by_month": _median_by_month(first[has], hours),
                                      "users_with_value": int(has.sum())},
        "workflows_per_active_user": {"by_month": per_month},
    }


def link_kpis(cfg: GenConfig, kpi: pa.Array, n_outcomes: int) -> pa.Array:
    """A share of the decisions' kpi_link names a real CRM outcome (a few name none that exists)."""
    if n_outcomes == 0:
        return kpi
    rng = np.random.default_rng([cfg.seed, 15])
    n = len(kpi)
    r = rng.random(n)
    outcome = _ids("out-", rng.integers(0, n_outcomes, n), 8)
    kpi = pc.if_else(pa.array(r < KPI_LINK_P), outcome, kpi)
    return pc.if_else(pa.array(r > 0.99), pa.scalar("out-99999999"), kpi)


def agent_cost_truths(decisions: pa.Table, outcomes: pa.Table) -> dict[str, Any]:
    """agent_cost_per_outcome per month from the valid, deduplicated raw rows."""
    dec = decisions.filter(pc.and_(pc.is_valid(decisions["decision_id"]), pc.is_valid(decisions["decided_at"])))
    _, first = np.unique(dec["decision_id"].to_numpy(zero_copy_only=False), return_index=True)
    dec = dec.take(pa.array(first))
    valid_outcomes = set(pc.drop_null(outcomes["outcome_id"]).to_pylist())
    months = _month(pc.cast(dec["decided_at"], pa.int64()).to_numpy())
    cost = dec["cost_usd"].to_numpy(zero_copy_only=False)
    links = np.array(dec["kpi_link"].to_pylist(), dtype=object)
    out = {}
    for m in np.unique(months):
        sel = months == m
        linked = {x for x in links[sel] if x in valid_outcomes}
        out[str(m) + "-01"] = float(cost[sel].sum() / len(linked)) if linked else None
    return {"by_month": out}
