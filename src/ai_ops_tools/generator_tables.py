"""The raw tables of CONTRACT.md version 1 besides ai_events, linked to the generated conversations.

Tables that grow with the data (users, tickets, CRM, agent traces) are built
from numpy arrays; the small reference-like tables (incidents, controls...)
have at most a few thousand rows, so clarity wins over vectorisation there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ai_ops_tools.raw_schema import arrow_schema

if TYPE_CHECKING:
    from ai_ops_tools.generator import Conversations, GenConfig, Users

US = 1_000_000
MINUTE_US = 60 * US
HOUR_US = 3600 * US
DAY_US = 86400 * US

SEGMENTS = ("smb", "mid_market", "enterprise")
REGIONS = ("na", "emea", "apac", "latam")
TICKET_LAMBDA_POST_FACTOR = 0.55  # background ticket volume after launch, relative to before
HANDLE_MEAN_MINUTES = {"pre": 24.0, "post": 17.0}
AI_HANDLED_SHARE_POST = 0.22
SYSTEMS = ("salesforce", "zendesk", "slack", "snowflake", "gmail", "hubspot", "jira", "gong")
CONNECTORS = ("salesforce", "zendesk", "slack", "snowflake", "gmail", "stripe", "hubspot", "jira", "gong", "segment")
CRITICAL_CONNECTORS = 6  # the first six above


@dataclass
class Context:
    cfg: GenConfig
    rng: np.random.Generator
    users: Users
    conv: Conversations
    completed: np.ndarray
    n_outcomes: int = 0  # valid crm_outcomes rows, for the decisions' kpi_link


def _ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    from ai_ops_tools.generator import ids

    return ids(prefix, numbers, width)


def _ts(values_us: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    return pa.array(np.asarray(values_us, dtype=np.int64).astype("datetime64[us]"), pa.timestamp("us"), mask=null)


def _null_text(values: pa.Array, null: np.ndarray) -> pa.Array:
    return pc.if_else(pa.array(null), pa.scalar(None, pa.string()), values)


def _pick(values: tuple[str, ...], idx: np.ndarray) -> pa.Array:
    return pa.array(list(values)).take(pa.array(np.asarray(idx, dtype=np.int64)))


def _delay(rng: np.random.Generator, n: int) -> np.ndarray:
    """Load delay: a few minutes, as from an hourly-ish pipeline."""
    return (np.clip(rng.lognormal(np.log(4.0), 0.8, n), 0.2, 180) * MINUTE_US).astype(np.int64)


def _plant(
    rng: np.random.Generator, table: pa.Table, key: str, n_dup: int, n_missing: int = 1,
    earlier: pa.Table | None = None,
) -> tuple[pa.Table, dict[str, Any]]:
    """Add duplicates and missing-key rows to a clean table and describe them.

    Append-only tables get exact copies loaded later; latest-state tables pass
    ``earlier``: older versions of some rows that dedupe must discard.
    """
    n = table.num_rows
    if earlier is None:
        dup_idx = np.sort(rng.choice(n, size=min(n_dup, n), replace=False))
        dups = table.take(pa.array(dup_idx))
        loaded = (pc.cast(dups.column("loaded_at"), pa.int64()).to_numpy()
                  + rng.integers(HOUR_US, 3 * DAY_US, dups.num_rows))
        i = dups.schema.get_field_index("loaded_at")
        dups = dups.set_column(i, "loaded_at", _ts(loaded))
    else:
        dups = earlier
    missing = table.take(pa.array(rng.choice(n, size=n_missing, replace=False)))
    i = missing.schema.get_field_index(key)
    missing = missing.set_column(i, key, pa.nulls(n_missing, pa.string()))
    raw = pa.concat_tables([table, dups, missing])
    return raw, {
        "raw_rows": raw.num_rows,
        "planted_duplicates": dups.num_rows,
        "invalid_by_reason": {"missing_key": n_missing},
        "valid_rows": n,
        "key": key,
    }


def _n_dup(n: int) -> int:
    return max(2, round(n * 0.005))


# --- users ------------------------------------------------------------------------


def users_table(ctx: Context) -> tuple[pa.Table, dict[str, Any], dict[str, Any]]:
    rng, u, cfg = ctx.rng, ctx.users, ctx.cfg
    first = np.full(u.n, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, ctx.conv.user, ctx.conv.start_us)
    drawn = cfg.start_us - rng.integers(0, 400, u.n) * DAY_US + rng.integers(0, DAY_US, u.n)
    drawn = drawn + rng.integers(0, 150, u.n) * DAY_US
    created = np.minimum(drawn, first - HOUR_US)
    loaded = created + _delay(rng, u.n)
    n_dup = _n_dup(u.n)
    dup = rng.choice(u.n, size=n_dup, replace=False)
    # the kept (final) version of a changed user lands days later than its first version
    final_loaded = loaded.copy()
    final_loaded[dup] = loaded[dup] + rng.integers(1, 30, n_dup) * DAY_US

    def build(rows: np.ndarray, region_idx: np.ndarray, loaded_us: np.ndarray) -> pa.Table:
        acct = u.account[rows]
        return pa.table(
            [
                _ids("u-", rows, 7), _ids("acct-", acct, 6), _pick(SEGMENTS, u.account_segment[acct]),
                _pick(REGIONS, region_idx), _ts(created[rows]), pa.array(u.consent[rows]), _ts(loaded_us),
            ],
            schema=arrow_schema("users"),
        )

    all_rows = np.arange(u.n)
    region = u.account_region[u.account]
    final = build(all_rows, region, final_loaded)
    earlier = build(dup, (region[dup] + 1) % len(REGIONS), loaded[dup])
    raw, truth = _plant(rng, final, "user_id", n_dup, earlier=earlier)
    opted_out = [f"u-{i:07d}" for i in np.flatnonzero(~u.consent)]
    return raw, truth, {"opted_out_user_ids": opted_out, "n_users": u.n}


# --- support tickets -------------------------------------------------------------------


def _handle_minutes(rng: np.random.Generator, n: int, mean: float) -> np.ndarray:
    sigma = 0.6
    return np.round(rng.lognormal(np.log(mean) - sigma**2 / 2, sigma, n), 1)


@dataclass
class _Tickets:
    """Every generated ticket in its final version, one array element per ticket (times in us)."""

    created: np.ndarray
    user: np.ndarray
    conv_id: np.ndarray  # the linked conversation's number; -1 for none
    ai_handled: np.ndarray
    escalated: np.ndarray
    handle: np.ndarray  # minutes
    status: np.ndarray  # 0 new, 1 open, 2 pending, 3 solved, 4 closed
    first_reply: np.ndarray
    solved: np.ndarray
    updated: np.ndarray
    csat: np.ndarray
    csat_null: np.ndarray
    loaded: np.ndarray

    @property
    def is_solved(self) -> np.ndarray:
        return np.asarray(self.status >= 3)


@dataclass
class _TicketVersion:
    """The rows of one version of the tickets, with the columns that differ between versions."""

    rows: np.ndarray
    status: np.ndarray
    solved_null: np.ndarray
    updated: np.ndarray
    handle: np.ndarray
    csat_null: np.ndarray
    loaded: np.ndarray


def _background_tickets(ctx: Context, lam_pre: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(created, user, ai_handled) of the tickets unrelated to a conversation: Poisson per day."""
    rng, cfg, users = ctx.rng, ctx.cfg, ctx.users
    launch_day = (cfg.launch_date - cfg.start_date).days
    days = np.arange(cfg.n_days)
    lam = np.where(days < launch_day, lam_pre, lam_pre * TICKET_LAMBDA_POST_FACTOR) * np.where(days % 7 >= 5, 0.5, 1.0)
    per_day = rng.poisson(lam)
    bg_day = np.repeat(days, per_day)
    n_bg = bg_day.size
    created = cfg.start_us + bg_day * DAY_US + rng.integers(6 * HOUR_US, 22 * HOUR_US, n_bg)
    user = np.where(rng.random(n_bg) < 0.85, rng.integers(users.n_active, users.n, n_bg),
                    rng.integers(0, users.n, n_bg))
    ai_handled = (created >= cfg.launch_us) & (rng.random(n_bg) < AI_HANDLED_SHARE_POST)
    return created, user, ai_handled


def _support_follow_ups(ctx: Context) -> tuple[np.ndarray, np.ndarray]:
    """(conversation numbers, created) of the tickets after a support conversation that did not deflect."""
    from ai_ops_tools.generator import TICKET_AFTER_SUPPORT_P

    rng, conv = ctx.rng, ctx.conv
    support = np.flatnonzero(conv.workflow == 0)
    arm_key = np.where(~conv.is_post[support], 3, np.where(conv.arm[support] == -1, 2, conv.arm[support]))
    p = np.array([TICKET_AFTER_SUPPORT_P[k] for k in ("control", "treatment", "unknown", "pilot")])[arm_key]
    linked = support[rng.random(support.size) < p]
    created = conv.start_us[linked] + rng.integers(HOUR_US // 2, 6 * DAY_US, linked.size)
    return linked, created


def _tickets(ctx: Context, lam_pre: float) -> _Tickets:
    """Background and AI-linked tickets with their status, reply, solve, CSAT and load times."""
    rng, cfg = ctx.rng, ctx.cfg
    bg_created, bg_user, bg_ai = _background_tickets(ctx, lam_pre)
    linked, ai_created = _support_follow_ups(ctx)
    n_bg, n_ai = bg_created.size, linked.size
    n = n_bg + n_ai
    created = np.concatenate([bg_created, ai_created])
    conv_id = np.concatenate([np.full(n_bg, -1), np.where(rng.random(n_ai) < 0.65, linked, -1)])
    ai_handled = np.concatenate([bg_ai, np.zeros(n_ai, bool)])
    escalated = np.concatenate([np.zeros(n_bg, bool), rng.random(n_ai) < 0.6])
    post = created >= cfg.launch_us
    handle = np.where(post, _handle_minutes(rng, n, HANDLE_MEAN_MINUTES["post"]),
                      _handle_minutes(rng, n, HANDLE_MEAN_MINUTES["pre"]))
    handle = np.where(ai_handled, 0.0, handle)

    window_end = cfg.start_us + cfg.n_days * DAY_US
    recent = created > window_end - 3 * DAY_US
    r = rng.random(n)
    status = np.where(recent, rng.integers(0, 3, n), np.where(r < 0.03, 1 + (r < 0.015), np.where(r < 0.55, 3, 4)))
    first_reply = created + np.where(ai_handled, rng.integers(5 * US, 60 * US, n),
                                     (rng.lognormal(np.log(30.0), 1.0, n) * MINUTE_US).astype(np.int64))
    solved = np.maximum(created + (rng.lognormal(np.log(8.0), 1.0, n) * HOUR_US).astype(np.int64),
                        first_reply + MINUTE_US)
    is_solved = status >= 3
    updated = np.where(is_solved, solved + np.where(status == 4, 2 * DAY_US, 0),
                       np.where(status == 0, created, first_reply))
    csat_null = (~is_solved) | (rng.random(n) < 0.4)
    csat = np.clip(np.where(post, 4, 3) + rng.integers(-2, 2, n), 1, 5)
    return _Tickets(
        created=created, user=np.concatenate([bg_user, ctx.conv.user[linked]]), conv_id=conv_id,
        ai_handled=ai_handled, escalated=escalated, handle=handle, status=status, first_reply=first_reply,
        solved=solved, updated=updated, csat=csat, csat_null=csat_null, loaded=updated + _delay(rng, n),
    )


def _tickets_arrow(rng: np.random.Generator, t: _Tickets, v: _TicketVersion) -> pa.Table:
    """The raw support_tickets rows of one version (channel and priority drawn here)."""
    rows = v.rows
    return pa.table(
        [
            _ids("tkt-", rows, 8), _ids("u-", t.user[rows], 7),
            _null_text(_ids("conv-", np.maximum(t.conv_id[rows], 0), 8), t.conv_id[rows] < 0),
            _pick(("chat", "email", "phone", "web"), rng.integers(0, 4, rows.size)),
            _pick(("low", "normal", "high", "urgent"), rng.choice(4, rows.size, p=[0.3, 0.45, 0.2, 0.05])),
            _pick(("new", "open", "pending", "solved", "closed"), v.status),
            _ts(t.created[rows]), _ts(t.first_reply[rows], v.status == 0), _ts(t.solved[rows], v.solved_null),
            _ts(v.updated), pa.array(v.handle), pa.array(t.csat[rows].astype(np.int32), mask=v.csat_null),
            pa.array(t.ai_handled[rows]), pa.array(t.escalated[rows]), _ts(v.loaded),
        ],
        schema=arrow_schema("support_tickets"),
    )


def _ticket_versions(rng: np.random.Generator, t: _Tickets) -> tuple[pa.Table, dict[str, Any]]:
    """The raw table with the planted problems: final versions plus, for some solved tickets, an
    earlier one (still open, fewer minutes, loaded before the final one)."""
    n = t.created.size
    final = _tickets_arrow(rng, t, _TicketVersion(
        rows=np.arange(n), status=t.status, solved_null=~t.is_solved, updated=t.updated, handle=t.handle,
        csat_null=t.csat_null, loaded=t.loaded,
    ))
    solved_rows = np.flatnonzero(t.is_solved)
    dup = np.sort(rng.choice(solved_rows, size=min(_n_dup(n), solved_rows.size), replace=False))
    earlier_updated = t.first_reply[dup]
    earlier_loaded = earlier_updated + _delay(rng, dup.size)
    earlier = _tickets_arrow(rng, t, _TicketVersion(
        rows=dup, status=np.ones(dup.size, np.int64), solved_null=np.ones(dup.size, bool),
        updated=earlier_updated, handle=np.round(t.handle[dup] * 0.4, 1), csat_null=np.ones(dup.size, bool),
        loaded=earlier_loaded,
    ))
    return _plant(rng, final, "ticket_id", 0, earlier=earlier)


def tickets_table(ctx: Context) -> tuple[pa.Table, dict[str, Any], dict[str, Any]]:
    lam_pre = max(12.0, 0.003 * ctx.conv.n)
    tickets = _tickets(ctx, lam_pre)
    raw, truth = _ticket_versions(ctx.rng, tickets)
    effects = {
        "pre_vs_post_tickets": _pre_post_truths(ctx.cfg, tickets.created, tickets.handle),
        "deflection": _deflection_truths(ctx, tickets.created, tickets.user, tickets.conv_id),
        "planted": {
            "ticket_rate_post_factor_background": TICKET_LAMBDA_POST_FACTOR,
            "tickets_per_day_pre_lambda": lam_pre,
            "handle_mean_minutes_human": HANDLE_MEAN_MINUTES,
            "ai_handled_share_post_background": AI_HANDLED_SHARE_POST,
        },
    }
    return raw, truth, effects


def _pre_post_truths(cfg: GenConfig, created: np.ndarray, handle: np.ndarray) -> dict[str, Any]:
    """Daily ticket counts and handle minutes before/after launch, as CONTRACT section 3 defines them."""
    day = np.floor_divide(created, DAY_US)
    launch = cfg.launch_us // DAY_US
    first, last = int(day.min()), int(day.max())
    counts = np.bincount(day - first, minlength=last - first + 1)
    all_days = np.arange(first, last + 1)

    def stats(x: np.ndarray) -> dict[str, float | int]:
        return {"n": int(x.size), "mean": float(x.mean()), "sample_variance": float(x.var(ddof=1))}

    def iso(d: int) -> str:
        return (date(1970, 1, 1) + timedelta(days=d)).isoformat()

    pre, post = all_days < launch, all_days >= launch
    t_pre, t_post = day < launch, day >= launch
    return {
        "first_ticket_day": iso(first),
        "last_ticket_day": iso(last),
        "tickets_per_day": {"baseline": stats(counts[pre].astype(float)),
                            "treatment": stats(counts[post].astype(float))},
        "mean_handle_minutes": {"baseline": stats(handle[t_pre]), "treatment": stats(handle[t_post])},
    }


def _deflection_truths(ctx: Context, created: np.ndarray, user: np.ndarray, conv_id: np.ndarray) -> dict[str, Any]:
    """Realised deflection per arm: post-launch support conversations with no ticket in the window."""
    conv, cfg = ctx.conv, ctx.cfg
    support = np.flatnonzero((conv.workflow == 0) & conv.is_post & (conv.arm >= 0))
    convs = pa.table({"conv": support, "usr": conv.user[support], "start_us": conv.start_us[support],
                      "arm": conv.arm[support].astype(np.int64)})
    tickets = pa.table({"conv": conv_id, "usr": user, "created_us": created})
    window = 7 * DAY_US  # dbt var deflection_window_days default
    con = duckdb.connect()
    con.register("convs", convs)
    con.register("tickets", tickets)
    # Two equi-joins instead of one OR-join: DuckDB cannot hash-join on an OR.
    rows = con.execute(
        f"""
        with matched as (
            select c.conv from convs c inner join tickets t on t.conv = c.conv
            where t.created_us between c.start_us and c.start_us + {window}
            union
            select c.conv from convs c inner join tickets t on t.usr = c.usr
            where t.created_us between c.start_us and c.start_us + {window}
        )
        select c.arm, count(*) as n, count(*) filter (where m.conv is null) as deflected
        from convs c left join matched m on m.conv = c.conv
        group by 1 order by 1
        """
    ).fetchall()
    con.close()
    out: dict[str, Any] = {}
    names = {0: "control", 1: "treatment"}
    for arm, n, deflected in rows:
        out[names[arm]] = {"support_conversations": n, "deflected": deflected, "deflection_rate": deflected / n}
    del cfg
    return {"deflection": out}


# --- CRM ------------------------------------------------------------------------------------


def crm_outcomes_table(ctx: Context) -> tuple[pa.Table, dict[str, Any]]:
    rng, conv, users = ctx.rng, ctx.conv, ctx.users
    cand = np.flatnonzero(ctx.completed & np.isin(conv.workflow, [1, 2, 4]))
    linked = cand[rng.random(cand.size) < 0.35]
    types = ("purchase", "signup", "meeting_booked", "opportunity_won", "renewal", "churn")
    l_type = rng.choice([0, 2, 3, 1], size=linked.size, p=[0.4, 0.3, 0.15, 0.15])
    l_time = conv.start_us[linked] + rng.integers(HOUR_US, 25 * DAY_US, linked.size)
    n_bg = max(40, conv.n // 30)
    b_type = rng.choice([1, 4, 5, 0], size=n_bg, p=[0.4, 0.3, 0.1, 0.2])
    b_time = ctx.cfg.start_us + rng.integers(0, ctx.cfg.n_days * DAY_US, n_bg)
    kind = np.concatenate([l_type, b_type])
    user = np.concatenate([conv.user[linked], rng.integers(0, users.n, n_bg)])
    conv_id = np.concatenate([linked, np.full(n_bg, -1)])
    occurred = np.concatenate([l_time, b_time])
    mean_amount = np.array([800.0, 0.0, 0.0, 12000.0, 5000.0, 3000.0])[kind]
    amount = np.round(mean_amount * rng.lognormal(-0.125, 0.5, kind.size), 2)
    no_amount = (kind == 1) | (kind == 2)
    n = kind.size
    table = pa.table(
        [
            _ids("out-", np.arange(n), 8), _ids("acct-", users.account[user], 6), _ids("u-", user, 7),
            _null_text(_ids("conv-", np.maximum(conv_id, 0), 8), conv_id < 0), _pick(types, kind),
            pa.array(amount, mask=no_amount), _ts(occurred), _ts(occurred + _delay(rng, n)),
        ],
        schema=arrow_schema("crm_outcomes"),
    )
    return _plant(rng, table, "outcome_id", _n_dup(n))


def crm_opportunities_table(ctx: Context) -> tuple[pa.Table, dict[str, Any]]:
    rng, cfg = ctx.rng, ctx.cfg
    n_opp = max(30, int(ctx.users.n_accounts * 1.2))
    stages = ("prospecting", "qualification", "proposal", "negotiation", "closed_won", "closed_lost")
    versions = rng.integers(1, 5, n_opp)
    opp = np.repeat(np.arange(n_opp), versions)
    v = np.arange(opp.size) - np.repeat(np.cumsum(versions) - versions, versions)
    last = v == np.repeat(versions - 1, versions)
    stage = np.where(last & (versions[opp] == 4), np.where(rng.random(opp.size) < 0.6, 4, 5), np.minimum(v, 3))
    start = cfg.start_us + rng.integers(0, (cfg.n_days - 30) * DAY_US, n_opp)
    updated = start[opp] + v * rng.integers(2 * DAY_US, 9 * DAY_US, opp.size)
    amount = np.round(np.repeat(rng.lognormal(np.log(20000), 0.7, n_opp), versions) * (1 + 0.05 * v), 2)
    account = rng.integers(0, ctx.users.n_accounts, n_opp)[opp]
    table = pa.table(
        [
            _ids("opp-", opp, 6), _ids("acct-", account, 6), _pick(stages, stage), pa.array(amount),
            _ts(updated), _ts(updated + _delay(rng, opp.size)),
        ],
        schema=arrow_schema("crm_opportunities"),
    )
    final, earlier = table.filter(pa.array(last)), table.filter(pa.array(~last))
    return _plant(rng, final, "opportunity_id", 0, earlier=earlier)


# --- agent traces -----------------------------------------------------------------------------


@dataclass
class _Runs:
    """The generated agent runs, one array element per run (times in us)."""

    workflow: np.ndarray
    agent: np.ndarray
    started: np.ndarray
    duration: np.ndarray
    expected: np.ndarray  # spans the run should have
    spans: np.ndarray  # spans it has
    failed: np.ndarray
    unfinished: np.ndarray

    @property
    def n(self) -> int:
        return int(self.started.size)


def _agent_names() -> tuple[str, ...]:
    from ai_ops_tools.generator import WORKFLOWS

    return tuple(f"{w.split('_')[0]}-agent-{i}" for w in WORKFLOWS for i in range(1, 4))


def _agent_runs(ctx: Context) -> tuple[_Runs, pa.Table]:
    """Runs, half of them started from a conversation (its workflow), half free after launch."""
    from ai_ops_tools.generator import WORKFLOWS

    rng, cfg, conv = ctx.rng, ctx.cfg, ctx.conv
    n = int(np.clip(conv.n // 4, 150, 250_000))
    linked = rng.random(n) < 0.5
    conv_pick = rng.integers(0, conv.n, n)
    launch_day = (cfg.launch_date - cfg.start_date).days
    free_start = cfg.launch_us + rng.integers(0, (cfg.n_days - launch_day) * DAY_US, n)
    started = np.where(linked, conv.start_us[conv_pick] + rng.integers(US, 60 * US, n), free_start)
    wf = np.where(linked, conv.workflow[conv_pick], rng.choice(len(WORKFLOWS), n))
    agent = wf * 3 + rng.integers(0, 3, n)
    expected = rng.integers(3, 8, n)
    spans = np.where(rng.random(n) < 0.1, np.maximum(expected - rng.integers(1, 3, n), 1), expected)
    unfinished = rng.random(n) < 0.02
    failed = unfinished | (rng.random(n) < 0.1)
    rescued = rng.random(n) < 0.08
    duration = (rng.lognormal(np.log(90.0), 0.9, n) * US).astype(np.int64)
    finished = started + duration
    run_loaded = np.where(unfinished, started, finished) + _delay(rng, n)
    runs = pa.table(
        [
            _ids("run-", np.arange(n), 8), _pick(WORKFLOWS, wf), _pick(_agent_names(), agent),
            _null_text(_ids("conv-", conv_pick, 8), ~linked), _ts(started), _ts(finished, unfinished),
            _pick(("success", "failed"), failed.astype(np.int64)), pa.array(rescued),
            pa.array(expected.astype(np.int32)), _ts(run_loaded),
        ],
        schema=arrow_schema("agent_runs"),
    )
    return _Runs(workflow=wf, agent=agent, started=started, duration=duration, expected=expected, spans=spans,
                 failed=failed, unfinished=unfinished), runs


def _agent_steps(rng: np.random.Generator, r: _Runs) -> pa.Table:
    """The spans of every run, evenly over its duration; the last one carries the run's failure."""
    s_run = np.repeat(np.arange(r.n), r.spans)
    s_idx = np.arange(s_run.size) - np.repeat(np.cumsum(r.spans) - r.spans, r.spans)
    step_len = (r.duration[s_run] // r.spans[s_run]).astype(np.int64)
    s_start = r.started[s_run] + s_idx * step_len
    s_last = s_idx == r.spans[s_run] - 1
    s_failed = s_last & r.failed[s_run]
    s_unfinished = s_last & r.unfinished[s_run]
    # workflows touch a limited, workflow-specific set of systems
    s_system = (r.workflow[s_run] * 2 + rng.integers(0, 4, s_run.size)) % len(SYSTEMS)
    step_names = ("plan", "retrieve", "call_tool", "draft", "review", "execute", "notify")
    return pa.table(
        [
            _ids("span-", np.arange(s_run.size), 9), _ids("run-", s_run, 8),
            pa.array((s_idx + 1).astype(np.int32)), _pick(step_names, s_idx % len(step_names)),
            _pick(SYSTEMS, s_system), _pick(_agent_names(), r.agent[s_run]), _ts(s_start),
            _ts(s_start + step_len, s_unfinished), _pick(("success", "failed"), s_failed.astype(np.int64)),
            _ts(s_start + step_len + _delay(rng, s_run.size)),
        ],
        schema=arrow_schema("agent_steps"),
    )


def _agent_decisions(ctx: Context, r: _Runs) -> pa.Table:
    """Up to three decisions per run, at a random time within it, some naming a CRM outcome."""
    from ai_ops_tools.generator_quality import link_kpis

    rng = ctx.rng
    n_dec = np.minimum(rng.poisson(1.2, r.n), 3)
    d_run = np.repeat(np.arange(r.n), n_dec)
    m = d_run.size
    sensitive = rng.random(m) < 0.3
    result = rng.choice(3, size=m, p=[0.75, 0.15, 0.10])
    reason_null = rng.random(m) < 0.12
    person = rng.integers(0, ctx.users.n, m)
    decided = r.started[d_run] + (r.duration[d_run] * rng.random(m)).astype(np.int64)
    return pa.table(
        [
            _ids("dec-", np.arange(m), 8), _ids("run-", d_run, 8), _pick(_agent_names(), r.agent[d_run]),
            _ids("u-", person, 7), _ids("acct-", ctx.users.account[person], 6),
            _pick(("issue_refund", "update_crm_stage", "send_email", "grant_discount", "close_ticket"),
                  rng.integers(0, 5, m)),
            _null_text(_pick(("policy_refund_lt_100", "customer_tier_gold", "sla_breach_risk", "duplicate_request"),
                             rng.integers(0, 4, m)), reason_null),
            _pick(("pol-v1", "pol-v2", "pol-v3"), rng.integers(0, 3, m)),
            _pick(("success", "escalated", "fail"), result), pa.array(sensitive),
            pa.array(np.round(rng.uniform(0.001, 0.05, m), 5)),
            link_kpis(ctx.cfg, _pick(("deflection", "revenue", "handle_time"), rng.integers(0, 3, m)),
                      ctx.n_outcomes),
            _ts(decided), _ts(decided + _delay(rng, m)),
        ],
        schema=arrow_schema("agent_decisions"),
    )


def agent_tables(ctx: Context) -> tuple[dict[str, pa.Table], dict[str, Any]]:
    r, runs = _agent_runs(ctx)
    steps = _agent_steps(ctx.rng, r)
    decisions = _agent_decisions(ctx, r)
    tables, truths = {}, {}
    for name, table, key in (("agent_runs", runs, "run_id"), ("agent_steps", steps, "span_id"),
                             ("agent_decisions", decisions, "decision_id")):
        tables[name], truths[name] = _plant(ctx.rng, table, key, _n_dup(table.num_rows))
    truths["agent_runs"]["runs_with_fewer_spans_than_expected"] = int((r.spans < r.expected).sum())
    return tables, truths


# --- ops and governance (small tables) ----------------------------------------------------


def _uniform_ts(ctx: Context, n: int, from_day: int = 0) -> np.ndarray:
    cfg = ctx.cfg
    return cfg.start_us + rng_int(ctx, from_day * DAY_US, cfg.n_days * DAY_US, n)


def rng_int(ctx: Context, low: int, high: int, n: int) -> np.ndarray:
    return ctx.rng.integers(low, high, n)


def ops_tables(ctx: Context) -> tuple[dict[str, pa.Table], dict[str, Any]]:
    rng, cfg = ctx.rng, ctx.cfg
    from ai_ops_tools.generator import WORKFLOWS

    n = max(20, cfg.weeks * 2)
    causes = ("data_drift", "bad_deployment", "vendor_outage", "prompt_regression", "integration", "other")
    cause = rng.integers(0, len(causes), n)
    ai_cause = np.isin(cause, [0, 1, 3])
    detected = _uniform_ts(ctx, n)
    diagnosed = detected + (rng.lognormal(np.log(2.0), 0.8, n) * HOUR_US).astype(np.int64)
    resolved = diagnosed + (rng.lognormal(np.log(6.0), 0.9, n) * HOUR_US).astype(np.int64)
    unresolved = rng.random(n) < 0.1
    incidents = pa.table(
        [
            _ids("inc-", np.arange(n), 5), _pick(WORKFLOWS, rng.integers(0, 5, n)),
            _pick(("sev1", "sev2", "sev3", "sev4"), rng.choice(4, n, p=[0.05, 0.2, 0.45, 0.3])),
            _pick(causes, cause), pa.array(np.where(ai_cause, rng.random(n) < 0.85, rng.random(n) < 0.2)),
            _ts(detected), _ts(diagnosed), _ts(resolved, unresolved),
            _ts(np.where(unresolved, diagnosed, resolved) + _delay(rng, n)),
        ],
        schema=arrow_schema("incidents"),
    )

    n = cfg.weeks * 4
    approved = _uniform_ts(ctx, n)
    deployed = approved + (rng.lognormal(np.log(2.0), 0.8, n) * DAY_US).astype(np.int64)
    status = rng.choice(3, n, p=[0.8, 0.1, 0.1])
    deployments = pa.table(
        [
            _ids("chg-", np.arange(n), 5), _pick(("model", "prompt", "policy", "pipeline"), rng.integers(0, 4, n)),
            _pick(WORKFLOWS, rng.integers(0, 5, n)), _ts(approved), _ts(deployed, status == 2),
            _pick(("deployed", "rolled_back", "pending"), status),
            _ts(np.where(status == 2, approved, deployed) + _delay(rng, n)),
        ],
        schema=arrow_schema("deployments"),
    )

    per_conn = cfg.n_days * 4  # a check every six hours
    conn = np.repeat(np.arange(len(CONNECTORS)), per_conn)
    checked = (cfg.start_us + np.tile(np.arange(per_conn), len(CONNECTORS)) * 6 * HOUR_US
               + rng.integers(0, 30 * MINUTE_US, conn.size))
    flaky = conn == CONNECTORS.index("gong")
    ok = {name: rng.random(conn.size) >= np.where(flaky, 5 * p, p)
          for name, p in (("auth", 0.01), ("schema", 0.015), ("latency", 0.03), ("error", 0.025))}
    checks = pa.table(
        [
            _ids("chk-", np.arange(conn.size), 7), _pick(CONNECTORS, conn), pa.array(conn < CRITICAL_CONNECTORS),
            _ts(checked), pa.array(ok["auth"]), pa.array(ok["schema"]), pa.array(ok["latency"]),
            pa.array(ok["error"]), _ts(checked + _delay(rng, conn.size)),
        ],
        schema=arrow_schema("connector_checks"),
    )
    tables, truths = {}, {}
    for name, table, key in (("incidents", incidents, "incident_id"), ("deployments", deployments, "change_id"),
                             ("connector_checks", checks, "check_id")):
        tables[name], truths[name] = _plant(rng, table, key, _n_dup(table.num_rows))
    return tables, truths


def _model_evaluations(ctx: Context) -> pa.Table:
    """Every model version's responsible-AI checks every one to two weeks; the slow version fails more."""
    from ai_ops_tools.generator import MODEL_VERSIONS, SLOW_MODEL_VERSION

    rng, cfg = ctx.rng, ctx.cfg
    checks = ("fairness", "privacy", "explainability", "drift", "bias")
    rows: list[tuple[int, int, int]] = []  # (version, check, time_us)
    for v in range(len(MODEL_VERSIONS)):
        for c in range(len(checks)):
            t = cfg.start_us + int(rng.integers(0, 7)) * DAY_US
            while t < cfg.start_us + cfg.n_days * DAY_US:
                rows.append((v, c, t + int(rng.integers(8, 18)) * HOUR_US))
                t += int(rng.integers(7, 15)) * DAY_US
    ver = np.array([r[0] for r in rows])
    chk = np.array([r[1] for r in rows])
    evaluated = np.array([r[2] for r in rows], dtype=np.int64)
    n = ver.size
    slow = ver == MODEL_VERSIONS.index(SLOW_MODEL_VERSION)
    passed = rng.random(n) >= np.where(slow & (chk >= 3), 0.4, 0.08)
    alert = ~passed | (rng.random(n) < 0.05)
    triaged = evaluated + (rng.lognormal(np.log(24.0), 0.9, n) * HOUR_US).astype(np.int64)
    untriaged = ~alert | (rng.random(n) < 0.1)
    return pa.table(
        [
            _ids("eval-", np.arange(n), 6), _pick(MODEL_VERSIONS, ver), _pick(checks, chk), _ts(evaluated),
            pa.array(passed), pa.array(alert), _ts(triaged, untriaged), _ts(evaluated + _delay(rng, n)),
        ],
        schema=arrow_schema("model_evaluations"),
    )


def _controls(ctx: Context) -> tuple[pa.Table, pa.Table]:
    """(controls, earlier versions of three automated ones: before they were automated, loaded earlier)."""
    rng, cfg = ctx.rng, ctx.cfg
    n_ctl = 30
    required = rng.random(n_ctl) < 0.8
    since_day = rng.integers(-120, cfg.n_days, n_ctl)
    not_automated = rng.random(n_ctl) < 0.2
    start = cfg.start_date
    since = pa.array([start + timedelta(days=int(d)) for d in since_day], pa.date32(), mask=not_automated)
    ctl_loaded = cfg.start_us + np.maximum(since_day, 0) * DAY_US + _delay(rng, n_ctl)
    names = pa.array([f"Control {i + 1:02d}: " + ("access review", "model card", "PII redaction", "audit log",
                                                  "bias testing", "change approval")[i % 6] for i in range(n_ctl)])
    controls = pa.table(
        [_ids("ctl-", np.arange(n_ctl), 3), names, pa.array(required), since, _ts(ctl_loaded)],
        schema=arrow_schema("controls"),
    )
    dup = np.sort(rng.choice(np.flatnonzero(~not_automated), size=3, replace=False))
    earlier = controls.take(pa.array(dup))
    earlier = earlier.set_column(3, "automated_since", pa.nulls(dup.size, pa.date32()))
    earlier = earlier.set_column(4, "loaded_at", _ts(ctl_loaded[dup] - 30 * DAY_US))
    return controls, earlier


def _ai_initiatives(ctx: Context) -> pa.Table:
    """Sixteen initiatives, some promoted to production, a few retired."""
    from ai_ops_tools.generator import WORKFLOWS

    rng, cfg = ctx.rng, ctx.cfg
    n_ini = 16
    ini_start = cfg.start_us + rng.integers(-120, cfg.n_days - 20, n_ini) * DAY_US
    promoted = ini_start + rng.integers(30, 120, n_ini) * DAY_US
    not_promoted = (rng.random(n_ini) < 0.5) | (promoted > cfg.start_us + cfg.n_days * DAY_US)
    retired = ini_start + rng.integers(60, 200, n_ini) * DAY_US
    not_retired = (rng.random(n_ini) >= 0.15) | (retired > cfg.start_us + cfg.n_days * DAY_US)
    return pa.table(
        [
            _ids("ini-", np.arange(n_ini), 3),
            pa.array([f"Initiative {i + 1}" for i in range(n_ini)]), _pick(WORKFLOWS, np.arange(n_ini) % 5),
            _ts(ini_start), _ts(promoted, not_promoted), _ts(retired, not_retired),
            _ts(np.maximum(ini_start, cfg.start_us) + _delay(rng, n_ini)),
        ],
        schema=arrow_schema("ai_initiatives"),
    )


def _cost_ledger(ctx: Context) -> pa.Table:
    """Monthly run costs per workflow and category."""
    from ai_ops_tools.generator import WORKFLOWS

    rng, cfg = ctx.rng, ctx.cfg
    months = _months(cfg.start_date, cfg.start_date + timedelta(days=cfg.n_days - 1))
    cats = ("infrastructure", "licensing", "headcount", "vendor", "compliance")
    # Monthly run costs per workflow at 100,000 conversations, scaled to the data's volume so the
    # ROI story (savings against cost) reads the same at every size, from tests to benchmarks.
    volume = ctx.conv.n / 100_000
    base = {
        c: amount * volume
        for c, amount in {
            "infrastructure": 4000.0, "licensing": 6000.0, "headcount": 15000.0, "vendor": 3000.0,
            "compliance": 1500.0,
        }.items()
    }
    rows_l = [(m, w, c) for m in months for w in WORKFLOWS for c in cats]
    n_l = len(rows_l)
    month_end_us = np.array([_date_us(_next_month(m)) for m, _, _ in rows_l], dtype=np.int64)
    return pa.table(
        [
            _ids("led-", np.arange(n_l), 5), pa.array([m for m, _, _ in rows_l], pa.date32()),
            pa.array([w for _, w, _ in rows_l]), pa.array([c for _, _, c in rows_l]),
            pa.array(np.round([base[c] * rng.uniform(0.7, 1.3) for _, _, c in rows_l], 2)),
            _ts(month_end_us + 2 * DAY_US + _delay(rng, n_l)),
        ],
        schema=arrow_schema("cost_ledger"),
    )


def governance_tables(ctx: Context) -> tuple[dict[str, pa.Table], dict[str, Any]]:
    evaluations = _model_evaluations(ctx)
    controls, earlier = _controls(ctx)
    initiatives = _ai_initiatives(ctx)
    ledger = _cost_ledger(ctx)
    tables, truths = {}, {}
    for name, table, key, earlier_t in (
        ("model_evaluations", evaluations, "evaluation_id", None), ("controls", controls, "control_id", earlier),
        ("ai_initiatives", initiatives, "initiative_id", None), ("cost_ledger", ledger, "entry_id", None),
    ):
        tables[name], truths[name] = _plant(ctx.rng, table, key, _n_dup(table.num_rows), earlier=earlier_t)
    return tables, truths


def _months(first: date, last: date) -> list[date]:
    out, m = [], first.replace(day=1)
    while m <= last:
        out.append(m)
        m = _next_month(m)
    return out


def _next_month(m: date) -> date:
    return (m.replace(day=28) + timedelta(days=4)).replace(day=1)


def _date_us(d: date) -> int:
    return (d - date(1970, 1, 1)).days * DAY_US


def other_tables(ctx: Context) -> tuple[dict[str, pa.Table], dict[str, Any], dict[str, Any]]:
    """All tables but ai_events, with their per-table truths and the planted effects."""
    tables: dict[str, pa.Table] = {}
    truths: dict[str, Any] = {}
    tables["users"], truths["users"], users_truth = users_table(ctx)
    tables["support_tickets"], truths["support_tickets"], effects = tickets_table(ctx)
    tables["crm_outcomes"], truths["crm_outcomes"] = crm_outcomes_table(ctx)
    ctx.n_outcomes = truths["crm_outcomes"]["valid_rows"]
    tables["crm_opportunities"], truths["crm_opportunities"] = crm_opportunities_table(ctx)
    for part in (agent_tables(ctx), ops_tables(ctx), governance_tables(ctx)):
        tables.update(part[0])
        truths.update(part[1])
    effects["users"] = users_truth
    return tables, truths, effects
