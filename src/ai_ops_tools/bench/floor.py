"""The floor: one hand-written DuckDB query over the raw events, and its check against ops_metrics."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ai_ops_tools.bench.config import FLOOR_METRICS, KNOWN_EVENT_NAMES


def _model_prices() -> list[tuple[str, float, float]]:
    import csv

    from ai_ops_tools.dbt_run import project_dir

    with open(project_dir() / "seeds" / "model_pricing.csv", newline="", encoding="utf-8") as fh:
        return [(r["model_used"], float(r["input_usd_per_1k_tokens"]), float(r["output_usd_per_1k_tokens"]))
                for r in csv.DictReader(fh)]


# {prices}: the model_pricing seed as VALUES rows; {names}: the known event names; {raw_table}: raw ai_events
_FLOOR_SQL = """
with prices(model_used, input_per_1k, output_per_1k) as (values {prices}),
parsed as (
    select
        event_id, conversation_id, occurred_at, loaded_at,
        lower(trim(event_name)) as event_name,
        case when json_valid(properties) and json_type(properties) = 'OBJECT' then
            json_extract_string(properties, ['$.latency_ms', '$.response_status', '$.cost_usd', '$.model_used',
                                             '$.input_tokens', '$.output_tokens', '$.action_type',
                                             '$.conversion_flag'])
        end as p
    from {raw_table}
),
typed as (
    select
        event_id, conversation_id, occurred_at, loaded_at, event_name, p is not null as is_object,
        try_cast(trim(p[1]) as double) as latency_ms,
        lower(trim(p[2])) as response_status,
        try_cast(trim(p[3]) as double) as cost_usd,
        nullif(trim(p[4]), '') as model_used,
        try_cast(trim(p[5]) as double) as input_tokens,
        try_cast(trim(p[6]) as double) as output_tokens,
        lower(trim(p[7])) as action_type,
        p[8] = 'true' as conversion_flag
    from parsed
),
valid as (
    select * from typed
    where nullif(trim(event_id), '') is not null
      and nullif(trim(conversation_id), '') is not null
      and occurred_at is not null
      and event_name in ({names})
      and is_object
      and not coalesce(latency_ms < 0 or input_tokens < 0 or output_tokens < 0 or cost_usd < 0, false)
      and not coalesce(occurred_at > loaded_at + interval 1 day, false)
    qualify row_number() over (partition by event_id order by loaded_at nulls last) = 1
),
responses as (
    select
        cast(date_trunc('week', occurred_at) as date) as week_start,
        latency_ms,
        response_status = 'success' as is_success,
        coalesce(
            cost_usd,
            -- tokens count only when they are whole numbers (the project's integer rule)
            coalesce(case when input_tokens = floor(input_tokens) then input_tokens end, 0) / 1000.0
                * prices.input_per_1k
            + coalesce(case when output_tokens = floor(output_tokens) then output_tokens end, 0) / 1000.0
                * prices.output_per_1k,
            0
        ) as cost_usd
    from valid left join prices on valid.model_used = prices.model_used
    where event_name = 'ai_llm_response_received'
),
weekly_responses as (
    select
        week_start,
        quantile_cont(latency_ms, 0.95) as p95_latency_ms,
        count_if(is_success) / count(*) as success_rate,
        sum(cost_usd) as ai_cost_usd,
        count(*) as n_responses
    from responses group by week_start
),
conversations as (
    select
        cast(date_trunc('week', min(occurred_at)) as date) as week_start,
        max(case when event_name = 'ai_user_action' and (action_type = 'accepted' or conversion_flag)
                 then 1 else 0 end) as is_completed
    from valid group by conversation_id
),
weekly_conversations as (
    select week_start, avg(is_completed) as conversation_completion_rate, count(*) as n_conversations
    from conversations group by week_start
)
select
    coalesce(r.week_start, c.week_start) as week_start,
    r.p95_latency_ms, r.success_rate, r.ai_cost_usd, c.conversation_completion_rate,
    r.n_responses, c.n_conversations
from weekly_responses r full outer join weekly_conversations c on r.week_start = c.week_start
order by 1
"""


def floor_sql(raw_table: str) -> str:
    """One DuckDB query over the raw ai_events: weekly p95 latency, success rate, cost, completion rate.

    It applies the contract's rules as far as they move these four figures: the quarantine
    rules of CONTRACT.md section 4 (blank ids, missing occurred_at, unknown event_name,
    properties not a JSON object, negative latency/tokens/cost, occurred more than a day after
    loaded), the dedupe (earliest loaded_at per valid event_id), given cost else tokens priced
    from the model_pricing seed (inlined) else 0, and conversations weeked by their earliest
    valid event. Numbers are read with TRY_CAST where the project uses a stricter pattern: the
    two differ only for NaN/Infinity, exponent-written integers and over-long numbers, which the
    generator never writes.
    """
    prices = ", ".join(f"('{m}', {i!r}, {o!r})" for m, i, o in _model_prices())
    names = ", ".join(f"'{n}'" for n in KNOWN_EVENT_NAMES)
    return _FLOOR_SQL.format(prices=prices, names=names, raw_table=raw_table)


FLOOR_COLUMNS = ("week_start", *FLOOR_METRICS, "n_responses", "n_conversations")


def run_floor(duckdb_path: Path, raw_schema: str) -> tuple[float, list[dict[str, Any]]]:
    """Time the floor query on a fresh connection; returns (seconds, weekly rows)."""
    import duckdb

    sql = floor_sql(f'"{raw_schema}"."ai_events"')
    con = duckdb.connect(str(duckdb_path), read_only=True)
    try:
        con.execute("set memory_limit = '4GB'")
        con.execute("set preserve_insertion_order = false")
        t0 = time.perf_counter()
        rows = con.execute(sql).fetchall()
        elapsed = time.perf_counter() - t0
    finally:
        con.close()
    out = []
    for row in rows:
        d = dict(zip(FLOOR_COLUMNS, row, strict=True))
        d["week_start"] = d["week_start"].isoformat()
        out.append(d)
    return elapsed, out


def marts_weekly_overall(run_sql: Callable[..., list[tuple[Any, ...]]], marts_schema: str) -> dict[str, dict[str, Any]]:
    """ops_metrics' overall week rows of the floor metrics: {week: {metric: value}}."""
    keys = ", ".join(f"'{k}'" for k in FLOOR_METRICS)
    rows = run_sql(
        f'select cast(period_start as varchar), metric_key, value from "{marts_schema}".ops_metrics '
        f"where period_grain = 'week' and segment_type = 'overall' and metric_key in ({keys})"
    )
    out: dict[str, dict[str, Any]] = {}
    for week, key, value in rows:
        out.setdefault(str(week)[:10], {})[key] = value
    return out


def compare_floor_with_marts(floor: list[dict[str, Any]], marts: dict[str, dict[str, Any]],
                             rel_tol: float = 1e-9) -> dict[str, Any]:
    """Per metric: weeks compared and the weeks that differ (relative tolerance for float sums)."""
    result: dict[str, Any] = {}
    for key in FLOOR_METRICS:
        mismatches = []
        compared = 0
        for row in floor:
            want = row[key]
            got = marts.get(row["week_start"], {}).get(key)
            if want is None and got is None:
                continue
            compared += 1
            if want is None or got is None or not math.isclose(float(want), float(got), rel_tol=rel_tol,
                                                               abs_tol=1e-12):
                mismatches.append({"week_start": row["week_start"], "floor": want, "marts": got})
        result[key] = {"weeks_compared": compared, "mismatches": mismatches}
    return result


# --- the increment ------------------------------------------------------------------------------
