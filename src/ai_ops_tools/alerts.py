"""`ai-ops alerts send`: post each new alert of the ai_metric_alerts mart to a webhook, once.

An alert is a row of ai_metric_alerts with `is_alert`. Each one is posted as a Slack-compatible
JSON body (a `text` line a person reads, Slack `attachments` fields, and the row itself under
`alert`) and, once the endpoint answered 2xx, recorded in a table of the sender's own,
`<schema>_alerting.ai_metric_alerts_sent` (one row per week, metric and destination), so a rerun
posts only alerts it has not delivered to that destination before. A destination is the sha256 of
the webhook URL: the URL itself is a secret (Slack's carries its token) and is never stored or
printed beyond its host.

Delivery: 5xx, 429, timeouts and connection errors are retried with exponential backoff; another
4xx is not (the request itself is wrong). When an alert still fails, the run stops (alerts after it
stay unsent, for the next run) and raises AlertDeliveryError, which the command line turns into
exit 1 with the reason.
"""

from __future__ import annotations

import hashlib
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

SENT_TABLE = "ai_metric_alerts_sent"
ALERT_COLUMNS = (
    "week_start", "metric_key", "alert_rule", "metric_value", "baseline_value", "baseline_weeks",
    "threshold_ratio", "threshold_value", "ratio_to_baseline", "version_change_type",
    "version_change_value", "version_change_first_seen_at",
)


class AlertDeliveryError(Exception):
    """The endpoint kept failing (or refused an alert); the message says which and how often."""


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try one alert: attempts in all, the first backoff (doubled each time), the timeout."""

    attempts: int = 4
    backoff_seconds: float = 1.0
    timeout_seconds: float = 10.0


@dataclass(frozen=True)
class SendResult:
    alerts: int  # rows of the mart with is_alert
    already_sent: int
    sent: int


# --- the warehouse -------------------------------------------------------------------------------


class Warehouse:
    """A DB-API connection to DuckDB or Postgres, with the one placeholder difference."""

    def __init__(self, connection: Any, placeholder: str) -> None:
        self.connection = connection
        self.placeholder = placeholder

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        cursor = self.connection.cursor()
        try:
            cursor.execute(sql.replace("{p}", self.placeholder), params)
            rows: list[tuple[Any, ...]] = cursor.fetchall() if cursor.description else []
        finally:
            cursor.close()
        self.connection.commit()
        return rows


@contextmanager
def duckdb_warehouse(path: Path) -> Iterator[Warehouse]:
    import duckdb

    connection = duckdb.connect(str(path))
    try:
        yield Warehouse(connection, "?")
    finally:
        connection.close()


@contextmanager
def postgres_warehouse() -> Iterator[Warehouse]:
    from ai_ops_tools.loader import PostgresSettings

    connection = PostgresSettings.from_env().connect()
    try:
        yield Warehouse(connection, "%s")
    finally:
        connection.close()


def ensure_sent_table(warehouse: Warehouse, schema: str) -> None:
    warehouse.execute(f'create schema if not exists "{schema}"')
    warehouse.execute(
        f'create table if not exists "{schema}"."{SENT_TABLE}" ('
        "week_start date not null, metric_key text not null, destination_sha256 text not null, "
        "http_status integer not null, attempts integer not null, sent_at timestamp not null, "  # UTC
        "primary key (week_start, metric_key, destination_sha256))"
    )


def unsent_alerts(warehouse: Warehouse, marts_schema: str, sent_schema: str,
                  destination: str) -> tuple[int, list[dict[str, Any]]]:
    """(alerts in the mart, those not yet sent to destination), oldest week first."""
    columns = ", ".join(f"alerts.{c}" for c in ALERT_COLUMNS)
    try:
        total = warehouse.execute(f'select count(*) from "{marts_schema}".ai_metric_alerts where is_alert')[0][0]
    except Exception as exc:  # the driver's own error class (duckdb or psycopg2)
        with suppress(Exception):  # Postgres needs it; DuckDB has no transaction open
            warehouse.connection.rollback()
        raise AlertDeliveryError(f"cannot read {marts_schema}.ai_metric_alerts ({str(exc).splitlines()[0]}): "
                                 "run `dbt build` first, or pass --schema / --marts-schema") from exc
    rows = warehouse.execute(
        f'select {columns} from "{marts_schema}".ai_metric_alerts as alerts '
        f'left join "{sent_schema}"."{SENT_TABLE}" as sent '
        "on alerts.week_start = sent.week_start and alerts.metric_key = sent.metric_key "
        "and sent.destination_sha256 = {p} "
        "where alerts.is_alert and sent.metric_key is null "
        "order by alerts.week_start, alerts.metric_key",
        (destination,),
    )
    return int(total), [dict(zip(ALERT_COLUMNS, row, strict=True)) for row in rows]


def record_sent(warehouse: Warehouse, schema: str, alert: dict[str, Any], destination: str,
                status: int, attempts: int) -> None:
    warehouse.execute(
        f'insert into "{schema}"."{SENT_TABLE}" values ({{p}}, {{p}}, {{p}}, {{p}}, {{p}}, {{p}})',
        (alert["week_start"], alert["metric_key"], destination, status, attempts,
         datetime.now(UTC).replace(microsecond=0, tzinfo=None)),
    )


# --- the message ---------------------------------------------------------------------------------


def _number(value: Any) -> str:
    return "n/a" if value is None else f"{float(value):,.4g}"


def alert_text(alert: dict[str, Any]) -> str:
    """The line a person reads: what moved, by how much, and the version change before it."""
    verb = "rose above" if alert["alert_rule"] == "spike" else "fell below"
    line = (f"{alert['metric_key']} {verb} its threshold in the week of {alert['week_start']}: "
            f"{_number(alert['metric_value'])} against a baseline of {_number(alert['baseline_value'])} "
            f"({_number(alert['ratio_to_baseline'])}x; alerts at {_number(alert['threshold_ratio'])}x).")
    if alert["version_change_type"]:
        seen = alert["version_change_first_seen_at"]
        seen_text = seen.strftime("%Y-%m-%d %H:%M UTC") if isinstance(seen, datetime) else str(seen)
        return (f"{line} Preceded by a {alert['version_change_type'].replace('_', ' ')} change: "
                f"{alert['version_change_value']} first seen {seen_text}.")
    return f"{line} No model or prompt version change preceded it."


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def alert_payload(alert: dict[str, Any]) -> dict[str, Any]:
    """A Slack-compatible body: `text`, `attachments[0].fields`, and the structured row as `alert`."""
    fields = [{"title": name, "value": str(_json_value(alert[name])), "short": True}
              for name in ("metric_key", "week_start", "metric_value", "baseline_value", "threshold_value",
                           "version_change_type", "version_change_value") if alert[name] is not None]
    return {
        "text": alert_text(alert),
        "attachments": [{"color": "#d93f0b", "fields": fields}],
        "alert": {name: _json_value(value) for name, value in alert.items()},
    }


# --- delivery ------------------------------------------------------------------------------------


def destination_of(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()


def shown_url(url: str) -> str:
    """The URL without its path (a webhook's path is its secret)."""
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/..."


def _post_once(url: str, body: bytes, timeout: float) -> int:
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (the user's URL)
        return int(response.status)


def post_with_retries(url: str, payload: dict[str, Any], policy: RetryPolicy,
                      sleep: Callable[[float], None] = time.sleep) -> tuple[int, int]:
    """(HTTP status, attempts) of the first 2xx; AlertDeliveryError when it never came."""
    body = json.dumps(payload).encode()
    last_error = "no attempt made"
    for attempt in range(1, policy.attempts + 1):
        try:
            return _post_once(url, body, policy.timeout_seconds), attempt
        except urllib.error.HTTPError as exc:
            last_error = f"HTTP {exc.code} {exc.reason}"
            if exc.code < 500 and exc.code != 429:
                raise AlertDeliveryError(f"{shown_url(url)} refused the alert ({last_error}); "
                                         "not retried: check the webhook URL") from exc
        except (TimeoutError, urllib.error.URLError, ConnectionError) as exc:
            reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
            last_error = f"no answer within {policy.timeout_seconds:g} s" if "timed out" in str(reason) \
                else f"connection failed ({reason})"
        if attempt < policy.attempts:
            sleep(policy.backoff_seconds * 2 ** (attempt - 1))
    raise AlertDeliveryError(f"{shown_url(url)} kept failing: {policy.attempts} attempts, last: {last_error}")


def send_alerts(warehouse: Warehouse, url: str, marts_schema: str, sent_schema: str,
                policy: RetryPolicy, sleep: Callable[[float], None] = time.sleep) -> SendResult:
    """Post every unsent alert in order, recording each as soon as it was delivered."""
    destination = destination_of(url)
    ensure_sent_table(warehouse, sent_schema)
    total, pending = unsent_alerts(warehouse, marts_schema, sent_schema, destination)
    sent = 0
    for alert in pending:
        try:
            status, attempts = post_with_retries(url, alert_payload(alert), policy, sleep)
        except AlertDeliveryError as exc:
            raise AlertDeliveryError(f"{exc}. Sent {sent} of {len(pending)} new alerts; the other "
                                     f"{len(pending) - sent} are sent by the next run.") from exc
        record_sent(warehouse, sent_schema, alert, destination, status, attempts)
        sent += 1
    return SendResult(alerts=total, already_sent=total - len(pending), sent=sent)
