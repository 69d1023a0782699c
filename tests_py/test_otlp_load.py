"""`ai-ops load-otlp` on hand-written OTLP/JSON: the parser's values, rejections, and the bulk loads.

Every expected value is worked out by hand from the OTLP/JSON text above it (times: 1700000000 s
is 2023-11-14 22:13:20 UTC; base64 ids decoded by hand in the comments).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from ai_ops_tools import cli, loader, otlp, otlp_load

LOADED_AT = datetime(2026, 12, 5, 9, 0, 0)


def kv(key: str, value: dict[str, Any]) -> dict[str, Any]:
    return {"key": key, "value": value}


SPAN_A = {
    "traceId": "5B8EFFF798038103D269B633813FC60C",  # upper-case hex: stored lower-case
    "spanId": "EEE19B7EC3C1B174",
    "parentSpanId": "",
    "name": "chat gpt-4o",
    "kind": 3,
    "startTimeUnixNano": "1700000000123456789",
    "endTimeUnixNano": "1700000000373456789",
    "attributes": [
        kv("gen_ai.operation.name", {"stringValue": "chat"}),
        kv("gen_ai.usage.input_tokens", {"intValue": "120"}),
        kv("gen_ai.request.temperature", {"doubleValue": 0.5}),
        kv("gen_ai.is_streaming", {"boolValue": False}),
        kv("gen_ai.response.finish_reasons", {"arrayValue": {"values": [{"stringValue": "stop"}]}}),
        kv("nested", {"kvlistValue": {"values": [kv("a", {"intValue": "1"}), kv("b", {})]}}),
    ],
    "events": [{
        "timeUnixNano": "1700000000200000000", "name": "gen_ai.choice",
        "attributes": [kv("index", {"intValue": "0"})],
    }],
    "status": {"code": 2, "message": "rate limited"},
}
RESOURCE = {"attributes": [kv("service.name", {"stringValue": "checkout"}), kv("host.name", {"stringValue": "h1"})]}
SCOPE = {"name": "opentelemetry.instrumentation.openai_v2", "version": "2.4b0"}


def request(*spans: dict[str, Any]) -> dict[str, Any]:
    return {"resourceSpans": [{"resource": RESOURCE, "scopeSpans": [{"scope": SCOPE, "spans": list(spans)}]}]}


SPAN_NO_ID = {"traceId": "0af7651916cd43dd8448eb211c80319c", "name": "chat", "kind": 1,
              "attributes": [kv("gen_ai.operation.name", {"stringValue": "chat"})]}
SPAN_BAD_INT = {**SPAN_A, "spanId": "00f067aa0ba902b7", "attributes": [kv("x", {"intValue": "twelve"})]}


def collector_file(tmp_path: Path) -> Path:
    """Five lines: a good request, broken JSON, a request with one bad and one good span, a blank, an array."""
    path = tmp_path / "traces.jsonl"
    lines = [
        json.dumps(request(SPAN_A)),
        '{"resourceSpans": [',
        json.dumps(request(SPAN_BAD_INT, SPAN_NO_ID)),
        "",
        "[1, 2]",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_collector_lines_values_and_rejections(tmp_path: Path) -> None:
    path = collector_file(tmp_path)
    result = otlp.parse_files([path], LOADED_AT)

    assert [(r.file, r.line) for r in result.rejected] == [(str(path), 2), (str(path), 3), (str(path), 5)]
    assert "not valid JSON" in result.rejected[0].error
    assert result.rejected[1].error.startswith("resourceSpans[0].scopeSpans[0].spans[0].attributes[0].x: ")
    assert "intValue must be an integer" in result.rejected[1].error
    assert result.rejected[2].error == "request: expected a JSON object, got list"
    assert result.records == 3  # lines 1, 3 and 5 parsed as JSON

    a, no_id = result.rows
    assert a == {
        "trace_id": "5b8efff798038103d269b633813fc60c",
        "span_id": "eee19b7ec3c1b174",
        "parent_span_id": None,
        "span_name": "chat gpt-4o",
        "span_kind": "CLIENT",
        "service_name": "checkout",
        "started_at": datetime(2023, 11, 14, 22, 13, 20, 123456),
        "duration_ns": 250_000_000,
        "status_code": "ERROR",
        "status_message": "rate limited",
        "span_attributes": json.dumps({
            "gen_ai.operation.name": "chat", "gen_ai.usage.input_tokens": 120, "gen_ai.request.temperature": 0.5,
            "gen_ai.is_streaming": False, "gen_ai.response.finish_reasons": ["stop"], "nested": {"a": 1, "b": None},
        }, separators=(",", ":")),
        "resource_attributes": '{"service.name":"checkout","host.name":"h1"}',
        "events": '[{"name":"gen_ai.choice","timestamp":"2023-11-14 22:13:20.200000","attributes":{"index":0}}]',
        "scope_name": "opentelemetry.instrumentation.openai_v2",
        "scope_version": "2.4b0",
        "loaded_at": LOADED_AT,
    }
    # well-formed but invalid for the metrics: loaded as it is, for staging to quarantine with its reason
    assert (no_id["span_id"], no_id["started_at"], no_id["duration_ns"]) == (None, None, None)
    assert (no_id["span_kind"], no_id["status_code"], no_id["events"]) == ("INTERNAL", "UNSET", None)


DOCUMENT = """{
  "resource_spans": [
    {
      "resource": {"attributes": [{"key": "service.name", "value": {"string_value": "bot"}}]},
      "scope_spans": [
        {
          "scope": {"name": "opentelemetry.util.genai.handler"},
          "spans": [
            {
              "trace_id": "AAECAwQFBgcICQoLDA0ODw==",
              "span_id": "EBESExQVFhc=",
              "name": "invoke_agent triage",
              "kind": "SPAN_KIND_INTERNAL",
              "start_time_unix_nano": "1700000000000000000",
              "end_time_unix_nano": "1700000002500000000",
              "attributes": [
                {"key": "score", "value": {"double_value": "NaN"}},
                {"key": "n", "value": {"int_value": 7}}
              ],
              "status": {"code": "STATUS_CODE_OK"}
            }
          ]
        }
      ]
    },
    {
      "resource": {},
      "instrumentationLibrarySpans": [
        {"instrumentationLibrary": {"name": "old.lib", "version": "0.1"},
         "spans": [{"spanId": "0102030405060708", "startTimeUnixNano": "1700000000000000000",
                    "endTimeUnixNano": "1699999999000000000"}]}
      ]
    }
  ]
}
"""


def test_whole_document_base64_ids_snake_case_and_old_names(tmp_path: Path) -> None:
    path = tmp_path / "request.json"
    path.write_text(DOCUMENT, encoding="utf-8")
    result = otlp.parse_files([path], LOADED_AT)

    assert result.rejected == []
    agent, old = result.rows
    # base64 AAECAwQFBgcICQoLDA0ODw== is the bytes 00..0f; EBESExQVFhc= the bytes 10..17
    assert (agent["trace_id"], agent["span_id"]) == ("000102030405060708090a0b0c0d0e0f", "1011121314151617")
    assert (agent["span_kind"], agent["status_code"], agent["service_name"]) == ("INTERNAL", "OK", "bot")
    assert (agent["started_at"], agent["duration_ns"]) == (datetime(2023, 11, 14, 22, 13, 20), 2_500_000_000)
    assert json.loads(agent["span_attributes"]) == {"score": "NaN", "n": 7}
    assert (agent["scope_name"], agent["scope_version"]) == ("opentelemetry.util.genai.handler", None)
    # the pre-0.19 names; an end before the start is kept (a negative duration is staging's to quarantine)
    assert (old["scope_name"], old["scope_version"], old["duration_ns"]) == ("old.lib", "0.1", -1_000_000_000)
    assert (old["trace_id"], old["service_name"], old["resource_attributes"]) == (None, None, "{}")


def test_broken_document_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "resourceSpans": [\n    {"resource": {}}\n    {"x": 1}\n  ]\n}\n', encoding="utf-8")
    result = otlp.parse_files([path], LOADED_AT)
    assert result.rows == []
    assert [(r.line, r.error.split(":")[0]) for r in result.rejected] == [(4, "not valid JSON")]


@pytest.mark.parametrize(("span_id", "problem"), [
    ("xyz", "spanId 'xyz' is neither 16 hex digits nor base64 of 8 bytes"),
    ("AAECAwQFBgcICQoLDA0ODw==", "spanId 'AAECAwQFBgcICQoLDA0ODw==' is neither 16 hex digits nor base64 of 8 bytes"),
    (12, "spanId must be a string, got 12"),
])
def test_bad_ids_are_rejected(tmp_path: Path, span_id: Any, problem: str) -> None:
    path = tmp_path / "ids.jsonl"
    path.write_text(json.dumps(request({**SPAN_A, "spanId": span_id})) + "\n", encoding="utf-8")
    result = otlp.parse_files([path], LOADED_AT)
    assert [r.error for r in result.rejected] == [f"resourceSpans[0].scopeSpans[0].spans[0]: {problem}"]


def test_bad_kind_and_value_shapes() -> None:
    with pytest.raises(otlp.MalformedRecord, match="kind 9 is not one of"):
        otlp.flatten_span({**SPAN_A, "kind": 9}, {}, {}, "s", LOADED_AT)
    with pytest.raises(otlp.MalformedRecord, match="exactly one of its fields"):
        otlp.any_value({"stringValue": "a", "intValue": "1"}, "v")
    with pytest.raises(otlp.MalformedRecord, match="unknown AnyValue field 'dateValue'"):
        otlp.any_value({"dateValue": "2026-01-01"}, "v")


def test_input_files_folders_and_missing(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text("", encoding="utf-8")
    (tmp_path / "b.json").write_text("", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("", encoding="utf-8")
    assert otlp.input_files([tmp_path]) == [tmp_path / "a.jsonl", tmp_path / "b.json"]
    with pytest.raises(FileNotFoundError, match="does not exist"):
        otlp.input_files([tmp_path / "missing.json"])


# --- the loads -----------------------------------------------------------------------------------------


def _duckdb_rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    import duckdb

    con = duckdb.connect(str(path))
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_duckdb_appends_and_keeps_types(tmp_path: Path) -> None:
    source = collector_file(tmp_path)
    db = tmp_path / "w.duckdb"
    first = otlp_load.load_otlp_duckdb([source], db, "raw", progress=False, loaded_at=LOADED_AT)
    second = otlp_load.load_otlp_duckdb([source], db, "raw", progress=False, loaded_at=LOADED_AT)
    assert (first.spans, len(first.rejected), second.spans) == (2, 3, 2)
    rows = _duckdb_rows(db, "select span_id, started_at, duration_ns, status_code from raw.otel_spans "
                            "order by span_id nulls last")
    a = ("eee19b7ec3c1b174", datetime(2023, 11, 14, 22, 13, 20, 123456), 250_000_000, "ERROR")
    no_id = (None, None, None, "UNSET")
    assert rows == [a, a, no_id, no_id]  # appended twice: staging removes the duplicates
    columns = _duckdb_rows(db, "select column_name, data_type from information_schema.columns "
                               "where table_name = 'otel_spans' order by ordinal_position")
    assert [c for c, _ in columns] == [c for c, _ in otlp.OTEL_SPANS_COLUMNS]
    assert dict(columns)["duration_ns"] == "BIGINT" and dict(columns)["started_at"] == "TIMESTAMP"


def test_cli_loads_the_rest_and_reports_each_rejection(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = collector_file(tmp_path)
    db = tmp_path / "w.duckdb"
    rejected = tmp_path / "rejected.jsonl"
    code = cli.main(["load-otlp", str(source), "--duckdb-path", str(db), "--raw-schema", "landing", "--quiet",
                     "--rejected", str(rejected)])
    out, err = capsys.readouterr()
    assert code == cli.EXIT_FAILED
    assert "appended 2 spans from 3 requests in 1 files" in out
    for line in (2, 3, 5):
        assert f"rejected {source}:{line}: " in err
    assert "3 records could not be read and were not loaded (the other spans were)" in err
    assert [json.loads(x)["line"] for x in rejected.read_text(encoding="utf-8").splitlines()] == [2, 3, 5]
    assert _duckdb_rows(db, "select count(*) from landing.otel_spans") == [(2,)]


def test_cli_missing_path_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["load-otlp", str(tmp_path / "nope.json"), "--duckdb-path", str(tmp_path / "w.duckdb")])
    assert code == cli.EXIT_USAGE
    assert "does not exist" in capsys.readouterr().err


@pytest.mark.postgres
def test_postgres_copy_round_trips_the_text(tmp_path: Path, pg_schemas: tuple[loader.PostgresSettings, str]) -> None:
    settings, prefix = pg_schemas
    source = collector_file(tmp_path)
    expected = otlp.parse_files([source], LOADED_AT).rows
    tricky = {**SPAN_A, "spanId": "0000000000000001", "status": {"code": 2, "message": 'a "quoted",\nmulti-line'}}
    extra = tmp_path / "tricky.json"
    extra.write_text(json.dumps(request(tricky)), encoding="utf-8")
    expected += otlp.parse_files([extra], LOADED_AT).rows
    report = otlp_load.load_otlp_postgres([source, extra], prefix, settings, progress=False, loaded_at=LOADED_AT,
                                          batch_rows=2)
    assert (report.files, report.spans, len(report.rejected)) == (2, 3, 3)
    conn = settings.connect()
    try:
        with conn, conn.cursor() as cur:
            cur.execute(f'select {", ".join(c for c, _ in otlp.OTEL_SPANS_COLUMNS)} from "{prefix}".otel_spans')
            names = [d[0] for d in cur.description]
            got = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    finally:
        conn.close()
    key = lambda r: str(r["span_id"])  # noqa: E731
    assert sorted(got, key=key) == sorted(expected, key=key)


def test_duckdb_appends_to_an_all_text_table(tmp_path: Path) -> None:
    """A table created with every column as text (`ai-ops load --all-text`) takes the spans as text."""
    import duckdb

    db = tmp_path / "w.duckdb"
    con = duckdb.connect(str(db))
    try:
        con.execute("create schema raw")
        con.execute("create table raw.otel_spans (" + ", ".join(f"{c} text" for c, _ in otlp.OTEL_SPANS_COLUMNS) + ")")
    finally:
        con.close()
    otlp_load.load_otlp_duckdb([collector_file(tmp_path)], db, "raw", progress=False, loaded_at=LOADED_AT)
    rows = _duckdb_rows(db, "select started_at, duration_ns, loaded_at from raw.otel_spans where span_id is not null")
    assert rows == [("2023-11-14 22:13:20.123456", "250000000", "2026-12-05 09:00:00")]


def test_the_dbt_source_declares_the_contract_columns() -> None:
    """The loader creates the table from the dbt source's declaration: it must be CONTRACT.md's."""
    from ai_ops_tools.raw_schema import RAW_TABLES

    assert RAW_TABLES[otlp.OTEL_SPANS_TABLE] == otlp.OTEL_SPANS_COLUMNS


def test_gzipped_collector_file(tmp_path: Path) -> None:
    import gzip

    plain = collector_file(tmp_path)
    packed = tmp_path / "traces.jsonl.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    result = otlp.parse_files([packed], LOADED_AT)
    assert (len(result.rows), [r.line for r in result.rejected]) == (2, [2, 3, 5])
    assert otlp.input_files([tmp_path]) == [plain, packed]
