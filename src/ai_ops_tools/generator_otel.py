"""raw.otel_spans for the demo data: a few plain HTTP spans of the demo gateway, no GenAI span.

The demo's AI telemetry comes through raw.ai_events; OpenTelemetry spans are an alternative
input (CONTRACT.md "OTel input"). The demo writes a handful of non-GenAI spans so the table
exists, is fresh and reconciles, while every mart keeps the figures of raw.ai_events alone.
Spans with GenAI attributes come from `ai-ops load-otlp` or from the tests.
"""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa

from ai_ops_tools.generator_tables import MINUTE_US, US
from ai_ops_tools.raw_schema import arrow_schema

HEALTH_SPANS = 4
TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
RESOURCE = {"service.name": "ai-ops-demo-gateway", "deployment.environment.name": "demo"}


def health_spans(newest_loaded_us: int) -> tuple[pa.Table, dict[str, Any]]:
    """The demo's otel_spans rows (one trace of health checks) and their table truths.

    They land ten minutes before ``newest_loaded_us`` (the newest raw loaded_at, in
    microseconds) so the table's freshness is that of the rest of the demo. No random draws:
    the generator's other tables and truths are the same with or without them.
    """
    rows: list[dict[str, Any]] = []
    for i in range(HEALTH_SPANS):
        started = newest_loaded_us - 10 * MINUTE_US - (HEALTH_SPANS - i) * MINUTE_US
        rows.append({
            "trace_id": TRACE_ID,
            "span_id": f"b7ad6b71692033{i:02d}",
            "parent_span_id": "",
            "span_name": "GET /healthz",
            "span_kind": "SPAN_KIND_SERVER",
            "service_name": RESOURCE["service.name"],
            "started_at": started,
            "duration_ns": 1_500_000 + 250_000 * i,
            "status_code": "STATUS_CODE_UNSET",
            "status_message": None,
            "span_attributes": json.dumps({
                "http.request.method": "GET", "http.route": "/healthz", "http.response.status_code": 200,
            }),
            "resource_attributes": json.dumps(RESOURCE),
            "events": None,
            "scope_name": "opentelemetry.instrumentation.asgi",
            "scope_version": "0.50b0",
            "loaded_at": started + 5 * US,
        })
    table = pa.Table.from_pylist(rows, schema=arrow_schema("otel_spans"))
    truth = {
        "key": "span_id", "raw_rows": table.num_rows, "valid_rows": table.num_rows,
        "planted_duplicates": 0, "invalid_by_reason": {},
    }
    return table, truth
