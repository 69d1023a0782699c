"""OpenTelemetry GenAI spans as input (CONTRACT.md "OTel input"), end to end on DuckDB and Postgres.

A handful of hand-written spans (two traces, an agent run with a tool step, current and
deprecated attribute names, errors by status and by ``error.type``, a given cost and priced
ones, a redelivered copy and three bad spans) is loaded into ``raw.otel_spans`` through the
loader API, beside otherwise empty raw tables, and built once per target. The marts' figures
are checked against values worked out here from the spans and the ``model_pricing`` seed file,
never read back from the warehouse first.
"""

from __future__ import annotations

import csv
import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from ai_ops_tools import loader
from ai_ops_tools.raw_schema import RAW_TABLES, arrow_schema
from conftest import PROJECT_DIR, DbtProject, _profiles_dir, postgres_settings_or_skip

START = datetime(2026, 6, 1, 10, 0, 0)
LOADED = datetime(2026, 6, 1, 12, 0, 0)
EMAIL = "jane.roe@example.com"


@dataclass(frozen=True)
class Call:
    """One inference span as the test expects it to come out."""

    span_id: str
    latency_ms: float
    is_error: bool
    input_tokens: int
    output_tokens: int
    model: str
    given_cost: float | None


# The four inference spans that must become responses (B, D in trace 1; E, F in trace 2).
CALLS = (
    Call("b0000000000000b1", 1200.0, False, 1000, 500, "gpt-4o", None),
    Call("d0000000000000d1", 500.0, True, 200, 50, "gpt-4o-mini", 0.002),
    Call("e0000000000000e1", 2000.0, True, 0, 0, "claude-3-haiku", 0.01),
    Call("f0000000000000f1", 800.0, False, 10, 5, "llama-3-70b", None),
)
TRACE_1 = "11111111111111111111111111111111"
TRACE_2 = "22222222222222222222222222222222"


def _span(span_id: str | None, trace_id: str, parent: str | None, name: str, start_s: float,
          duration_ms: float, attributes: Any, *, status: str = "STATUS_CODE_UNSET",
          resource: dict[str, Any] | None = None, events: str | None = None,
          loaded_at: datetime = LOADED) -> dict[str, Any]:
    return {
        "trace_id": trace_id, "span_id": span_id, "parent_span_id": parent or "", "span_name": name,
        "span_kind": "SPAN_KIND_CLIENT", "service_name": "support-bot",
        "started_at": START + timedelta(seconds=start_s), "duration_ns": int(duration_ms * 1_000_000),
        "status_code": status, "status_message": None,
        "span_attributes": attributes if isinstance(attributes, str) else json.dumps(attributes),
        "resource_attributes": json.dumps(resource or {"service.name": "support-bot"}), "events": events,
        "scope_name": "opentelemetry.instrumentation.openai_v2", "scope_version": "2.1b0", "loaded_at": loaded_at,
    }


def hand_written_spans() -> list[dict[str, Any]]:
    """Two traces, a duplicate and three bad spans (see the module docstring)."""
    b, d, e, f = CALLS
    resource_1 = {"service.name": "support-bot", "user.id": "u-1", "ai_ops.workflow": "support_automation"}
    agent = _span("a0000000000000a1", TRACE_1, None, "invoke_agent triage", 0, 10_000,
                  {"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "triage",
                   "gen_ai.conversation.id": "conv-a"}, status="STATUS_CODE_OK", resource=resource_1)
    chat_b = _span(b.span_id, TRACE_1, agent["span_id"], "chat gpt-4o", 1, b.latency_ms, {
        "gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o", "gen_ai.response.model": "gpt-4o",
        "gen_ai.usage.input_tokens": b.input_tokens, "gen_ai.usage.output_tokens": b.output_tokens,
        "gen_ai.input.messages": json.dumps([{"role": "user", "parts": [{"type": "text", "content": EMAIL}]}]),
    }, resource=resource_1)
    tool = _span("c0000000000000c1", TRACE_1, agent["span_id"], "execute_tool search", 3, 300,
                 {"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "search"}, resource=resource_1)
    # deprecated token names, the error only in error.type, a given cost, content on an event
    chat_d = _span(d.span_id, TRACE_1, agent["span_id"], "chat gpt-4o-mini", 5, d.latency_ms, {
        "gen_ai.operation.name": "chat", "gen_ai.system": "openai", "gen_ai.request.model": d.model,
        "gen_ai.usage.prompt_tokens": d.input_tokens, "gen_ai.usage.completion_tokens": str(d.output_tokens),
        "error.type": "RateLimitError", "cost_usd": d.given_cost,
    }, resource=resource_1, events=json.dumps([{"name": "gen_ai.client.inference.operation.details",
                                                 "timestamp": "1", "attributes": {
                                                     "gen_ai.output.messages": f"write to {EMAIL}"}}]))
    # trace 2: no conversation id (the trace is the conversation), error by status, no tokens
    chat_e = _span(e.span_id, TRACE_2, None, "generate_content", 3600, e.latency_ms, {
        "gen_ai.operation.name": "generate_content", "gen_ai.response.model": e.model,
        "gen_ai.usage.cost": e.given_cost}, status="ERROR")
    completion_f = _span(f.span_id, TRACE_2, None, "text_completion", 3700, f.latency_ms, {
        "gen_ai.operation.name": "text_completion", "gen_ai.request.model": f.model,
        "gen_ai.usage.input_tokens": f.input_tokens, "gen_ai.usage.output_tokens": f.output_tokens},
        status="Ok")
    later_copy = {**chat_b, "span_attributes": json.dumps({"gen_ai.operation.name": "chat"}),
                  "loaded_at": LOADED + timedelta(hours=1)}
    bad = [
        _span(None, TRACE_2, None, "chat x", 10, 1, {"gen_ai.operation.name": "chat"}),
        _span("9000000000000001", TRACE_2, None, "chat x", 10, 1,
              {"gen_ai.operation.name": "chat", "gen_ai.usage.output_tokens": -4}),
        _span("9000000000000002", TRACE_2, None, "chat x", 10, 1, "not json"),
    ]
    return [agent, chat_b, tool, chat_d, chat_e, completion_f, later_copy, *bad]


BAD_REASONS = {"missing span_id": 1, "negative token count": 1, "span_attributes not a JSON object": 1}


def _prices() -> dict[str, tuple[float, float]]:
    with open(PROJECT_DIR / "seeds" / "model_pricing.csv", encoding="utf-8", newline="") as f:
        return {r["model_used"]: (float(r["input_usd_per_1k_tokens"]), float(r["output_usd_per_1k_tokens"]))
                for r in csv.DictReader(f)}


def expected_cost(call: Call) -> float:
    if call.given_cost is not None:
        return call.given_cost
    price_in, price_out = _prices()[call.model]
    return call.input_tokens / 1000 * price_in + call.output_tokens / 1000 * price_out


def percentile(values: list[float], q: float) -> float:
    """Continuous percentile with linear interpolation (the contract's)."""
    ordered = sorted(values)
    pos = q * (len(ordered) - 1)
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def raw_tables() -> dict[str, pa.Table]:
    """Every raw table empty except otel_spans."""
    tables = {name: arrow_schema(name).empty_table() for name in RAW_TABLES}
    tables["otel_spans"] = pa.Table.from_pylist(hand_written_spans(), schema=arrow_schema("otel_spans"))
    return tables


def _project(target: str, workdir: Path, schema: str, env: dict[str, str], **kwargs: Any) -> DbtProject:
    truths = {"config": {"launch_date": "2026-03-02"}}
    return DbtProject(target=target, schema=schema, raw_schema=kwargs.pop("raw_schema"), truths=truths,
                      workdir=workdir, env=env, **kwargs)


@pytest.fixture(scope="module", params=["duckdb", "postgres"])
def otel_project(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DbtProject]:
    workdir = tmp_path_factory.mktemp(f"otel_{request.param}")
    _profiles_dir(workdir)
    if request.param == "duckdb":
        path = workdir / "otel.duckdb"
        loader.load_duckdb(raw_tables(), path, "raw", progress=False)
        project = _project("duckdb", workdir, "otel", raw_schema="raw", duckdb_path=path,
                           env={"AI_OPS_TARGET": "duckdb", "AI_OPS_DUCKDB_PATH": str(path), "AI_OPS_SCHEMA": "otel"})
        project.dbt(["build", "--exclude", "test_type:unit"])
        yield project
        return
    settings = postgres_settings_or_skip()
    schema = f"otel_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    try:
        loader.load_postgres(raw_tables(), f"{schema}_raw", settings, progress=False)
        project = _project("postgres", workdir, schema, raw_schema=f"{schema}_raw", pg=settings,
                           env={"AI_OPS_TARGET": "postgres", "AI_OPS_SCHEMA": schema})
        project.dbt(["build", "--exclude", "test_type:unit"])
        yield project
    finally:
        loader.drop_postgres_schemas(schema, settings)


def _rel(project: DbtProject, name: str) -> str:
    return project.relation(name)


def test_build_succeeds(otel_project: DbtProject) -> None:
    otel_project.assert_build_ok()


def test_responses_tokens_errors_and_cost(otel_project: DbtProject) -> None:
    rows = otel_project.query(
        f"select event_id, response_status, latency_ms, coalesce(input_tokens, 0), coalesce(output_tokens, 0), "
        f"model_used, cost_usd from {_rel(otel_project, 'fct_ai_responses')} order by event_id")
    want = sorted(
        (f"otel:{c.span_id}", "error" if c.is_error else "success", c.latency_ms, c.input_tokens, c.output_tokens,
         c.model, expected_cost(c))
        for c in CALLS
    )
    assert [r[:6] for r in rows] == [w[:6] for w in want]
    for got, expected in zip(rows, want, strict=True):
        assert float(got[6]) == pytest.approx(expected[6], rel=1e-12), got[0]


def test_ops_metrics_equal_hand_computation(otel_project: DbtProject) -> None:
    rows = dict(otel_project.query(
        f"select metric_key, value from {_rel(otel_project, 'ops_metrics')} "
        "where period_grain = 'month' and period_start = date '2026-06-01' and segment_type = 'overall' "
        "and metric_key in ('ai_cost_usd', 'success_rate', 'p95_latency_ms', 'multi_agent_success_rate')"))
    assert float(rows["ai_cost_usd"]) == pytest.approx(sum(expected_cost(c) for c in CALLS), rel=1e-12)
    assert float(rows["success_rate"]) == pytest.approx(sum(not c.is_error for c in CALLS) / len(CALLS))
    assert float(rows["p95_latency_ms"]) == pytest.approx(percentile([c.latency_ms for c in CALLS], 0.95))
    assert float(rows["multi_agent_success_rate"]) == 1.0


def test_conversations_prompts_and_agent_run(otel_project: DbtProject) -> None:
    events = otel_project.query(
        f"select event_id, conversation_id, user_id, workflow, prompt_number "
        f"from {_rel(otel_project, 'int_ai_events_unioned')} where event_name = 'ai_user_prompt_created' "
        "order by event_id")
    b, d, e, f = CALLS
    assert events == [
        (f"otel:{b.span_id}:prompt", "conv-a", "u-1", "support_automation", 1),
        (f"otel:{d.span_id}:prompt", "conv-a", "u-1", "support_automation", 2),
        (f"otel:{e.span_id}:prompt", TRACE_2, None, None, 1),
        (f"otel:{f.span_id}:prompt", TRACE_2, None, None, 2),
    ]
    runs = otel_project.query(
        f"select run_id, agent_id, workflow, status, n_spans, n_distinct_systems "
        f"from {_rel(otel_project, 'int_agent_runs_enriched')}")
    assert runs == [("a0000000000000a1", "triage", "support_automation", "success", 1, 1)]


def test_text_is_redacted_outside_raw_and_quarantine(otel_project: DbtProject) -> None:
    (prompt, response) = otel_project.query(
        f"select max(prompt_text), max(response_text) from {_rel(otel_project, 'stg_otel__spans')}")[0]
    assert "[EMAIL]" in prompt and "[EMAIL]" in response
    for name in ("stg_otel__spans", "stg_otel__span_attributes", "int_otel_ai_events", "fct_ai_responses"):
        text_columns = [
            r[0] for r in otel_project.query(
                "select column_name from information_schema.columns where table_name = "
                f"{otel_project.placeholder} and data_type in ('text', 'VARCHAR', 'character varying')", [name])
        ]
        for column in text_columns:
            (n,) = otel_project.query(
                f"select count(*) from {_rel(otel_project, name)} where {column} like '%example.com%'")[0]
            assert n == 0, (name, column)


def test_bad_spans_quarantined_and_reconciled(otel_project: DbtProject) -> None:
    reasons = dict(otel_project.query(
        f"select quarantine_reason, count(*) from {_rel(otel_project, 'quarantine_otel__spans')} group by 1"))
    assert {k: int(v) for k, v in reasons.items()} == BAD_REASONS
    (valid,) = otel_project.query(f"select count(*) from {_rel(otel_project, 'stg_otel__spans')}")[0]
    (dups,) = otel_project.query(
        f"select count(*) from {_rel(otel_project, 'base_otel__spans')} where is_duplicate")[0]
    (raw,) = otel_project.query(f"select count(*) from {otel_project.raw('otel_spans')}")[0]
    assert (valid, dups, raw) == (6, 1, len(hand_written_spans()))
    assert raw == valid + dups + sum(BAD_REASONS.values())
