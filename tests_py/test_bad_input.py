"""Bad raw input (CONTRACT.md section 4): nothing crashes, nothing is dropped silently.

* Rows with properties that are a JSON array / scalar / string, a latency that
  is text, a 100 kB prompt, and free text full of unicode, quotes and
  SQL-looking strings are appended to the session's generated ai_events; one
  extra `dbt build` per warehouse must succeed (reconciliation tests included),
  the bad rows must sit in quarantine with their reason, and the odd-but-valid
  rows must reach staging unchanged.
* Completely empty raw tables: `dbt build` succeeds and the published marts
  exist (with no data there is no period, so ops_metrics has no rows).
* A missing raw table or column fails with a message that names it.

(Raw columns are typed, so "text in a numeric field" can only happen inside
the JSON properties: that is the latency case here.)
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow.compute as pc
import pytest

from ai_ops_tools import loader
from ai_ops_tools.contract import PUBLISHED_MARTS
from ai_ops_tools.generator import GeneratedData
from conftest import NO_UNIT_TESTS
from helpers_rel import append_rows, empty_tables, extra_project, log_text, seed_and_build

pytestmark = pytest.mark.slow

OCCURRED = datetime(2026, 4, 15, 10, 0, 0)
LONG_TEXT = ("Please summarise the quarterly numbers for the north region. " * 1700)[:100_000]
ODD_TEXT = (
    "Ünïcödé naïve café – 日本語のテキスト 🙂 \"double\" 'single' `back` \\ backslash; "
    "'); drop table users; -- /* comment */ select * from raw.ai_events where 1=1 or ''='"
)
ODD_FEEDBACK = "It's fine\" OR \"1\"=\"1\"; DELETE FROM support_tickets; -- 🙃 ½ ∑"

# event_id -> (expected quarantine reason fragment) for rows that must be quarantined
QUARANTINED = {
    "rel-bad-array": "not a json object",
    "rel-bad-scalar": "not a json object",
    "rel-bad-string": "not a json object",
    # JSON edge cases (docs/DESIGN.md "JSON edge cases"): the same answer on both warehouses
    "rel-json-nul": "properties holds \\u0000",
    "rel-json-lone-surrogate": "properties is not a json object",
}
_HEAD = ('{"workflow": "support_automation", "model_version": "mv-2026.02", "prompt_version": "pv-3", '
         '"feature_flag_state": "control", "consent_analytics": true, "prompt_number": 1, "model_used": "gpt-4o", ')
# event_id -> (properties text after _HEAD, {column: value expected in base_}, parse_warning expected)
JSON_EDGE_CASES: dict[str, tuple[str, dict[str, Any], str | None]] = {
    "rel-json-nul": ('"prompt_text": "a\\u0000b"}', {}, None),
    "rel-json-lone-surrogate": ('"prompt_text": "x\\ud800y"}', {}, None),
    "rel-json-escaped-backslash": ('"prompt_text": "a\\\\u0000b"}', {"prompt_text": "a\\u0000b"}, None),
    "rel-json-surrogate-pair": ('"prompt_text": "\\ud83d\\ude00"}', {"prompt_text": "\U0001F600"}, None),
    "rel-json-nan": ('"latency_ms": NaN, "input_tokens": 10}', {"latency_ms": None, "input_tokens": 10},
                     "non-numeric latency_ms"),
    "rel-json-infinity-trailing-comma": ('"cost_usd": -Infinity, "input_tokens": 10,}',
                                        {"cost_usd": None, "input_tokens": 10}, "non-numeric cost_usd"),
    "rel-json-huge": ('"latency_ms": 1e400}', {"latency_ms": None}, "non-numeric latency_ms"),
    "rel-json-1e21": ('"latency_ms": 1e21}', {"latency_ms": None}, "non-numeric latency_ms"),
    "rel-json-1e20": ('"latency_ms": 1e20}', {"latency_ms": 1e20}, None),
    "rel-json-long-fraction": ('"latency_ms": 123.0000000000000000000000000000000000001}', {"latency_ms": 123.0},
                               None),
    "rel-json-tiny": ('"latency_ms": 1e-40}', {"latency_ms": None}, "non-numeric latency_ms"),
    "rel-json-small": ('"latency_ms": 1.5e-7}', {"latency_ms": 1.5e-7}, None),
    "rel-json-big-integer": ('"input_tokens": 10000000000000000001}', {"input_tokens": None},
                             "non-integer input_tokens"),
    # a key given twice: the last value wins on both warehouses (DuckDB's reader alone keeps the first)
    "rel-json-duplicate-key": ('"prompt_text": "first", "prompt_text": "second"}', {"prompt_text": "second"}, None),
    "rel-json-duplicate-number": ('"latency_ms": 5, "input_tokens": 10, "latency_ms": 7}',
                                  {"latency_ms": 7.0, "input_tokens": 10}, None),
    "rel-json-duplicate-after-nan": ('"latency_ms": NaN, "latency_ms": 7}', {"latency_ms": 7.0}, None),
}
# A present but non-numeric value in a numeric key does not make the row invalid (CONTRACT.md
# section 4 lists what does): the row stays valid, the column is null and base_* records a
# parse_warning, so the value is not lost silently.
TEXT_IN_NUMERIC_ID = "rel-bad-latency-text"
# event_id -> (column, exact text expected in stg) for rows that must stay valid
VALID_TEXT = {
    "rel-odd-prompt": ("prompt_text", ODD_TEXT),
    "rel-odd-feedback": ("feedback", ODD_FEEDBACK),
}
LONG_ID = "rel-long-prompt"


def _header(extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "workflow": "support_automation", "model_version": "mv-2026.02", "prompt_version": "pv-3",
        "feature_flag_state": "control", "consent_analytics": True, **extra,
    }


def _bad_rows(user_id: str) -> list[dict[str, Any]]:
    def row(event_id: str, name: str, minutes: int, props: str | None) -> dict[str, Any]:
        at = OCCURRED + timedelta(minutes=minutes)
        return {"event_id": event_id, "event_name": name, "occurred_at": at, "loaded_at": at + timedelta(minutes=3),
                "conversation_id": "rel-conv-bad-input", "user_id": user_id, "session_id": None,
                "properties": props}

    prompt = "ai_user_prompt_created"
    response = "ai_llm_response_received"
    return [
        row("rel-odd-prompt", prompt, 0, json.dumps(_header({
            "prompt_number": 1, "intent_label": "billing", "model_used": "gpt-4o", "prompt_text": ODD_TEXT}),
            ensure_ascii=False)),
        row(LONG_ID, prompt, 1, json.dumps(_header({
            "prompt_number": 2, "intent_label": "billing", "model_used": "gpt-4o", "prompt_text": LONG_TEXT}))),
        row("rel-bad-latency-text", response, 2, json.dumps(_header({
            "prompt_number": 1, "model_used": "gpt-4o", "response_status": "success", "latency_ms": "twelve",
            "input_tokens": 10, "output_tokens": 5}))),
        row("rel-odd-feedback", "ai_user_action", 3, json.dumps(_header({
            "action_type": "dismissed", "conversion_flag": False, "rating": 3, "feedback": ODD_FEEDBACK}),
            ensure_ascii=False)),
        row("rel-bad-array", prompt, 4, '[{"workflow": "support_automation"}, 2, 3]'),
        row("rel-bad-scalar", response, 5, "42"),
        row("rel-bad-string", response, 6, '"just a string"'),
        *(row(event_id, response, 7 + i, _HEAD + tail)
          for i, (event_id, (tail, _, _)) in enumerate(JSON_EDGE_CASES.items())),
    ]


def _consenting_user(generated: GeneratedData) -> str:
    users = generated.tables["users"]
    mask = pc.equal(users.column("consent_analytics"), True)
    return str(users.filter(mask).column("user_id")[0].as_py())


@pytest.fixture(scope="module", params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def bad_input_project(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
                      generated: GeneratedData, truths: dict[str, Any]) -> Iterator[Any]:
    pg = request.getfixturevalue("pg_settings") if request.param == "postgres" else None
    tables = append_rows(generated.tables, "ai_events", _bad_rows(_consenting_user(generated)))
    workdir = tmp_path_factory.mktemp(f"bad_input_{request.param}")
    with extra_project(request.param, workdir, tables, truths, pg=pg, tag="relbad") as project:
        seed_and_build(project, NO_UNIT_TESTS)
        yield project


@pytest.fixture(scope="module", params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_project(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
                  truths: dict[str, Any]) -> Iterator[Any]:
    pg = request.getfixturevalue("pg_settings") if request.param == "postgres" else None
    workdir = tmp_path_factory.mktemp(f"empty_{request.param}")
    with extra_project(request.param, workdir, empty_tables(), truths, pg=pg, tag="relempty") as project:
        seed_and_build(project, NO_UNIT_TESTS)
        yield project


# --- bad rows -----------------------------------------------------------------------------


def test_bad_input_build_succeeds(bad_input_project: Any) -> None:
    # Every data test passes, the reconciliation tests of every raw table included.
    bad_input_project.assert_build_ok()


def test_bad_rows_are_quarantined_with_reason(bad_input_project: Any) -> None:
    project = bad_input_project
    project.assert_build_ok()
    ids = list(QUARANTINED)
    rows = dict(project.query(
        f"select event_id, quarantine_reason from {project.relation('quarantine_telemetry__ai_events')} "
        f"where event_id in ({', '.join(project.placeholder for _ in ids)})", ids))
    assert set(rows) == set(ids), f"not quarantined: {sorted(set(ids) - set(rows))}"
    wrong = {i: rows[i] for i, reason in QUARANTINED.items() if reason not in (rows[i] or "")}
    assert not wrong, wrong
    in_stg = project.query(
        f"select event_id from {project.relation('stg_telemetry__ai_events')} "
        f"where event_id in ({', '.join(project.placeholder for _ in ids)})", ids)
    assert not in_stg


def test_text_in_numeric_field_is_nulled_with_warning(bad_input_project: Any) -> None:
    project = bad_input_project
    project.assert_build_ok()
    ids = [TEXT_IN_NUMERIC_ID, *project.truths["tables"]["ai_events"]["text_in_numeric_event_ids"]]
    marks = ", ".join(project.placeholder for _ in ids)
    base = dict(project.query(
        f"select event_id, parse_warning from {project.relation('base_telemetry__ai_events')} "
        f"where event_id in ({marks}) and not is_duplicate", ids))
    assert base == {i: "non-numeric latency_ms" for i in ids}, base
    stg = dict(project.query(
        f"select event_id, latency_ms from {project.relation('stg_telemetry__ai_events')} "
        f"where event_id in ({marks})", ids))
    assert stg == {i: None for i in ids}, stg
    # the raw value is not lost: it lands in the quarantine schema with its reason
    kept = dict(project.query(
        f"select event_id, quarantine_reason from "
        f"{project.relation('quarantine_telemetry__ai_event_parse_warnings')} "
        f"where event_id in ({marks}) and not is_duplicate", ids))
    assert kept == {i: "non-numeric latency_ms" for i in ids}, kept


def test_json_edge_cases_give_the_documented_answer(bad_input_project: Any) -> None:
    # Same rule on DuckDB and Postgres: \\u0000 quarantines, lone surrogates are invalid JSON,
    # NaN/Infinity tokens read as text (a non-number), trailing commas are ignored, a number
    # is one only when 1e-30 <= |x| < 1e21 (or 0), whatever digits each warehouse prints for it,
    # and of a key given twice the last value wins.
    project = bad_input_project
    project.assert_build_ok()
    base = project.relation("base_telemetry__ai_events")
    for event_id, (_, expected, warning) in JSON_EDGE_CASES.items():
        columns = ["quarantine_reason", "parse_warning", *expected]
        rows = project.query(f"select {', '.join(columns)} from {base} where event_id = {project.placeholder}",
                             [event_id])
        want = (QUARANTINED.get(event_id), None if event_id in QUARANTINED else warning, *expected.values())
        assert rows == [want], f"{event_id}: {rows} != {[want]}"


def test_odd_text_reaches_staging_unchanged(bad_input_project: Any) -> None:
    project = bad_input_project
    project.assert_build_ok()
    stg = project.relation("stg_telemetry__ai_events")
    for event_id, (column, expected) in VALID_TEXT.items():
        rows = project.query(f"select {column} from {stg} where event_id = {project.placeholder}", [event_id])
        assert rows == [(expected,)], f"{event_id}.{column} changed: {rows!r:.300}"
    rows = project.query(f"select length(prompt_text), is_prompt_text_redacted from {stg} "
                         f"where event_id = {project.placeholder}", [LONG_ID])
    assert rows == [(len(LONG_TEXT), False)], rows


def test_reconciliation_counts_with_bad_rows(bad_input_project: Any) -> None:
    project = bad_input_project
    project.assert_build_ok()
    (raw,) = project.query(f"select count(*) from {project.raw('ai_events')}")[0]
    (stg,) = project.query(f"select count(*) from {project.relation('stg_telemetry__ai_events')}")[0]
    (quarantined,) = project.query(f"select count(*) from {project.relation('quarantine_telemetry__ai_events')}")[0]
    (dups,) = project.query(f"select count(*) from {project.relation('base_telemetry__ai_events')} "
                            "where is_duplicate")[0]
    t = project.truths["tables"]["ai_events"]
    assert raw == t["raw_rows"] + len(_bad_rows("x"))
    assert quarantined == sum(t["invalid_by_reason"].values()) + len(QUARANTINED)
    assert dups == t["planted_duplicates"]
    assert raw == stg + dups + quarantined


# --- empty raw tables ------------------------------------------------------------------------


def test_empty_raw_tables_build(empty_project: Any) -> None:
    project = empty_project
    project.assert_build_ok()
    for mart in PUBLISHED_MARTS:
        project.query(f"select count(*) from {project.relation(mart)}")
    # No valid ai_events or support_tickets rows: no period, hence no row (CONTRACT.md section 3).
    assert project.query(f"select count(*) from {project.relation('ops_metrics')}") == [(0,)]
    assert project.query(f"select count(*) from {project.relation('roi_monthly')}") == [(0,)]


# --- missing raw table or column -------------------------------------------------------------


def _missing_messages(target: str, workdir: Path, truths: dict[str, Any], pg: Any, ddl: str) -> tuple[str, str]:
    """Load empty raw tables, break them with ``ddl``; return what `dbt run` and the check macro say."""
    with extra_project(target, workdir, empty_tables(), truths, pg=pg, tag="relmiss") as project:
        project.query(ddl.format(raw=f'"{project.raw_schema}"'))
        outcome = project.dbt(["run", "-s", "base_telemetry__ai_events"])
        assert not outcome.success, "dbt run succeeded on a broken raw table"
        messages = [str(getattr(r, "message", "")) for r in getattr(outcome.result, "results", None) or []]
        run_message = "\n".join([*messages, str(outcome.exception or "")])
        before = len(log_text(project))
        check = project.dbt(["run-operation", "assert_raw_sources_exist"])
        assert not check.success, "assert_raw_sources_exist passed on a broken raw table"
        check_message = str(check.exception or "") + log_text(project)[before:]
        return run_message, check_message.replace(f"{project.raw_schema}.", "{raw}.")


@pytest.mark.parametrize("target", ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_missing_raw_table_is_named(target: str, tmp_path: Path, truths: dict[str, Any],
                                    request: pytest.FixtureRequest) -> None:
    pg: loader.PostgresSettings | None = request.getfixturevalue("pg_settings") if target == "postgres" else None
    run_message, check_message = _missing_messages(target, tmp_path, truths, pg, "drop table {raw}.ai_events")
    assert "ai_events" in run_message, run_message
    assert "missing raw table {raw}.ai_events" in check_message, check_message


@pytest.mark.parametrize("target", ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_missing_raw_column_is_named(target: str, tmp_path: Path, truths: dict[str, Any],
                                     request: pytest.FixtureRequest) -> None:
    pg: loader.PostgresSettings | None = request.getfixturevalue("pg_settings") if target == "postgres" else None
    run_message, check_message = _missing_messages(
        target, tmp_path, truths, pg, "alter table {raw}.ai_events drop column properties")
    # dbt's own error names the column but not the raw table; the check names both.
    assert "properties" in run_message, run_message
    assert "missing raw column {raw}.ai_events.properties" in check_message, check_message
