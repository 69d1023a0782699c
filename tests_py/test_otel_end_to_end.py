"""Spans from real OpenTelemetry instrumentation, through `ai-ops load-otlp` and dbt, to the marts.

The harness (otel_harness.py) runs an OpenAI-SDK application instrumented by
``opentelemetry-instrumentation-openai-v2`` (latest conventions, content on the span), by the same
package's older-convention path (content only in log records) and by OpenLLMetry, against a mock
server on loopback, and writes the spans as OTLP/JSON (one ExportTraceServiceRequest document, or
the collector's one-request-per-line files). Each run also writes the facts of its spans read off
the SDK's span objects: the expected figures below are computed from those facts alone, in Python,
never from the warehouse and never through the loader's parser.

Per warehouse the raw schema holds nothing but these spans (every other raw table empty), so
every response in the marts comes from a span. DuckDB: the first captures, ``dbt build``, the
figures; then a late capture (its times ten days back) and the first capture again (duplicates),
an incremental ``dbt build``, the figures again, and a full refresh of the same raw data that must
equal it row for row. Postgres: every capture loaded at once, one build, the same figures.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ai_ops_tools import cli, loader
from conftest import BUILD_NO_UNIT_TESTS, MODELS_ONLY, PROJECT_DIR, DbtProject
from helpers_rel import TEXT_TYPES, columns_of, empty_tables, extra_project, find_strings, project_schemas, text_values
from otel_harness import build_script, pii_values
from test_incremental import assert_equals_full_refresh, copy_duckdb_raw

pytestmark = pytest.mark.slow

HARNESS = Path(__file__).with_name("otel_harness.py")
GENAI_OPERATIONS = {"chat", "text_completion", "generate_content"}
EPOCH = datetime(1970, 1, 1)
REL_TOL = 1e-9
LEGACY_SCOPE = "opentelemetry.instrumentation.openai_v2"  # the scope of the older-convention spans
# The unit tests run in the session builds (conftest.py); here they would only cost CI time.
BUILD = BUILD_NO_UNIT_TESTS
# MODELS_ONLY (the relations without their data tests): the incremental run (the first build ran every
# test; the spans' reconciliation below runs again after it) and the full-refresh reference.
RECONCILE_SPANS = ["test", "--select", "source:otel"]


@dataclass(frozen=True)
class Capture:
    name: str
    instrumentation: str
    seed: int
    shape: str
    shift_days: float
    out: Path

    @property
    def facts(self) -> list[dict[str, Any]]:
        facts: list[dict[str, Any]] = json.loads(self.out.with_suffix(".facts.json").read_text(encoding="utf-8"))
        return facts

    @property
    def logs(self) -> list[dict[str, Any]]:
        logs: list[dict[str, Any]] = json.loads(self.out.with_suffix(".logs.json").read_text(encoding="utf-8"))
        return logs


FIRST = [("v2", "openai-v2", 7, "document", 0.0), ("openllmetry", "openllmetry", 11, "lines", 0.0),
         ("legacy", "openai-v2-legacy", 13, "document", 0.0)]
LATE = ("late", "openai-v2", 17, "lines", 10.0)


@pytest.fixture(scope="module")
def captures(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Capture]:
    """Four instrumented runs, in parallel processes (each instrumentation patches the SDK globally)."""
    folder = tmp_path_factory.mktemp("otel_captures")
    runs = {name: Capture(name, inst, seed, shape, shift, folder / f"{name}.json")
            for name, inst, seed, shape, shift in [*FIRST, LATE]}
    procs = {
        name: subprocess.Popen(
            [sys.executable, str(HARNESS), "--instrumentation", c.instrumentation, "--seed", str(c.seed),
             "--shape", c.shape, "--shift-days", str(c.shift_days), "--out", str(c.out),
             "--facts-out", str(c.out.with_suffix(".facts.json")), "--logs-out", str(c.out.with_suffix(".logs.json"))],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for name, c in runs.items()
    }
    for name, proc in procs.items():
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, f"harness run {name} failed:\n{err[-3000:]}"
    return runs


# --- the independent computation ---------------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    event_id: str
    conversation_id: str
    workflow: str | None
    arm: str | None
    model_used: str | None
    response_status: str
    error_type: str | None
    latency_ms: float
    input_tokens: int | None
    output_tokens: int | None
    cost_usd: float
    occurred_at: datetime
    has_text: bool
    scope: str | None


def _prices() -> dict[str, tuple[float, float]]:
    with (PROJECT_DIR / "seeds" / "model_pricing.csv").open(encoding="utf-8") as handle:
        return {r["model_used"]: (float(r["input_usd_per_1k_tokens"]), float(r["output_usd_per_1k_tokens"]))
                for r in csv.DictReader(handle)}


def _lookup(span: dict[str, Any], by_id: dict[str, dict[str, Any]], keys: list[str]) -> Any:
    """The first non-empty attribute of ``keys`` (in priority order) on the span, then its ancestors."""
    node: dict[str, Any] | None = span
    while node is not None:
        for key in keys:
            if node["attributes"].get(key) not in (None, ""):
                return node["attributes"][key]
        node = by_id.get(node["parent_span_id"] or "")
    return None


def expected_responses(facts: list[dict[str, Any]]) -> list[Expected]:
    """One expected response per distinct GenAI span (CONTRACT.md "OTel input"), from the span facts."""
    prices = _prices()
    by_id = {f["span_id"]: f for f in facts}
    out = []
    for span in by_id.values():
        attrs = span["attributes"]
        if attrs.get("gen_ai.operation.name") not in GENAI_OPERATIONS:
            continue
        model = attrs.get("gen_ai.response.model") or attrs.get("gen_ai.request.model")
        tokens_in = attrs.get("gen_ai.usage.input_tokens", attrs.get("gen_ai.usage.prompt_tokens"))
        tokens_out = attrs.get("gen_ai.usage.output_tokens", attrs.get("gen_ai.usage.completion_tokens"))
        price_in, price_out = prices.get(model, (0.0, 0.0))
        duration_ns = span["end_ns"] - span["start_ns"]
        is_error = span["status"] == "ERROR" or attrs.get("error.type") is not None
        out.append(Expected(
            event_id=f"otel:{span['span_id']}",
            conversation_id=_lookup(span, by_id, ["gen_ai.conversation.id", "conversation.id"]) or span["trace_id"],
            workflow=_lookup(span, by_id, ["ai_ops.workflow", "gen_ai.agent.name"]),
            arm=_lookup(span, by_id, ["feature_flag.result.variant", "ai_ops.feature_flag_state"]),
            model_used=model,
            response_status="error" if is_error else "success",
            # enums are trimmed and lower-cased in staging, as for raw.ai_events (macro normalize_enum)
            error_type=(attrs.get("error.type") or "").strip().lower() or None,
            latency_ms=duration_ns / 1e6,
            input_tokens=tokens_in,
            output_tokens=tokens_out,
            cost_usd=(tokens_in or 0) / 1000 * price_in + (tokens_out or 0) / 1000 * price_out,
            occurred_at=EPOCH + timedelta(microseconds=span["end_ns"] // 1000),
            has_text="gen_ai.output.messages" in attrs,
            scope=span["scope"],
        ))
    return out


def _period_start(day: date, grain: str) -> date:
    return day - timedelta(days=day.weekday()) if grain == "week" else day.replace(day=1)


def expected_metrics(responses: list[Expected]) -> dict[tuple[str, str, date], float]:
    """{(metric_key, grain, period_start): value} overall: p95 latency (linear interpolation), success rate,
    AI cost."""
    out: dict[tuple[str, str, date], float] = {}
    for grain in ("week", "month"):
        periods: dict[date, list[Expected]] = {}
        for r in responses:
            periods.setdefault(_period_start(r.occurred_at.date(), grain), []).append(r)
        for start, rows in periods.items():
            out[("p95_latency_ms", grain, start)] = float(np.percentile([r.latency_ms for r in rows], 95,
                                                                        method="linear"))
            out[("success_rate", grain, start)] = sum(r.response_status == "success" for r in rows) / len(rows)
            out[("ai_cost_usd", grain, start)] = sum(r.cost_usd for r in rows)
    return out


# --- the project -----------------------------------------------------------------------------------------


def _truths() -> dict[str, Any]:
    launch = datetime.utcnow().date() - timedelta(days=60)  # noqa: DTZ003 - naive UTC on purpose
    return {"config": {"launch_date": launch.isoformat()}}


def load_otlp(project: DbtProject, files: list[Path]) -> None:
    """`ai-ops load-otlp` as a user runs it (in this process: dbt-duckdb holds the DuckDB file here)."""
    args = ["load-otlp", *map(str, files), "--raw-schema", project.raw_schema, "--quiet", "--target", project.target]
    if project.duckdb_path is not None:
        args += ["--duckdb-path", str(project.duckdb_path)]
    assert cli.main(args) == 0


def _marts(project: DbtProject, relation: str) -> str:
    return project.relation(relation)


def check_responses(project: DbtProject, expected: list[Expected]) -> None:
    """fct_ai_responses holds exactly the GenAI spans, each with the span's figures."""
    rows = project.query(
        "select event_id, conversation_id, workflow, feature_flag_state, model_used, response_status, error_type, "
        f"latency_ms, input_tokens, output_tokens, cost_usd from {_marts(project, 'fct_ai_responses')}"
    )
    got = {r[0]: r for r in rows}
    assert sorted(got) == sorted(e.event_id for e in expected)
    for e in expected:
        row = got[e.event_id]
        assert row[1:7] == (e.conversation_id, e.workflow, e.arm, e.model_used, e.response_status, e.error_type), e
        assert float(row[7]) == pytest.approx(e.latency_ms, rel=REL_TOL), e
        assert (row[8], row[9]) == (e.input_tokens, e.output_tokens), e
        assert float(row[10] or 0) == pytest.approx(e.cost_usd, rel=REL_TOL, abs=1e-12), e
    assert sum(e.response_status == "error" for e in expected) >= 4  # the 429s and 500s are there
    assert {e.error_type for e in expected} >= {"ratelimiterror", "internalservererror", None}


def check_metrics(project: DbtProject, expected: list[Expected]) -> None:
    want = expected_metrics(expected)
    keys = sorted({k for k, _, _ in want})
    rows = project.query(
        f"select metric_key, period_grain, period_start, value from {_marts(project, 'ops_metrics')} "
        f"where segment_type = 'overall' and metric_key in ({', '.join(repr(k) for k in keys)}) "
        "and value is not null"
    )
    got = {(k, g, p if isinstance(p, date) else date.fromisoformat(str(p))): float(v) for k, g, p, v in rows}
    assert set(got) == set(want)
    for key, value in want.items():
        assert got[key] == pytest.approx(value, rel=REL_TOL, abs=1e-12), key


def _pii(captures: list[Capture]) -> set[str]:
    return {v for c in captures for v in pii_values(build_script(c.seed))}


def check_no_pii(project: DbtProject, captures: list[Capture]) -> None:
    """Every Faker value of the captured prompts is in raw; none in a text column outside raw and the
    quarantine schema. The older conventions put the text in log records only: never in raw."""
    with_text = [c for c in captures if c.instrumentation != "openai-v2-legacy"]
    raw_text = [r[0] for r in project.query(f"select span_attributes from {project.raw('otel_spans')}")]
    assert find_strings(raw_text, _pii(with_text)) == _pii(with_text)
    legacy = [c for c in captures if c.instrumentation == "openai-v2-legacy"]
    assert not find_strings(raw_text, _pii(legacy))
    pii = sorted(_pii(captures))
    schemas = [s for s in project_schemas(project) if not s.endswith("_quarantine")]
    found: dict[str, int] = {}
    for (schema, relation), cols in columns_of(project, schemas).items():
        hits = find_strings(text_values(project, schema, relation, [c for c, t in cols if t in TEXT_TYPES]), pii)
        if hits:
            found[f"{schema}.{relation}"] = len(hits)
    assert not found, f"personal data outside raw and quarantine (counts only): {found}"


def check_legacy_logs(captures: list[Capture]) -> None:
    """The older-convention run put the prompts and replies in log records, not on its spans."""
    for capture in captures:
        if capture.instrumentation != "openai-v2-legacy":
            continue
        names = {log["event_name"] for log in capture.logs}
        assert {"gen_ai.user.message", "gen_ai.choice"} <= names, names
        bodies = [json.dumps(log["body"]) for log in capture.logs]
        assert find_strings(bodies, _pii([capture])) == _pii([capture])
        assert not any("gen_ai.input.messages" in f["attributes"] for f in capture.facts)


def check_legacy_spans(project: DbtProject, expected: list[Expected]) -> None:
    """Older-convention spans (text in log records only): staged with their tokens and no text."""
    legacy = {e.event_id.removeprefix("otel:"): e for e in expected if e.scope == LEGACY_SCOPE}
    assert len(legacy) > 10
    rows = project.query(
        f"select span_id, prompt_text, response_text, input_tokens, output_tokens, is_error "
        f"from {project.relation('stg_otel__spans')} where scope_name = '{LEGACY_SCOPE}'"
    )
    assert sorted(r[0] for r in rows) == sorted(legacy)
    for span_id, prompt_text, response_text, tokens_in, tokens_out, is_error in rows:
        e = legacy[span_id]
        assert (prompt_text, response_text) == (None, None), span_id
        assert (tokens_in, tokens_out, is_error) == (e.input_tokens, e.output_tokens, e.response_status == "error")


def check_all(project: DbtProject, captures: list[Capture]) -> None:
    facts = [f for c in captures for f in c.facts]
    expected = expected_responses(facts)
    check_responses(project, expected)
    check_metrics(project, expected)
    check_legacy_spans(project, expected)
    check_no_pii(project, captures)
    check_legacy_logs(captures)


@pytest.fixture
def duckdb_otel(tmp_path: Path) -> Iterator[DbtProject]:
    with extra_project("duckdb", tmp_path / "inc", empty_tables(), _truths()) as project:
        yield project


def test_instrumented_spans_duckdb_incremental_equals_full_refresh(
        tmp_path: Path, captures: dict[str, Capture], duckdb_otel: DbtProject) -> None:
    project = duckdb_otel
    first = [captures[name] for name, *_ in FIRST]
    load_otlp(project, [c.out for c in first])
    build = project.dbt(BUILD)
    assert build.success, build.summary()
    check_all(project, first)

    # later: a late capture (ten days back) and the first capture delivered again (duplicates)
    load_otlp(project, [captures["late"].out, captures["v2"].out])
    for command in (MODELS_ONLY, RECONCILE_SPANS):
        again = project.dbt(command)
        assert again.success, again.summary()
    check_all(project, [*first, captures["late"]])

    with extra_project("duckdb", tmp_path / "full", None, project.truths) as full:
        source, target = project.duckdb_path, full.duckdb_path
        assert source is not None and target is not None and source.name == target.name  # the catalog name
        assert_equals_full_refresh(project, full, lambda: copy_duckdb_raw(source, target),
                                   [MODELS_ONLY], "OTel spans: incremental vs full refresh")


@pytest.mark.postgres
def test_instrumented_spans_postgres(tmp_path: Path, captures: dict[str, Capture],
                                     pg_settings: loader.PostgresSettings) -> None:
    every = list(captures.values())
    with extra_project("postgres", tmp_path, empty_tables(), _truths(), pg=pg_settings, tag="otel_e2e") as project:
        load_otlp(project, [c.out for c in every] + [captures["v2"].out])  # the last one again: duplicates
        build = project.dbt(BUILD)
        assert build.success, build.summary()
        check_all(project, every)
