"""``ai-ops report operating``: the weekly operating page, one screen, from the marts only.

Order of the page: every metric by bucket (status colour, 8-week sparkline), the week's
alerts with the version change that preceded them, the workflow funnel and the step where
conversations drop (when ``ai_workflow_funnel`` exists), errors by type and model version,
adoption. The diagnostic page (``diagnostic.py``) shares the week logic and the sparkline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from markupsafe import Markup

from ai_ops_tools.reports import charts, render
from ai_ops_tools.reports.leadership import metric_kind
from ai_ops_tools.reports.marks import marker
from ai_ops_tools.reports.marts import MartReader, MartsMissing

MARTS = ("ops_metrics", "ai_metric_alerts", "ai_errors_weekly", "ai_adoption_weekly", "fct_ai_responses")
FUNNEL = "ai_workflow_funnel"
SPARK_WEEKS = 8
OPS_KEY = ("metric_key", "period_grain", "period_start", "segment_type", "segment_value")
# the funnel's steps in order: (rate column, the count it leads to, words)
FUNNEL_STEPS = (("response_rate", "with_response", "got a response"),
                ("success_rate", "with_success", "got a successful response"),
                ("action_rate", "with_action", "led to an action"))


@dataclass(frozen=True)
class Week:
    start: date
    complete: bool

    @property
    def end(self) -> date:
        return self.start + timedelta(days=6)

    @property
    def label(self) -> str:
        return f"week of {self.start.isoformat()}"


@dataclass(frozen=True)
class PageFiles:
    html: Path
    pdf: Path | None
    title: str


def parse_week(text: str) -> date:
    """A date (YYYY-MM-DD) to the Monday of its ISO week."""
    try:
        day = date.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"--week {text!r} is not a date (YYYY-MM-DD)") from exc
    return day - timedelta(days=day.weekday())


def last_data_day(reader: MartReader) -> date | None:
    rows = reader.rows("select max(occurred_date) as last_day from {fct_ai_responses}")
    return rows[0]["last_day"] if rows else None


def pick_week(reader: MartReader, requested: date | None) -> Week:
    """The requested week, else the newest ops_metrics week whose Sunday the response data reaches."""
    last_day = last_data_day(reader)
    if requested is not None:
        return Week(requested, complete=last_day is not None and requested + timedelta(days=6) <= last_day)
    weeks = [r["period_start"] for r in reader.rows(
        "select distinct period_start from {ops_metrics} where period_grain = 'week' order by 1 desc")]
    if not weeks or last_day is None:
        raise MartsMissing(f"ops_metrics in {reader.schema} has no rows: load raw data and run `dbt build` first")
    for start in weeks:
        if start + timedelta(days=6) <= last_day:
            return Week(start, complete=True)
    return Week(weeks[0], complete=False)


def sparkline(history: list[dict[str, Any]], title: str, size: tuple[int, int] = (120, 30)) -> Markup:
    """ops_metrics rows (oldest first) as a sparkline: dots by status, the target dashed."""
    points = [charts.TrendPoint(str(h["period_start"]), h["value"], h["status"]) for h in history]
    target = history[-1]["target"] if history else None
    desc = "; ".join(f"{h['period_start']}: {h['value'] if h['value'] is not None else 'no data'} "
                     f"({h['status'].replace('_', ' ')})" for h in history)
    return charts.trend(points, None, target, title, f"Dashed line: target {target}. " + desc,
                        width=size[0], height=size[1])


def ops_entry(row: dict[str, Any], history: list[dict[str, Any]], size: tuple[int, int] = (120, 30)) -> dict[str, Any]:
    """One ops_metrics row, marked, with the sparkline of its ``history``."""
    kind = metric_kind(row["metric_key"])
    return {"row": row, "kind": kind, "m": marker("ops_metrics", {k: row[k] for k in OPS_KEY}, kind),
            "spark": sparkline(history, f"{row['metric_key']} ({row['segment_value']}) by period", size)}


def metrics(reader: MartReader, week: Week) -> list[dict[str, Any]]:
    """The week's overall ops_metrics rows by bucket, each with its last 8 weeks."""
    first = week.start - timedelta(weeks=SPARK_WEEKS - 1)
    rows = reader.rows("select * from {ops_metrics} where period_grain = 'week' and segment_type = 'overall' "
                       "and period_start between ? and ? order by bucket, metric_key, period_start",
                       (first, week.start))
    history: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        history.setdefault(r["metric_key"], []).append(r)
    buckets: dict[str, list[dict[str, Any]]] = {}
    for series in history.values():
        if series[-1]["period_start"] == week.start:
            buckets.setdefault(series[-1]["bucket"] or "other", []).append(ops_entry(series[-1], series, (56, 14)))
    return [{"bucket": b, "metrics": ms} for b, ms in buckets.items()]


def alerts(reader: MartReader, week: Week) -> list[dict[str, Any]]:
    rows = reader.rows("select * from {ai_metric_alerts} where week_start = ? and is_alert order by metric_key",
                       (week.start,))
    return [{"row": r, "kind": metric_kind(r["metric_key"]),
             "m": marker("ai_metric_alerts", {"week_start": r["week_start"], "metric_key": r["metric_key"]},
                         metric_kind(r["metric_key"]))} for r in rows]


def drop_step(row: dict[str, Any]) -> str | None:
    """The funnel step with the lowest pass rate (where most conversations are lost), or None."""
    rated = [(row[rate], words) for rate, _, words in FUNNEL_STEPS if row[rate] is not None]
    return min(rated, key=lambda x: x[0])[1] if rated else None


def funnel(reader: MartReader, week: Week) -> dict[str, Any]:
    """The week's funnel rows, or ``available: False`` when the mart is not in the warehouse."""
    if not reader.has(FUNNEL):
        return {"available": False, "rows": []}
    rows = reader.rows("select * from {ai_workflow_funnel} where week_start = ? "
                       "order by case when workflow = 'all' then 0 else 1 end, workflow", (week.start,))
    return {"available": True, "steps": FUNNEL_STEPS, "rows": [
        {"row": r, "drop": drop_step(r),
         "m": marker(FUNNEL, {"week_start": r["week_start"], "workflow": r["workflow"]}, "count")} for r in rows]}


def errors(reader: MartReader, week: Week) -> list[dict[str, Any]]:
    rows = reader.rows("select * from {ai_errors_weekly} where week_start = ? "
                       "order by error_responses desc, model_version, error_type", (week.start,))
    return [{"row": r, "m": marker("ai_errors_weekly", {k: r[k] for k in ("week_start", "model_version", "error_type")},
                                   "count")} for r in rows]


def adoption(reader: MartReader, week: Week) -> dict[str, Any] | None:
    rows = reader.rows("select * from {ai_adoption_weekly} where week_start = ?", (week.start,))
    if not rows:
        return None
    return {"row": rows[0], "m": marker("ai_adoption_weekly", {"week_start": rows[0]["week_start"]}, "count")}


def build_context(reader: MartReader, week: Week) -> dict[str, Any]:
    return {
        "title": f"AI operating review: {week.label}", "week": week, "label_week": week.label,
        "metrics": metrics(reader, week), "alerts": alerts(reader, week), "funnel": funnel(reader, week),
        "errors": errors(reader, week), "adoption": adoption(reader, week), "spark_weeks": SPARK_WEEKS,
        "target": reader.target, "schema": reader.schema,
    }


def write_page(reader: MartReader, template: str, context: dict[str, Any], out_dir: Path, stem: str,
               pdf: bool) -> PageFiles:
    """Render ``template`` to ``out_dir/<stem>.html`` and, with ``pdf``, print it with Chromium."""
    out_dir.mkdir(parents=True, exist_ok=True)
    html = out_dir / f"{stem}.html"
    html.write_text(render.render_html(template, context), encoding="utf-8")
    pdf_path = render.print_pdf(html, out_dir / f"{stem}.pdf") if pdf else None
    return PageFiles(html, pdf_path, context["title"])


def write_report(reader: MartReader, week: date | None, out_dir: Path, pdf: bool = True) -> PageFiles:
    """The week's operating page as ``out_dir/operating-YYYY-MM-DD.html`` (+ PDF)."""
    reader.require(MARTS)
    chosen = pick_week(reader, week)
    files = write_page(reader, "operating.html.j2", build_context(reader, chosen), out_dir,
                       f"operating-{chosen.start.isoformat()}", pdf)
    if not chosen.complete:
        return PageFiles(files.html, files.pdf, files.title + " (not complete yet)")
    return files
