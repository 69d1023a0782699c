"""Synthetic raw data for all fifteen raw tables of CONTRACT.md section 1.

Everything is vectorised with numpy and pyarrow: at ten million events any
per-event Python code would cost minutes, so events are expanded from
per-conversation arrays with ``np.repeat`` and cumulative sums, and the JSON
``properties`` text is assembled column-wise from pre-rendered fragments.

Known effects, every planted bad row and every planted PII value are recorded
in a truths dict (written as JSON) so tests can check the dbt project against
values that were decided here, not read back from its output.
"""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from tqdm import tqdm

from ai_ops_tools import generator_otel as go
from ai_ops_tools import generator_quality as gq
from ai_ops_tools import generator_tables as gt
from ai_ops_tools.raw_schema import RAW_TABLES, arrow_schema
from ai_ops_tools.text_pools import NON_PII_LOOKALIKES, TextPool, build_pools

# --- fixed vocabularies (the model_pricing seed is written from MODELS) -------
WORKFLOWS: tuple[str, ...] = (
    "support_automation",
    "sales_assistant",
    "content_generation",
    "call_analysis",
    "marketing_attribution",
)
WORKFLOW_WEIGHTS: tuple[float, ...] = (0.34, 0.20, 0.20, 0.14, 0.12)
MODELS: tuple[str, ...] = ("gpt-4o", "gpt-4o-mini", "claude-3-5-sonnet", "claude-3-haiku", "llama-3-70b")
# Has no model_pricing row on purpose: its responses without cost_usd are unpriceable.
UNPRICED_MODEL = "unknown-model-x"
# USD per 1k tokens (input, output) used to fill cost_usd; suggested values for the seed.
MODEL_PRICES: dict[str, tuple[float, float]] = {
    "gpt-4o": (0.0025, 0.01),
    "gpt-4o-mini": (0.00015, 0.0006),
    "claude-3-5-sonnet": (0.003, 0.015),
    "claude-3-haiku": (0.00025, 0.00125),
    "llama-3-70b": (0.00059, 0.00079),
}
MODEL_VERSIONS: tuple[str, ...] = ("mv-2026.01", "mv-2026.02", "mv-2026.03", "mv-2026.04-xl")
SLOW_MODEL_VERSION = "mv-2026.04-xl"
PROMPT_VERSIONS: tuple[str, ...] = ("pv-1", "pv-2", "pv-3")
EVENT_NAMES: tuple[str, ...] = ("ai_user_prompt_created", "ai_llm_response_received", "ai_user_action")
ACTION_TYPES: tuple[str, ...] = ("accepted", "dismissed", "edited", "escalated")
ERROR_TYPES: tuple[str, ...] = ("timeout", "rate_limited", "content_filter", "server_error")
INTENTS: dict[str, tuple[str, ...]] = {
    "support_automation": ("billing", "password_reset", "bug_report", "order_status"),
    "sales_assistant": ("follow_up", "account_summary", "pricing"),
    "content_generation": ("announcement", "rewrite", "translation"),
    "call_analysis": ("call_summary", "objections", "scoring"),
    "marketing_attribution": ("channel_report", "campaign_compare"),
}

DEFAULT_START = date(2026, 1, 5)
DEFAULT_WEEKS = 26
DEFAULT_LAUNCH = date(2026, 3, 2)
DEFAULT_CONVERSATIONS = 500

US = 1_000_000
HOUR_US = 3600 * US
DAY_US = 86400 * US
EPOCH = datetime(1970, 1, 1)

# CONTRACT section 4 reasons planted in ai_events, one defect per row.
EVENT_BAD_KINDS: tuple[str, ...] = (
    "missing_event_id",
    "missing_conversation_id",
    "missing_occurred_at",
    "unknown_event_name",
    "properties_null",
    "properties_invalid_json",
    "properties_array",
    "properties_scalar",
    "properties_json_null",
    "negative_latency_ms",
    "negative_token_count",
    "negative_cost_usd",
    "occurred_after_loaded",
)

# Planted effects (probabilities); realised values are computed and stored too.
COMPLETION_P = {"control": 0.50, "treatment": 0.62, "unknown": 0.55, "pilot": 0.45}
TICKET_AFTER_SUPPORT_P = {"control": 0.40, "treatment": 0.26, "unknown": 0.33, "pilot": 0.45}
SLOW_LATENCY_FACTOR = 2.6


@dataclass(frozen=True)
class GenConfig:
    """What to generate. Give either ``conversations`` or ``events`` (total raw ai_events rows)."""

    seed: int = 42
    conversations: int | None = None
    events: int | None = None
    start_date: date = DEFAULT_START
    weeks: int = DEFAULT_WEEKS
    launch_date: date = DEFAULT_LAUNCH
    end_at: datetime | None = None
    progress: bool = True
    # Experiment plants (experiment_comparison); the defaults leave the data unchanged.
    # A share assigns every conversation's arm independently, treatment with this probability
    # (0.5: a correct 50/50 split; else a sample-ratio mismatch); None: the arm of the user.
    srm_treatment_share: float | None = None
    # K > 0: post-launch conversations spread evenly over K workflows workflow_000.. whose
    # completion probabilities differ by arm by a known lift, drawn in [-max, max] (0: no lift).
    lift_workflows: int = 0
    max_workflow_lift: float = 0.15

    def __post_init__(self) -> None:
        _check_experiment_plants(self)
        if self.conversations is not None and self.events is not None:
            raise ValueError("give --conversations or --events, not both")
        if self.conversations is not None and self.conversations < 20:
            raise ValueError("--conversations must be at least 20 so every planted effect has data")
        if self.events is not None and self.events < 500:
            raise ValueError("--events must be at least 500 so every bad-row kind can be planted")
        if self.start_date.weekday() != 0:
            raise ValueError(f"--start-date {self.start_date} is not a Monday: weeks are ISO weeks")
        if self.weeks < 4:
            raise ValueError("--weeks must be at least 4")
        end = self.start_date + timedelta(weeks=self.weeks)
        if not self.start_date + timedelta(days=14) <= self.launch_date < end - timedelta(days=14):
            raise ValueError(
                f"--launch-date {self.launch_date} must lie at least 14 days inside the window "
                f"{self.start_date}..{end} so both pre- and post-launch periods have data"
            )

    @property
    def start_us(self) -> int:
        return _to_us(datetime.combine(self.start_date, datetime.min.time()))

    @property
    def launch_us(self) -> int:
        return _to_us(datetime.combine(self.launch_date, datetime.min.time()))

    @property
    def n_days(self) -> int:
        return self.weeks * 7


def _check_experiment_plants(cfg: GenConfig) -> None:
    share = cfg.srm_treatment_share
    if share is not None and not 0.0 < share < 1.0:
        raise ValueError(f"--srm-treatment-share {share} must lie strictly between 0 and 1 (0.5: a correct split)")
    if cfg.lift_workflows < 0:
        raise ValueError(f"--lift-workflows {cfg.lift_workflows} must be 0 (no plant) or a number of workflows")
    if not 0.0 <= cfg.max_workflow_lift <= 0.3:
        raise ValueError(f"--max-workflow-lift {cfg.max_workflow_lift} must lie in [0, 0.3] so rates stay in (0, 1)")


def lift_workflow_names(cfg: GenConfig) -> tuple[str, ...]:
    """The workflow names rendered into the events: K planted ones, else the usual five."""
    if cfg.lift_workflows == 0:
        return WORKFLOWS
    return tuple(f"workflow_{i:03d}" for i in range(cfg.lift_workflows))


def planted_workflow_completion(cfg: GenConfig) -> dict[str, dict[str, float]]:
    """Completion probability per planted workflow and arm, and the lift treatment - control.

    A generator of its own (seeded from cfg.seed) so the plan does not depend on the data size.
    """
    if cfg.lift_workflows == 0:
        return {}
    rng = np.random.default_rng([cfg.seed, 14, 2])
    control = rng.uniform(0.35, 0.65, size=cfg.lift_workflows)
    treatment = control + rng.uniform(-cfg.max_workflow_lift, cfg.max_workflow_lift, size=cfg.lift_workflows)
    return {
        name: {"control": float(c), "treatment": float(t), "lift": float(t) - float(c)}
        for name, c, t in zip(lift_workflow_names(cfg), control, treatment, strict=True)
    }


def _planted_arms(cfg: GenConfig, arm: np.ndarray) -> np.ndarray:
    """Known arms re-drawn per conversation with P(treatment) = srm_treatment_share."""
    if cfg.srm_treatment_share is None:
        return arm
    draws = np.random.default_rng([cfg.seed, 14, 1]).random(arm.size)
    planted: np.ndarray = np.where(arm < 0, arm, draws < cfg.srm_treatment_share).astype(np.int8)
    return planted


def _planted_lifts(
    cfg: GenConfig, arm: np.ndarray, is_post: np.ndarray, p_complete: np.ndarray
) -> tuple[np.ndarray | None, np.ndarray]:
    """(workflow label per conversation, completion probability) with the planted lifts."""
    plan = planted_workflow_completion(cfg)
    if not plan:
        return None, p_complete
    label = np.random.default_rng([cfg.seed, 14, 3]).integers(0, cfg.lift_workflows, size=arm.size)
    by_arm = np.array([[v["control"] for v in plan.values()], [v["treatment"] for v in plan.values()]])
    applies = is_post & (arm >= 0)
    planted = np.where(applies, by_arm[np.clip(arm, 0, 1), label], p_complete)
    return label.astype(np.int16), planted


@dataclass
class GeneratedData:
    """Arrow tables keyed by raw table name, plus the truths dict."""

    tables: dict[str, pa.Table]
    truths: dict[str, Any] = field(default_factory=dict)


def _to_us(ts: datetime) -> int:
    return int((ts - EPOCH) / timedelta(microseconds=1))


def _us_to_iso(us: int) -> str:
    return (EPOCH + timedelta(microseconds=int(us))).isoformat(sep=" ")


def ids(prefix: str, numbers: np.ndarray, width: int = 8) -> pa.Array:
    """'prefix' + zero-padded number, built in Arrow (no per-row Python)."""
    digits = pc.utf8_lpad(pc.cast(pa.array(numbers, type=pa.int64()), pa.string()), width=width, padding="0")
    return pc.binary_join_element_wise(prefix, digits, "")


def ts_array(values_us: np.ndarray, null_mask: np.ndarray | None = None) -> pa.Array:
    return pa.array(values_us.astype("datetime64[us]"), type=pa.timestamp("us"), mask=null_mask)


def user_arm(user_idx: np.ndarray) -> np.ndarray:
    """Experiment arm from a hash of the user number (0 control, 1 treatment).

    A fixed hash rather than the seeded RNG: the arm of a user must not change
    when the data is regenerated with another seed or size.
    """
    h = (user_idx.astype(np.uint64) + np.uint64(1)) * np.uint64(0x9E3779B97F4A7C15)
    h ^= h >> np.uint64(31)
    h *= np.uint64(0xBF58476D1CE4E5B9)
    h ^= h >> np.uint64(29)
    return (h & np.uint64(1)).astype(np.int8)


# --- conversations ------------------------------------------------------------


def _day_weights(cfg: GenConfig) -> np.ndarray:
    """Post-launch adoption ramp with quieter weekends, one weight per day of the window."""
    days = np.arange(cfg.n_days)
    launch_day = (cfg.launch_date - cfg.start_date).days
    since = days - launch_day
    ramp = np.where(since >= 0, 0.35 + 0.65 * np.minimum(1.0, since / 60.0), 0.0)
    weekend = (days % 7) >= 5  # the window starts on a Monday
    w: np.ndarray = ramp * np.where(weekend, 0.45, 1.0)
    return w / float(w.sum())


def _time_of_day_us(rng: np.random.Generator, n: int) -> np.ndarray:
    hour_w = np.array([1, 1, 1, 1, 1, 2, 3, 5, 8, 10, 10, 9, 8, 9, 10, 10, 9, 7, 5, 4, 3, 2, 2, 1], float)
    hours = rng.choice(24, size=n, p=hour_w / hour_w.sum())
    out: np.ndarray = hours * HOUR_US + rng.integers(0, HOUR_US, size=n)
    return out


def _conversation_starts(cfg: GenConfig, rng: np.random.Generator, n: int) -> np.ndarray:
    # A small pilot runs in the two weeks before launch; the rest follows the ramp.
    launch_day = (cfg.launch_date - cfg.start_date).days
    pilot = rng.random(n) < 0.04
    day = rng.choice(cfg.n_days, size=n, p=_day_weights(cfg))
    day = np.where(pilot, rng.integers(launch_day - 14, launch_day, size=n), day)
    out: np.ndarray = cfg.start_us + day * DAY_US + _time_of_day_us(rng, n)
    return out


def _model_versions(cfg: GenConfig, rng: np.random.Generator, start_us: np.ndarray) -> np.ndarray:
    since_launch_days = (start_us - cfg.launch_us) / DAY_US
    r = rng.random(start_us.size)
    early = np.where(r < 0.3, 0, 1)
    late = np.select([r < 0.3, r < 0.7], [1, 2], default=3)  # 30% on the slow version
    return np.select([since_launch_days < 0, since_launch_days < 35], [0, early], default=late).astype(np.int8)


@dataclass
class Users:
    n: int
    account: np.ndarray
    consent: np.ndarray
    activity: np.ndarray
    n_active: int
    n_accounts: int
    account_segment: np.ndarray
    account_region: np.ndarray


def _users(rng: np.random.Generator, n_conversations: int) -> Users:
    # Two thirds of the customers never use the AI: they raise most background
    # tickets, which would otherwise swamp the deflection effect.
    n_active = max(60, n_conversations // 5)
    n = 3 * n_active
    n_accounts = max(15, n // 8)
    consent = rng.random(n) >= 0.08
    consent[rng.choice(n, size=3, replace=False)] = False  # opted-out users exist at any size
    return Users(
        n=n,
        account=rng.integers(0, n_accounts, size=n),
        consent=consent,
        activity=np.where(np.arange(n) < n_active, rng.lognormal(0.0, 1.0, size=n), 0.0),
        n_active=n_active,
        n_accounts=n_accounts,
        account_segment=rng.choice(3, size=n_accounts, p=[0.6, 0.28, 0.12]),
        account_region=rng.choice(4, size=n_accounts, p=[0.45, 0.3, 0.15, 0.1]),
    )


@dataclass
class Conversations:
    n: int
    user: np.ndarray
    workflow: np.ndarray
    start_us: np.ndarray
    arm: np.ndarray  # 0 control, 1 treatment, -1 unknown (key missing on every event)
    workflow_label: np.ndarray  # index into lift_workflow_names(cfg): the workflow the events carry
    is_post: np.ndarray
    model: np.ndarray  # index into MODELS, len(MODELS) = UNPRICED_MODEL
    model_version: np.ndarray
    prompt_version: np.ndarray
    turns: np.ndarray
    has_action: np.ndarray
    action_type: np.ndarray
    conversion: np.ndarray
    n_events: np.ndarray


def _conversations(cfg: GenConfig, rng: np.random.Generator, users: Users, n: int) -> Conversations:
    user = rng.choice(users.n, size=n, p=users.activity / users.activity.sum())
    start = _conversation_starts(cfg, rng, n)
    is_post = start >= cfg.launch_us
    arm = user_arm(user).astype(np.int8)
    arm[rng.random(n) < 0.015] = -1
    arm = _planted_arms(cfg, arm)
    model = rng.choice(len(MODELS), size=n, p=[0.3, 0.25, 0.2, 0.13, 0.12])
    unpriced = rng.random(n) < 0.004
    unpriced[rng.integers(0, n)] = True  # at least one unpriceable conversation at any size
    model = np.where(unpriced, len(MODELS), model)
    model_version = _model_versions(cfg, rng, start)
    prompt_version = np.where(~is_post, 0, np.where(arm == 1, 2, 1)).astype(np.int8)
    turns = 1 + np.minimum(rng.geometric(0.55, size=n) - 1, 5)

    arm_key = np.where(~is_post, 3, np.where(arm == -1, 2, arm))  # 0 c, 1 t, 2 unknown, 3 pilot
    p_complete = np.array([COMPLETION_P[k] for k in ("control", "treatment", "unknown", "pilot")])[arm_key]
    label, p_complete = _planted_lifts(cfg, arm, is_post, p_complete)
    completed = rng.random(n) < p_complete
    has_action = completed | (rng.random(n) < 0.7)
    # completed: accepted (80%) or edited with a conversion; else dismissed/edited/escalated
    r = rng.random(n)
    esc_share = np.where(arm == 1, 0.2, 0.3)
    not_completed_type = np.where(r < 0.5, 1, np.where(r < 1.0 - esc_share, 2, 3))
    action_type = np.where(completed, np.where(r < 0.8, 0, 2), not_completed_type).astype(np.int8)
    conversion = completed & ((action_type == 2) | (rng.random(n) < 0.25))
    n_events = 2 * turns + has_action
    workflow = rng.choice(len(WORKFLOWS), size=n, p=WORKFLOW_WEIGHTS)
    return Conversations(
        n=n, user=user, workflow=workflow, start_us=start, arm=arm,
        workflow_label=workflow.astype(np.int16) if label is None else label,
        is_post=is_post, model=model, model_version=model_version,
        prompt_version=prompt_version, turns=turns, has_action=has_action, action_type=action_type,
        conversion=conversion, n_events=n_events.astype(np.int64),
    )


def _trim_to_events(conv: Conversations, n_good: int) -> Conversations:
    """Keep the first conversations whose events sum to exactly n_good.

    The last kept conversation is cut short (no action, maybe a prompt with no
    response): that happens in real telemetry too and keeps the row count exact.
    """
    cum = np.cumsum(conv.n_events)
    if cum[-1] < n_good:
        raise RuntimeError("internal: too few conversations drawn for the requested events")
    last = int(np.searchsorted(cum, n_good))  # first index with cum >= n_good
    keep = last + 1
    fields = {k: getattr(conv, k)[:keep].copy() for k in conv.__dataclass_fields__ if k != "n"}
    before = int(cum[last - 1]) if last > 0 else 0
    remaining = n_good - before
    if remaining < fields["n_events"][last]:
        fields["n_events"][last] = remaining
        fields["has_action"][last] = False
        fields["conversion"][last] = False
    return Conversations(n=keep, **fields)


# --- events -------------------------------------------------------------------


def _choose_from(rng: np.random.Generator, choices: list[int], n: int) -> np.ndarray:
    return np.asarray(choices, dtype=np.int64)[rng.integers(0, len(choices), size=n)]


def _assign_texts(
    rng: np.random.Generator, mask: np.ndarray, pool: TextPool, p_pii: float, offset: int = 0
) -> np.ndarray:
    """Pool index per masked event; every PII text is forced onto at least one event."""
    out = np.full(mask.size, -1, dtype=np.int64)
    idx = np.flatnonzero(mask)
    pii = pool.pii_indices
    if idx.size == 0:
        return out
    use_pii = (rng.random(idx.size) < p_pii) if pii else np.zeros(idx.size, bool)
    out[idx] = np.where(use_pii, _choose_from(rng, pii or [0], idx.size),
                        _choose_from(rng, pool.clean_indices, idx.size))
    if pii:
        forced = rng.choice(idx, size=min(len(pii), idx.size), replace=False)
        out[forced] = np.asarray(pii[: forced.size])
    out[idx] += offset
    return out


@dataclass
class EventFrame:
    """Semantic per-event arrays; properties are rendered from these."""

    cols: dict[str, np.ndarray]

    def take(self, idx: np.ndarray) -> EventFrame:
        return EventFrame({k: v[idx].copy() for k, v in self.cols.items()})

    def slice(self, start: int, stop: int) -> EventFrame:
        """A view, no copy: chunks of a 10 M-row frame must not duplicate it."""
        return EventFrame({k: v[start:stop] for k, v in self.cols.items()})

    @property
    def size(self) -> int:
        return int(self.cols["type"].size)


def _encoding(rng: np.random.Generator, n: int, p_string: float, p_missing: float) -> np.ndarray:
    """0 = native JSON, 1 = as a string, 2 = key missing."""
    r = rng.random(n, dtype=np.float32)
    out = (r < p_missing + p_string).astype(np.int8)
    out[r < p_missing] = 2
    return out


@dataclass
class _ResponseNumbers:
    """Per-event tokens, errors, latency and cost (drawn for every event, used on responses)."""

    in_tok: np.ndarray
    out_tok: np.ndarray
    is_err: np.ndarray
    err_type: np.ndarray
    latency: np.ndarray
    cost: np.ndarray
    cost_enc: np.ndarray


def _response_numbers(rng: np.random.Generator, etype: np.ndarray, model: np.ndarray,
                      mv: np.ndarray) -> _ResponseNumbers:
    total = etype.size
    is_resp = etype == 1
    in_tok = (120 + rng.lognormal(5.5, 0.6, total)).astype(np.int64)
    out_tok = rng.lognormal(5.3, 0.7, total).astype(np.int64) + 5
    slow = mv == MODEL_VERSIONS.index(SLOW_MODEL_VERSION)
    is_err = is_resp & (rng.random(total, dtype=np.float32) < np.where(slow, 0.06, 0.03))
    err_type = rng.integers(0, len(ERROR_TYPES), total).astype(np.int8)
    out_tok[is_err] = 0
    base_ms = np.array([1400.0, 700.0, 1600.0, 600.0, 1100.0, 1000.0])[model]
    factor = np.where(slow, SLOW_LATENCY_FACTOR, 1.0)
    latency = np.round(base_ms * factor * np.sqrt(out_tok / 200.0 + 0.2) * rng.lognormal(0.0, 0.3, total))
    latency = np.where(is_err & (err_type == 0), 30000.0, latency)
    price_in = np.array([p[0] for p in MODEL_PRICES.values()] + [np.nan])[model]
    price_out = np.array([p[1] for p in MODEL_PRICES.values()] + [np.nan])[model]
    cost = np.round((in_tok * price_in + out_tok * price_out) / 1000.0, 8)
    cost_enc = _encoding(rng, total, 0.08, 0.18)
    cost_enc[model == len(MODELS)] = 2  # nobody knows the price of the unknown model
    return _ResponseNumbers(in_tok, out_tok, is_err, err_type, latency, cost, cost_enc)


def _event_times(rng: np.random.Generator, conv: Conversations, e_conv: np.ndarray, j: np.ndarray,
                 etype: np.ndarray, latency: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(occurred, loaded): prompts after a think time, responses after their latency."""
    total = etype.size
    n_ev = conv.n_events
    offsets = np.cumsum(n_ev) - n_ev
    think = rng.lognormal(3.5, 0.8, total) * US
    act_delay = rng.uniform(5, 180, total) * US
    delta = np.where(etype == 0, think, np.where(etype == 1, latency * 1000.0, act_delay)).astype(np.int64)
    delta[j == 0] = 0
    cs = np.cumsum(delta)
    occurred = conv.start_us[e_conv] + cs - np.repeat(cs[offsets], n_ev)
    delay = np.clip(rng.lognormal(np.log(120.0), 0.8, total), 1, 7200) * US
    return occurred, occurred + delay.astype(np.int64)


def _event_texts(rng: np.random.Generator, etype: np.ndarray, wf: np.ndarray, prompt_pools: dict[str, TextPool],
                 responses: TextPool, feedback: TextPool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pool indices of the prompt, response and feedback texts (pools of all workflows concatenated)."""
    total = etype.size
    prompt_text = np.full(total, -1, dtype=np.int64)
    offset = 0
    for w, name in enumerate(WORKFLOWS):  # five iterations, vectorised inside
        pool = prompt_pools[name]
        part = _assign_texts(rng, (etype == 0) & (wf == w), pool, 0.08, offset)
        prompt_text = np.where(part >= 0, part, prompt_text)
        offset += len(pool.texts)
    response_text = _assign_texts(rng, etype == 1, responses, 0.04)
    is_action = etype == 2
    has_feedback = is_action & (rng.random(total, dtype=np.float32) < 0.3)
    # Force feedback onto enough action events so every feedback PII value is planted.
    action_idx = np.flatnonzero(is_action)
    n_force = min(len(feedback.pii_indices), action_idx.size)
    has_feedback[rng.choice(action_idx, size=n_force, replace=False)] = True
    return prompt_text, response_text, _assign_texts(rng, has_feedback, feedback, 0.15)


def _events(
    cfg: GenConfig, rng: np.random.Generator, users: Users, conv: Conversations,
    prompt_pools: dict[str, TextPool], responses: TextPool, feedback: TextPool,
) -> EventFrame:
    n_ev = conv.n_events
    total = int(n_ev.sum())
    e_conv = np.repeat(np.arange(conv.n), n_ev)
    offsets = np.cumsum(n_ev) - n_ev
    j = np.arange(total) - np.repeat(offsets, n_ev)
    k = conv.turns[e_conv]
    etype = np.where(j < 2 * k, j % 2, 2).astype(np.int8)
    turn = np.where(etype == 2, k, j // 2 + 1)
    wf = conv.workflow[e_conv]
    model = conv.model[e_conv]
    nums = _response_numbers(rng, etype, model, conv.model_version[e_conv])
    occurred, loaded = _event_times(rng, conv, e_conv, j, etype, nums.latency)
    prompt_text, response_text, feedback_text = _event_texts(rng, etype, wf, prompt_pools, responses, feedback)
    completed_edit = (conv.action_type[e_conv] == 2) & conv.conversion[e_conv]
    conv_enc = _encoding(rng, total, 0.15, 0.05)
    conv_enc[completed_edit & (conv_enc == 2)] = 0  # never hide the only sign of completion
    cols: dict[str, np.ndarray] = {
        "type": etype, "conv": e_conv, "user": conv.user[e_conv], "event_no": np.arange(total, dtype=np.int64),
        "occurred": occurred, "loaded": loaded,
        **_event_properties(rng, users, conv, e_conv, j, wf, turn),
        "model": model.astype(np.int8), "ptext": prompt_text, "is_err": nums.is_err, "err_type": nums.err_type,
        "err_enc": np.where(nums.is_err, 0,
                            np.where(rng.random(total, dtype=np.float32) < 0.15, 1, 2)).astype(np.int8),
        "latency": nums.latency.astype(np.int64), "lat_enc": _encoding(rng, total, 0.12, 0.0),
        "in_tok": nums.in_tok, "out_tok": nums.out_tok, "tok_enc": _encoding(rng, total, 0.10, 0.0),
        "cost": nums.cost, "cost_enc": nums.cost_enc, "rtext": response_text,
        "action_type": conv.action_type[e_conv], "conversion": conv.conversion[e_conv], "conv_enc": conv_enc,
        "rating": np.clip(np.where(conv.action_type[e_conv] == 0, 4, 2) + rng.integers(-1, 2, total), 1, 5),
        "rating_enc": _encoding(rng, total, 0.15, 0.45),
        "ftext": feedback_text,
        "extra_key": np.where(rng.random(total, dtype=np.float32) < 0.1, rng.integers(1, 3, total), 0).astype(np.int8),
        "special": np.zeros(total, dtype=np.int8),  # 0 normal; see _SPECIAL_PROPERTIES
    }
    return EventFrame(cols)


def _event_properties(rng: np.random.Generator, users: Users, conv: Conversations, e_conv: np.ndarray,
                      j: np.ndarray, wf: np.ndarray, turn: np.ndarray) -> dict[str, np.ndarray]:
    """Header keys of every event and the prompt keys, with their encodings (drawn in this order)."""
    total = e_conv.size
    first = j == 0
    intent_n = np.array([len(INTENTS[w]) for w in WORKFLOWS])[wf]
    intent_offset = np.cumsum([0] + [len(INTENTS[w]) for w in WORKFLOWS])[:-1][wf]
    return {
        "session_null": rng.random(total, dtype=np.float32) < 0.08,
        "wf": conv.workflow_label[e_conv],
        "wf_missing": (~first) & (rng.random(total, dtype=np.float32) < 0.01),
        "mv": conv.model_version[e_conv],
        "mv_missing": (~first) & (rng.random(total, dtype=np.float32) < 0.01),
        "pv": conv.prompt_version[e_conv],
        "pv_missing": (~first) & (rng.random(total, dtype=np.float32) < 0.01),
        "arm": conv.arm[e_conv],
        "consent": users.consent[conv.user[e_conv]],
        "consent_enc": _encoding(rng, total, 0.12, 0.05),
        "pnum": turn.astype(np.int64),
        "pnum_enc": _encoding(rng, total, 0.08, 0.02),
        "intent": np.where(rng.random(total, dtype=np.float32) < 0.05, -1,
                           intent_offset + rng.integers(0, 1 << 30, total) % intent_n),
    }


class PropertyRenderer:
    """Renders the JSON properties of an EventFrame chunk from fragment lookups.

    Low-cardinality keys are pre-rendered in every combination (a few thousand
    strings), so one ``take`` replaces a dozen per-key joins at 10 M rows.
    """

    N_CONSENT = 5  # true, false, "true", "false", missing
    N_CONVERSION = 5

    def __init__(self, prompt_pools: dict[str, TextPool], responses: TextPool, feedback: TextPool,
                 workflows: tuple[str, ...] = WORKFLOWS) -> None:
        self.workflows = workflows
        prompt_frags: list[str] = []
        for name in WORKFLOWS:
            prompt_frags += prompt_pools[name].json_fragments("prompt_text")
        self.prompt_frags = pa.array(prompt_frags + [None])
        self.response_frags = pa.array(responses.json_fragments("response_text") + [None])
        self.feedback_frags = pa.array(feedback.json_fragments("feedback") + [None])
        self.header = pa.array(self._header_combos(workflows))
        self.intents = tuple(i for w in WORKFLOWS for i in INTENTS[w])
        meta, self.meta_offsets = self._meta_combos()
        self.meta = pa.array(meta)
        self.id_pools: dict[str, pa.Array] = {}

    def set_id_pools(self, n_conversations: int, n_users: int) -> None:
        """Ids rendered once per conversation/user; events then take() them."""
        self.id_pools = {
            "conv": ids("conv-", np.arange(n_conversations), 8),
            "user": ids("u-", np.arange(n_users), 7),
            "sess": ids("sess-", np.arange(n_conversations // 3 + 1), 8),
        }

    def id_column(self, kind: str, idx: np.ndarray) -> pa.Array:
        return self.id_pools[kind].take(pa.array(idx))

    @staticmethod
    def _kv(key: str, values: tuple[str, ...]) -> list[str | None]:
        return [f'"{key}":"{v}"' for v in values] + [None]

    @classmethod
    def _bools(cls, key: str) -> list[str | None]:
        return [f'"{key}":true', f'"{key}":false', f'"{key}":"true"', f'"{key}":"false"', None]

    @classmethod
    def _header_combos(cls, workflows: tuple[str, ...]) -> list[str | None]:
        # index = wf + (W + 1) * (mv + 5 * (pv + 4 * (arm + 3 * (consent + 5 * extra)))), W workflows
        out: list[str | None] = []
        extras = [None, '"client":"web"', '"client":"ios"']
        for extra in extras:
            for consent in cls._bools("consent_analytics"):
                for arm in cls._kv("feature_flag_state", ("control", "treatment")):
                    for pv in cls._kv("prompt_version", PROMPT_VERSIONS):
                        for mv in cls._kv("model_version", MODEL_VERSIONS):
                            for wf in cls._kv("workflow", workflows):
                                parts = [p for p in (wf, mv, pv, arm, consent, extra) if p is not None]
                                # never null (see render), "{" opens the object here
                                out.append("{" + ",".join(parts))
        return out

    def _meta_combos(self) -> tuple[list[str | None], tuple[int, int]]:
        models = self._kv("model_used", MODELS + (UNPRICED_MODEL,))[:-1]
        out: list[str | None] = []
        # prompts: intent + (n_intents + 1) * model
        for model in models:
            for intent in self._kv("intent_label", self.intents):
                out.append(",".join(p for p in (intent, model) if p is not None) + "}")
        off_r = len(out)
        # responses: model + 6 * (status + 2 * err), err: 4 types, JSON null, missing
        errors = [f'"error_type":"{e}"' for e in ERROR_TYPES] + ['"error_type":null', None]
        for err in errors:
            for status in ('"response_status":"success"', '"response_status":"error"'):
                for model in models:
                    out.append(",".join(p for p in (model, status, err) if p is not None) + "}")
        off_a = len(out)
        # actions: action + 4 * conversion variant
        for conv in self._bools("conversion_flag"):
            for action in self._kv("action_type", ACTION_TYPES)[:-1]:
                out.append(",".join(p for p in (action, conv) if p is not None) + "}")
        return out, (off_r, off_a)

    @staticmethod
    def _bool_variant(value: np.ndarray, enc: np.ndarray) -> np.ndarray:
        return np.where(enc == 2, 4, np.where(value, 0, 1) + 2 * (enc == 1))

    @staticmethod
    def _number(key: str, value: np.ndarray, enc: np.ndarray, applies: np.ndarray) -> pa.Array:
        text = pc.cast(pa.array(value), pa.string())
        # enc 3 ("text in a numeric field") is rendered by the caller
        which = pa.array(np.where(applies, enc, 2))
        prefix = pa.array([f'"{key}":', f'"{key}":"', None, None]).take(which)
        suffix = pa.array(["", '"', None, None]).take(which)
        return pc.binary_join_element_wise(prefix, text, suffix, "")

    @staticmethod
    def _take(lookup: pa.Array, idx: np.ndarray, present: np.ndarray) -> pa.Array:
        return lookup.take(pa.array(np.where(present, idx, len(lookup) - 1)))

    def render(self, f: EventFrame) -> pa.Array:
        # int8 codes would overflow in the index arithmetic below
        c = {k: (v.astype(np.int64) if v.dtype == np.int8 else v) for k, v in f.cols.items()}
        t = c["type"]
        prompt, resp, action = t == 0, t == 1, t == 2
        # The header opens the object with "{", so it must hold at least one key:
        # keep workflow when every other header key happens to be missing.
        empty = c["mv_missing"] & c["pv_missing"] & (c["arm"] < 0) & (c["consent_enc"] == 2) & (c["extra_key"] == 0)
        wf_missing = c["wf_missing"] & ~empty
        n_wf = len(self.workflows)
        header_idx = (
            np.where(wf_missing, n_wf, c["wf"]).astype(np.int64)
            + (n_wf + 1) * (np.where(c["mv_missing"], 4, c["mv"])
                   + 5 * (np.where(c["pv_missing"], 3, c["pv"])
                          + 4 * (np.where(c["arm"] < 0, 2, c["arm"])
                                 + 3 * (self._bool_variant(c["consent"], c["consent_enc"])
                                        + 5 * c["extra_key"]))))
        )
        n_int = len(self.intents) + 1
        off_r, off_a = self.meta_offsets
        err = np.where(c["err_enc"] == 0, c["err_type"], np.where(c["err_enc"] == 1, 4, 5))
        meta_idx = np.where(
            prompt, np.where(c["intent"] < 0, len(self.intents), c["intent"]) + n_int * c["model"],
            np.where(resp, off_r + c["model"] + 6 * (c["is_err"] + 2 * err),
                     off_a + c["action_type"] + 4 * self._bool_variant(c["conversion"], c["conv_enc"])),
        )
        latency_text = self._number("latency_ms", c["latency"], c["lat_enc"], resp)
        if (c["lat_enc"] == 3).any():
            latency_text = pc.if_else(pa.array(resp & (c["lat_enc"] == 3)), '"latency_ms":"fast"', latency_text)
        frags = [
            self.header.take(pa.array(header_idx)),  # "{..." first
            self._number("prompt_number", c["pnum"], c["pnum_enc"], prompt | resp),
            self._take(self.prompt_frags, c["ptext"], prompt & (c["ptext"] >= 0)),
            latency_text,
            self._tokens(c["in_tok"], c["out_tok"], c["tok_enc"], resp),
            self._number("cost_usd", c["cost"], c["cost_enc"], resp),
            self._take(self.response_frags, c["rtext"], resp & (c["rtext"] >= 0)),
            self._number("rating", c["rating"], c["rating_enc"], action),
            self._take(self.feedback_frags, c["ftext"], action & (c["ftext"] >= 0)),
            self.meta.take(pa.array(meta_idx)),  # "...}" last, never null
        ]
        props = pc.binary_join_element_wise(*frags, ",", null_handling="skip")
        return self._apply_special(props, c["special"])

    @staticmethod
    def _tokens(in_tok: np.ndarray, out_tok: np.ndarray, enc: np.ndarray, applies: np.ndarray) -> pa.Array:
        """Both token counts in one join: they share their encoding."""
        which = pa.array(np.where(applies, enc, 2))
        pre = pa.array(['"input_tokens":', '"input_tokens":"', None]).take(which)
        mid = pa.array([',"output_tokens":', '","output_tokens":"', None]).take(which)
        post = pa.array(["", '"', None]).take(which)
        return pc.binary_join_element_wise(pre, pc.cast(pa.array(in_tok), pa.string()), mid,
                                           pc.cast(pa.array(out_tok), pa.string()), post, "")

    @staticmethod
    def _apply_special(props: pa.Array, special: np.ndarray) -> pa.Array:
        if not special.any():
            return props
        # 1 SQL NULL, 2 invalid JSON (truncated), 3 array, 4 scalar, 5 JSON null
        truncated = pc.utf8_slice_codeunits(props, 0, 25)
        arrays = pc.binary_join_element_wise("[", props, "]", "")
        out = props
        out = pc.if_else(pa.array(special == 2), truncated, out)
        out = pc.if_else(pa.array(special == 3), arrays, out)
        out = pc.if_else(pa.array(special == 4), pa.scalar('"just a string"'), out)
        out = pc.if_else(pa.array(special == 5), pa.scalar("null"), out)
        return pc.if_else(pa.array(special == 1), pa.scalar(None, pa.string()), out)


def _event_table(f: EventFrame, renderer: PropertyRenderer, event_id_null: np.ndarray | None = None,
                 conv_null: np.ndarray | None = None, occurred_null: np.ndarray | None = None,
                 event_name_override: np.ndarray | None = None) -> pa.Table:
    c = f.cols
    names = pa.array(list(EVENT_NAMES) + ["ai_session_started", "page_view"])
    name_idx = c["type"].astype(np.int64) if event_name_override is None else event_name_override
    event_id = ids("evt-", c["event_no"], 10)
    conversation_id = renderer.id_column("conv", c["conv"])
    if event_id_null is not None:
        event_id = pc.if_else(pa.array(event_id_null), pa.scalar(None, pa.string()), event_id)
    if conv_null is not None:
        conversation_id = pc.if_else(pa.array(conv_null), pa.scalar(None, pa.string()), conversation_id)
    session = renderer.id_column("sess", c["conv"] // 3)
    session = pc.if_else(pa.array(c["session_null"]), pa.scalar(None, pa.string()), session)
    return pa.table(
        [
            event_id,
            names.take(pa.array(name_idx)),
            ts_array(c["occurred"], occurred_null),
            ts_array(c["loaded"]),
            conversation_id,
            renderer.id_column("user", c["user"]),
            session,
            renderer.render(f),
        ],
        schema=arrow_schema("ai_events"),
    )


def _render_events(f: EventFrame, renderer: PropertyRenderer, progress: bool, chunk: int = 500_000) -> pa.Table:
    """Render chunks on all cores: Arrow and numpy kernels release the GIL."""
    starts = list(range(0, f.size, chunk))
    workers = min(len(starts), os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(_event_table, f.slice(s, min(s + chunk, f.size)), renderer) for s in starts]
        parts = [fut.result() for fut in tqdm(futures, desc="ai_events properties", unit="chunk",
                                                disable=not progress or len(starts) < 2)]
    return pa.concat_tables(parts)


def _bad_events(
    rng: np.random.Generator, good: EventFrame, renderer: PropertyRenderer, per_kind: int, next_no: int
) -> tuple[pa.Table, dict[str, int]]:
    """One batch per CONTRACT section 4 reason, each row carrying exactly one defect."""
    resp_idx = np.flatnonzero(good.cols["type"] == 1)
    tables: list[pa.Table] = []
    counts: dict[str, int] = {}
    for kind in EVENT_BAD_KINDS:
        pool = resp_idx if kind.startswith("negative") else np.arange(good.size)
        f = good.take(rng.choice(pool, size=per_kind, replace=False))
        c = f.cols
        c["event_no"] = np.arange(next_no, next_no + per_kind)
        next_no += per_kind
        c["lat_enc"] = np.where(c["lat_enc"] == 3, 0, c["lat_enc"])
        n = per_kind
        all_ = np.ones(n, bool)
        kw: dict[str, Any] = {}
        if kind == "missing_event_id":
            kw["event_id_null"] = all_
        elif kind == "missing_conversation_id":
            kw["conv_null"] = all_
        elif kind == "missing_occurred_at":
            kw["occurred_null"] = all_
        elif kind == "unknown_event_name":
            kw["event_name_override"] = rng.integers(3, 5, size=n)
        elif kind.startswith("properties_"):
            code = {"null": 1, "invalid_json": 2, "array": 3, "scalar": 4, "json_null": 5}
            c["special"] = np.full(n, code[kind.removeprefix("properties_")], np.int8)
        elif kind == "negative_latency_ms":
            c["latency"] = -np.maximum(c["latency"], 1)
        elif kind == "negative_token_count":
            c["in_tok"] = -np.maximum(c["in_tok"], 1)
        elif kind == "negative_cost_usd":
            c["cost"] = -np.where(np.isnan(c["cost"]), 0.0042, np.maximum(c["cost"], 1e-6))
            c["cost_enc"] = np.zeros(n, np.int8)
        elif kind == "occurred_after_loaded":
            c["occurred"] = c["loaded"] + rng.integers(2 * DAY_US, 6 * DAY_US, size=n)
        tables.append(_event_table(f, renderer, **kw))
        counts[kind] = per_kind
    return pa.concat_tables(tables), counts


# --- truths -------------------------------------------------------------------


def _conversation_truths(cfg: GenConfig, conv: Conversations, ev: EventFrame) -> dict[str, Any]:
    """Realised control/treatment rates over post-launch conversations with a known arm."""
    c = ev.cols
    action = c["type"] == 2
    conv_true = c["conversion"] & (c["conv_enc"] < 2)
    completed_ev = action & ((c["action_type"] == 0) | conv_true)
    completed = np.bincount(c["conv"], weights=completed_ev, minlength=conv.n) > 0
    escalated = np.bincount(c["conv"], weights=action & (c["action_type"] == 3), minlength=conv.n) > 0
    out: dict[str, Any] = {}
    for arm_name, arm in (("control", 0), ("treatment", 1)):
        sel = conv.is_post & (conv.arm == arm)
        n = int(sel.sum())
        out[arm_name] = {
            "conversations": n,
            "completed": int(completed[sel].sum()),
            "completion_rate": float(completed[sel].mean()) if n else None,
            "escalated": int(escalated[sel].sum()),
            "escalation_rate": float(escalated[sel].mean()) if n else None,
        }
    out["completed_mask"] = completed  # removed before writing; used for tickets/outcomes
    return out


def _latency_truths(ev: EventFrame) -> dict[str, Any]:
    c = ev.cols
    # "fast" is no number, and a response without the model_version key has no version
    resp = (c["type"] == 1) & (c["lat_enc"] != 3) & ~c["mv_missing"]
    per_version = {}
    for i, name in enumerate(MODEL_VERSIONS):
        lat = c["latency"][resp & (c["mv"] == i)]
        if lat.size:
            per_version[name] = {"responses": int(lat.size), "p95_latency_ms": float(np.percentile(lat, 95))}
    return per_version


def _cost_truths(ev: EventFrame) -> dict[str, Any]:
    c = ev.cols
    resp = c["type"] == 1
    missing = resp & (c["cost_enc"] == 2)
    unpriceable = missing & (c["model"] == len(MODELS))
    n = int(resp.sum())
    return {
        "responses": n,
        "responses_without_cost_usd": int(missing.sum()),
        "share_without_cost_usd": float(missing.sum() / n) if n else None,
        "unpriceable_responses": int(unpriceable.sum()),
        "given_cost_usd_total": float(np.nansum(np.where(resp & (c["cost_enc"] < 2), c["cost"], 0.0))),
    }


def _pii_truths(ev: EventFrame, prompt_pools: dict[str, TextPool], responses: TextPool,
                feedback: TextPool) -> dict[str, Any]:
    """PII values that actually occur in at least one valid event's text."""
    prompt_all = TextPool()
    for name in WORKFLOWS:
        for text, pii in zip(prompt_pools[name].texts, prompt_pools[name].pii_values, strict=True):
            prompt_all.add(text, pii)
    planted: list[dict[str, str]] = []
    for column, pool, key in (("prompt_text", prompt_all, "ptext"), ("response_text", responses, "rtext"),
                              ("feedback", feedback, "ftext")):
        idx = ev.cols[key]
        used = np.flatnonzero(np.bincount(idx[idx >= 0], minlength=len(pool.texts)))  # cheaper than unique at 10 M
        for i in used:
            for kind, value in pool.pii_values[int(i)]:
                planted.append({"kind": kind, "value": value, "field": column})
    return {
        "planted_pii": planted,
        "planted_pii_values": [p["value"] for p in planted],
        "non_pii_lookalikes": list(NON_PII_LOOKALIKES),
    }


# --- orchestration --------------------------------------------------------------


def _sizes(cfg: GenConfig) -> tuple[int, int, int]:
    """(conversations to draw, bad rows per kind, exact duplicates) for ai_events."""
    if cfg.events is not None:
        per_kind = max(2, round(cfg.events * 0.0004))
        dups = max(6, round(cfg.events * 0.003))
        n_good = cfg.events - per_kind * len(EVENT_BAD_KINDS) - dups
        mean_events = 2 * (1 + (1 - 0.55) / 0.55) + 0.85  # 2 * E[turns] + P(action), roughly
        return int(n_good / mean_events * 1.1) + 50, per_kind, dups
    n_conv = cfg.conversations or DEFAULT_CONVERSATIONS
    approx = n_conv * 4
    return n_conv, max(2, round(approx * 0.0004)), max(6, round(approx * 0.003))


def _plant_late_and_text_numbers(rng: np.random.Generator, ev: EventFrame) -> tuple[np.ndarray, np.ndarray]:
    """Late rows stay valid; a few latencies arrive as text ("fast"). Returns both index arrays."""
    n_late = max(5, round(ev.size * 0.005))
    late = rng.choice(ev.size, size=n_late, replace=False)
    ev.cols["loaded"][late] = ev.cols["occurred"][late] + rng.integers(10 * DAY_US, 45 * DAY_US, size=n_late)
    resp_idx = np.flatnonzero(ev.cols["type"] == 1)
    n_text_num = max(2, round(ev.size * 0.0002))
    text_num = rng.choice(resp_idx, size=n_text_num, replace=False)
    ev.cols["lat_enc"][text_num] = 3
    return late, text_num


def _events_table_with_defects(cfg: GenConfig, rng: np.random.Generator, ev: EventFrame,
                               renderer: PropertyRenderer, per_kind: int, n_dups: int,
                               steps: tqdm[Any]) -> tuple[pa.Table, dict[str, int]]:
    """raw.ai_events: the valid events, exact duplicates loaded later and one batch per bad kind."""
    good = _render_events(ev, renderer, cfg.progress)
    steps.update()
    dup_idx = np.sort(rng.choice(ev.size, size=n_dups, replace=False))
    # Re-render instead of good.take(): a take over the 10 M-row table copies gigabytes.
    dups = _event_table(ev.take(dup_idx), renderer)
    later = ev.cols["loaded"][dup_idx] + rng.integers(HOUR_US, 3 * DAY_US, size=n_dups)
    dups = dups.set_column(3, "loaded_at", ts_array(later))
    bad, bad_counts = _bad_events(rng, ev, renderer, per_kind, ev.size)
    steps.update()
    return pa.concat_tables([good, dups, bad]), bad_counts


def _truths(cfg: GenConfig, conv: Conversations, ev: EventFrame, tables: dict[str, Any],
            effect_truths: dict[str, Any], conv_truths: dict[str, Any], v2_truths: dict[str, Any],
            pii: dict[str, Any]) -> dict[str, Any]:
    """The truths document: configuration, vocabulary, per-table counts, planted and realised effects."""
    return {
        "config": {
            "seed": cfg.seed,
            "conversations": conv.n,
            "events": cfg.events,
            "start_date": cfg.start_date.isoformat(),
            "weeks": cfg.weeks,
            "end_date_exclusive": (cfg.start_date + timedelta(weeks=cfg.weeks)).isoformat(),
            "launch_date": cfg.launch_date.isoformat(),
        },
        "vocabulary": {
            "workflows": list(WORKFLOWS),
            "models": list(MODELS),
            "unpriced_model": UNPRICED_MODEL,
            "model_prices_per_1k_tokens": {k: {"input": v[0], "output": v[1]} for k, v in MODEL_PRICES.items()},
            "model_versions": list(MODEL_VERSIONS),
            "prompt_versions": list(PROMPT_VERSIONS),
        },
        "tables": tables,
        "effects": {
            "planted": {
                "completion_probability": COMPLETION_P,
                "ticket_after_support_conversation_probability": TICKET_AFTER_SUPPORT_P,
                "slow_latency_factor": SLOW_LATENCY_FACTOR,
                "srm_treatment_share": cfg.srm_treatment_share,
                # events carry these workflow names instead of the usual five when set
                "workflow_completion": planted_workflow_completion(cfg),
                **effect_truths.pop("planted"),
            },
            "control_vs_treatment": {**conv_truths, **effect_truths.pop("deflection")},
            "pre_vs_post_tickets": effect_truths.pop("pre_vs_post_tickets"),
            "slow_model_version": SLOW_MODEL_VERSION,
            "latency_by_model_version": _latency_truths(ev),
            "cost": _cost_truths(ev),
        },
        "users": effect_truths.pop("users"),
        "pii": pii,
        # CONTRACT.md version 2 metrics as realised (per-month values are before any time shift)
        "v2_metrics": v2_truths,
        "time_shift_seconds": 0.0,
    }


def _v2_tables(inp: gq.V2Input, tables: dict[str, pa.Table], table_truths: dict[str, Any]) -> dict[str, Any]:
    """Add event_deliveries and quality_reviews; return the realised version-2 metric values."""
    tables["event_deliveries"], table_truths["event_deliveries"], delivery = gq.deliveries(inp)
    tables["quality_reviews"], table_truths["quality_reviews"], review = gq.reviews(inp)
    return {
        **delivery, **review, **gq.adoption_truths(inp),
        "agent_cost_per_outcome": gq.agent_cost_truths(tables["agent_decisions"], tables["crm_outcomes"]),
        "planted": {**delivery.pop("planted"), **review.pop("planted")},
    }


def generate(cfg: GenConfig) -> GeneratedData:
    """Generate all raw tables and the truths for one configuration."""
    rng = np.random.default_rng(cfg.seed)
    n_conv, per_kind, n_dups = _sizes(cfg)
    steps = tqdm(total=6, desc="generate", unit="step", disable=not cfg.progress)

    users = _users(rng, n_conv if cfg.events is None else int(n_conv / 1.1))
    conv = _conversations(cfg, rng, users, n_conv)
    if cfg.events is not None:
        conv = _trim_to_events(conv, cfg.events - per_kind * len(EVENT_BAD_KINDS) - n_dups)
    prompt_pools, responses, feedback = build_pools(cfg.seed)
    ev = _events(cfg, rng, users, conv, prompt_pools, responses, feedback)
    steps.update()

    late, text_num = _plant_late_and_text_numbers(rng, ev)

    renderer = PropertyRenderer(prompt_pools, responses, feedback, lift_workflow_names(cfg))
    renderer.set_id_pools(conv.n, users.n)
    events_table, bad_counts = _events_table_with_defects(cfg, rng, ev, renderer, per_kind, n_dups, steps)

    conv_truths = _conversation_truths(cfg, conv, ev)
    completed = conv_truths.pop("completed_mask")
    ctx = gt.Context(cfg=cfg, rng=rng, users=users, conv=conv, completed=completed)
    tables, table_truths, effect_truths = gt.other_tables(ctx)
    v2_truths = _v2_tables(gq.V2Input(cfg, users, conv, ev, lift_workflow_names(cfg)), tables, table_truths)
    steps.update()

    tables = {"ai_events": events_table, **tables}
    tables["otel_spans"], table_truths["otel_spans"] = go.health_spans(_newest_loaded_us(tables))
    ai_events_truths = {
        "raw_rows": events_table.num_rows,
        "planted_duplicates": n_dups,
        "invalid_by_reason": bad_counts,
        "valid_rows": ev.size,
        "late_rows": late.size,
        "late_event_ids": [f"evt-{i:010d}" for i in np.sort(late)[:50]],
        "text_in_numeric_rows": text_num.size,
        "text_in_numeric_event_ids": [f"evt-{i:010d}" for i in np.sort(text_num)],
    }
    truths = _truths(cfg, conv, ev, {"ai_events": ai_events_truths, **table_truths}, effect_truths,
                     conv_truths, v2_truths, _pii_truths(ev, prompt_pools, responses, feedback))
    steps.update()
    data = GeneratedData(tables=tables, truths=truths)
    if cfg.end_at is not None:
        shift_to_end_at(data, cfg.end_at)
    steps.update()
    steps.close()
    return data


def _newest_loaded_us(tables: dict[str, pa.Table]) -> int:
    """The newest loaded_at of the tables, in microseconds since the epoch."""
    newest = max(pc.max(t.column("loaded_at")).cast(pa.int64()).as_py() for t in tables.values())
    return int(newest)


def shift_to_end_at(data: GeneratedData, end_at: datetime) -> None:
    """Move every timestamp column so the newest loaded_at equals end_at.

    Dates (cost_ledger.month, controls.automated_since) stay put: a month must
    keep starting on its first day, and freshness only looks at loaded_at.
    """
    newest = max(pc.max(t.column("loaded_at")).as_py() for t in data.tables.values())
    delta = end_at - newest
    shift = pa.scalar(delta, pa.duration("us"))
    for name, table in data.tables.items():
        for i, (col, sql_type) in enumerate(RAW_TABLES[name]):
            if sql_type == "timestamp":
                shifted = pc.add(table.column(col), shift).cast(pa.timestamp("us"))
                table = table.set_column(i, col, shifted)
        data.tables[name] = table
    data.truths["time_shift_seconds"] = delta.total_seconds()


# --- files ----------------------------------------------------------------------


_HIGH_CARDINALITY = {
    "event_id", "properties", "occurred_at", "loaded_at", "conversation_id", "session_id", "span_id",
    "started_at", "finished_at", "decision_id", "decided_at", "ticket_id", "created_at", "updated_at",
}


def write_parquet(data: GeneratedData, out_dir: Path, truths_path: Path | None = None, progress: bool = True) -> Path:
    """One parquet file per raw table plus truths.json; returns the truths path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, table in tqdm(data.tables.items(), desc="write parquet", unit="table", disable=not progress):
        # Dictionary encoding is wasted work on unique ids, timestamps and JSON text.
        dictionary = [c for c in table.column_names if c not in _HIGH_CARDINALITY]
        pq.write_table(table, out_dir / f"{name}.parquet", compression="zstd", compression_level=1,
                       row_group_size=1_000_000, use_dictionary=dictionary)
    truths_path = truths_path or out_dir / "truths.json"
    write_truths(data.truths, truths_path)
    return truths_path


def write_truths(truths: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(truths, indent=2, sort_keys=False, default=_json_default) + "\n")


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value)}")


def read_parquet_dir(in_dir: Path) -> dict[str, pa.Table]:
    """Raw tables previously written by write_parquet; all fifteen must be there."""
    missing = [t for t in RAW_TABLES if not (in_dir / f"{t}.parquet").exists()]
    if missing:
        raise FileNotFoundError(
            f"{in_dir} lacks {', '.join(missing)}.parquet: run `ai-ops generate --out {in_dir}` first"
        )
    return {t: pq.read_table(in_dir / f"{t}.parquet") for t in RAW_TABLES}


__all__ = [
    "MODELS", "UNPRICED_MODEL", "MODEL_PRICES", "MODEL_VERSIONS", "SLOW_MODEL_VERSION", "WORKFLOWS",
    "GenConfig", "GeneratedData", "generate", "write_parquet", "write_truths", "read_parquet_dir",
    "shift_to_end_at",
]
