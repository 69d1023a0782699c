"""`ai-ops alerts send` against a webhook on loopback (127.0.0.1), on DuckDB and Postgres.

Hand-built ai_metric_alerts rows (the mart's columns) in a private schema: every alert is posted
exactly once across reruns, a new alert alone on the next run; an endpoint that keeps failing (5xx
or too slow) ends the run with exit 1, a clear message and nothing recorded, and the next run sends
everything; a flaky or slow-but-answering endpoint gets each alert delivered once; a 4xx is not
retried. The expected texts are written out by hand. Last, the session's built mart: every row with
is_alert is posted once, the count taken by an independent query.
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from ai_ops_tools import alerts, cli, loader
from conftest import DbtProject, postgres_settings_or_skip

FAST = alerts.RetryPolicy(attempts=3, backoff_seconds=0.01, timeout_seconds=2.0)

COLUMNS_DDL = (
    "week_start date, metric_key text, alert_rule text, version_change_type text, version_change_value text, "
    "metric_value double precision, baseline_value double precision, baseline_weeks bigint, "
    "threshold_ratio double precision, threshold_value double precision, ratio_to_baseline double precision, "
    "is_alert boolean, version_change_first_seen_at timestamp"
)
# (week, key, rule, change type, change value, value, baseline, weeks, ratio, is_alert, first seen)
ROWS: list[tuple[Any, ...]] = [
    (date(2026, 4, 6), "p95_latency_ms", "spike", "model_version", "mv-2026.04-xl", 3000.0, 1000.0, 4, 1.5, True,
     datetime(2026, 4, 7, 9, 30)),
    (date(2026, 4, 6), "conversation_completion_rate", "drop", None, None, 0.3, 0.5, 4, 0.8, True, None),
    (date(2026, 4, 13), "cost_per_successful_outcome", "spike", "prompt_version", "pv-7", 0.02, 0.01, 4, 1.5, True,
     datetime(2026, 4, 13, 0, 0)),
    (date(2026, 4, 13), "p95_latency_ms", "spike", None, None, 1100.0, 1000.0, 4, 1.5, False, None),
]
NEW_ROW = (date(2026, 4, 20), "conversation_conversion_rate", "drop", None, None, 0.1, 0.2, 4, 0.8, True, None)
TEXTS = {
    ("2026-04-06", "p95_latency_ms"):
        "p95_latency_ms rose above its threshold in the week of 2026-04-06: 3,000 against a baseline of 1,000 "
        "(3x; alerts at 1.5x). Preceded by a model version change: mv-2026.04-xl first seen 2026-04-07 09:30 UTC.",
    ("2026-04-06", "conversation_completion_rate"):
        "conversation_completion_rate fell below its threshold in the week of 2026-04-06: 0.3 against a baseline "
        "of 0.5 (0.6x; alerts at 0.8x). No model or prompt version change preceded it.",
    ("2026-04-13", "cost_per_successful_outcome"):
        "cost_per_successful_outcome rose above its threshold in the week of 2026-04-13: 0.02 against a baseline "
        "of 0.01 (2x; alerts at 1.5x). Preceded by a prompt version change: pv-7 first seen 2026-04-13 00:00 UTC.",
}


# --- a webhook on loopback ---------------------------------------------------------------------


@dataclass
class Webhook:
    """Answers by `script` (one entry per request, the last repeated): a status, or ('slow', seconds)."""

    script: list[Any] = field(default_factory=lambda: [200])
    bodies: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""

    def next_answer(self) -> Any:
        index = min(len(self.bodies) - 1, len(self.script) - 1)
        return self.script[index]

    def delivered(self) -> list[tuple[str, str]]:
        return [(b["alert"]["week_start"], b["alert"]["metric_key"]) for b in self.bodies]


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    hook = Webhook()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            length = int(self.headers["Content-Length"])
            hook.bodies.append(json.loads(self.rfile.read(length)))
            answer = hook.next_answer()
            if isinstance(answer, tuple):
                time.sleep(answer[1])
                answer = 200
            self.send_response(answer)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    hook.url = f"http://127.0.0.1:{server.server_address[1]}/services/T000/B000/secret-token"
    try:
        yield hook
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# --- a warehouse holding the hand-built mart ------------------------------------------------------


@dataclass
class AlertStore:
    target: str
    schema: str
    duckdb_path: Path | None

    def warehouse(self) -> Any:
        if self.duckdb_path is not None:
            return alerts.duckdb_warehouse(self.duckdb_path)
        return alerts.postgres_warehouse()

    def insert(self, rows: list[tuple[Any, ...]]) -> None:
        with self.warehouse() as wh:
            for row in rows:
                week, key, rule, ctype, cvalue, value, base, weeks, ratio, is_alert, seen = row
                wh.execute(f'insert into "{self.schema}_marts".ai_metric_alerts values '
                           "({p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p})",
                           (week, key, rule, ctype, cvalue, value, base, weeks, ratio, base * ratio, value / base,
                            is_alert, seen))

    def sent(self) -> list[tuple[str, str, int]]:
        with self.warehouse() as wh:
            rows = wh.execute(f'select week_start, metric_key, attempts from "{self.schema}_alerting".'
                              f"{alerts.SENT_TABLE} order by 1, 2")
        return [(str(w), k, int(a)) for w, k, a in rows]

    def cli(self, url: str, *extra: str) -> int:
        args = ["alerts", "send", "--webhook", url, "--target", self.target, "--schema", self.schema,
                "--attempts", "3", "--backoff", "0.01", "--timeout", "1", *extra]
        if self.duckdb_path is not None:
            args += ["--duckdb-path", str(self.duckdb_path)]
        return cli.main(args)


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[AlertStore]:
    schema = f"pytest_alerts_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    if request.param == "duckdb":
        made = AlertStore("duckdb", schema, tmp_path / "alerts.duckdb")
    else:
        postgres_settings_or_skip()
        made = AlertStore("postgres", schema, None)
    with made.warehouse() as wh:
        wh.execute(f'create schema "{schema}_marts"')
        wh.execute(f'create table "{schema}_marts".ai_metric_alerts ({COLUMNS_DDL})')
    made.insert(ROWS)
    try:
        yield made
    finally:
        if made.target == "postgres":
            loader.drop_postgres_schemas(schema)


# --- tests -----------------------------------------------------------------------------------------


def test_each_alert_is_posted_once_across_reruns(store: AlertStore, webhook: Webhook,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert store.cli(webhook.url) == 0
    assert sorted(webhook.delivered()) == sorted(TEXTS)
    assert {(b["alert"]["week_start"], b["alert"]["metric_key"]): b["text"] for b in webhook.bodies} == TEXTS
    assert "3 alerts sent to http://127.0.0.1:" in capsys.readouterr().out
    assert store.cli(webhook.url) == 0
    assert len(webhook.bodies) == 3, "a rerun posted again"
    assert "0 alerts sent" in capsys.readouterr().out
    store.insert([NEW_ROW])
    assert store.cli(webhook.url) == 0
    assert webhook.delivered()[3:] == [("2026-04-20", "conversation_conversion_rate")]
    assert [s[:2] for s in store.sent()] == sorted([*TEXTS, ("2026-04-20", "conversation_conversion_rate")])
    # the secret path of the webhook is neither printed nor stored
    out = capsys.readouterr().out
    assert "secret-token" not in out
    with store.warehouse() as wh:
        stored = wh.execute(f'select * from "{store.schema}_alerting".{alerts.SENT_TABLE}')
    assert "secret-token" not in repr(stored)


def test_payload_is_slack_compatible_with_structured_fields(store: AlertStore, webhook: Webhook) -> None:
    assert store.cli(webhook.url) == 0
    body = next(b for b in webhook.bodies if b["alert"]["metric_key"] == "conversation_completion_rate")
    assert set(body) == {"text", "attachments", "alert"}
    fields = {f["title"]: f["value"] for f in body["attachments"][0]["fields"]}
    assert fields == {"metric_key": "conversation_completion_rate", "week_start": "2026-04-06",
                      "metric_value": "0.3", "baseline_value": "0.5", "threshold_value": "0.4"}
    # no preceding version change: the structured fields say so with nulls
    assert body["alert"]["version_change_type"] is None and body["alert"]["version_change_value"] is None
    assert body["alert"]["alert_rule"] == "drop" and body["alert"]["baseline_weeks"] == 4


def test_failing_endpoint_exits_1_records_nothing_then_recovers(store: AlertStore, webhook: Webhook,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    webhook.script = [503]
    assert store.cli(webhook.url) == 1
    err = capsys.readouterr().err
    assert "kept failing: 3 attempts, last: HTTP 503" in err and "Sent 0 of 3 new alerts" in err, err
    assert len(webhook.bodies) == 3  # the first alert, three times; the run stopped there
    assert store.sent() == []
    webhook.script = [200]
    webhook.bodies.clear()
    assert store.cli(webhook.url) == 0
    assert sorted(webhook.delivered()) == sorted(TEXTS)


def test_flaky_endpoint_is_retried_and_each_alert_recorded_once(store: AlertStore, webhook: Webhook) -> None:
    webhook.script = [500, 502, 200]
    assert store.cli(webhook.url) == 0
    assert sorted(set(webhook.delivered())) == sorted(TEXTS) and len(webhook.bodies) == 5
    assert [s[2] for s in store.sent()] == [3, 1, 1]  # the first alert (oldest week, key order) took 3 tries


def test_slow_endpoint(store: AlertStore, webhook: Webhook, capsys: pytest.CaptureFixture[str]) -> None:
    # slower than the 1 s timeout every time: exit 1 with the reason, nothing recorded
    webhook.script = [("slow", 1.5)]
    started = time.monotonic()
    assert store.cli(webhook.url) == 1
    assert time.monotonic() - started < 10
    assert "no answer within 1 s" in capsys.readouterr().err
    assert store.sent() == []
    # slow but within the timeout: delivered once each
    webhook.script = [("slow", 0.3)]
    webhook.bodies.clear()
    assert store.cli(webhook.url) == 0
    assert sorted(webhook.delivered()) == sorted(TEXTS)


def test_client_error_is_not_retried(store: AlertStore, webhook: Webhook,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    webhook.script = [404]
    assert store.cli(webhook.url) == 1
    assert len(webhook.bodies) == 1
    assert "refused the alert (HTTP 404" in capsys.readouterr().err


def test_unreachable_endpoint_fails_with_connection_message(store: AlertStore,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    # a loopback port nobody listens on (bound, then closed)
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert store.cli(f"http://127.0.0.1:{port}/hook") == 1
    assert "connection failed" in capsys.readouterr().err


def test_missing_mart_fails_with_a_clear_message(store: AlertStore, webhook: Webhook,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert store.cli(webhook.url, "--marts-schema", f"{store.schema}_nothing") == 1
    err = capsys.readouterr().err
    assert f"cannot read {store.schema}_nothing.ai_metric_alerts" in err and "run `dbt build` first" in err, err
    assert webhook.bodies == []


def test_backoff_doubles() -> None:
    waits: list[float] = []
    with pytest.raises(alerts.AlertDeliveryError):
        alerts.post_with_retries("http://127.0.0.1:9/x", {}, alerts.RetryPolicy(4, 0.5, 0.2), waits.append)
    assert waits == [0.5, 1.0, 2.0]


def _check_built_mart(project: DbtProject, webhook: Webhook) -> None:
    project.assert_build_ok()
    expected = project.query(f"select count(*) from {project.relation('ai_metric_alerts')} where is_alert")[0][0]
    assert expected > 0, "the session data raise no alert: sending them would prove nothing"
    schema = project.relation("ai_metric_alerts").split(".")[0].strip('"')
    warehouse = (alerts.duckdb_warehouse(project.duckdb_path) if project.duckdb_path is not None
                 else alerts.postgres_warehouse())
    with warehouse as wh:
        first = alerts.send_alerts(wh, webhook.url, schema, f"{project.schema}_alerting", FAST)
        again = alerts.send_alerts(wh, webhook.url, schema, f"{project.schema}_alerting", FAST)
    assert (first.alerts, first.sent) == (expected, expected)
    assert (again.sent, again.already_sent) == (0, expected)
    assert len(webhook.bodies) == len(set(webhook.delivered())) == expected


def test_duckdb_built_mart_alerts_sent_once(duckdb_project: DbtProject, webhook: Webhook) -> None:
    _check_built_mart(duckdb_project, webhook)


@pytest.mark.postgres
def test_postgres_built_mart_alerts_sent_once(postgres_project: DbtProject, webhook: Webhook) -> None:
    _check_built_mart(postgres_project, webhook)
