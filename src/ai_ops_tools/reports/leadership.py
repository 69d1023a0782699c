"""``ai-ops report leadership``: the one-page monthly leadership review, from the marts only.

Order of the page: the headline (each initiative against its outcome contract, with the
recommendation and the rule's reason), system and adoption, the cost picture, the evidence.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from markupsafe import Markup

from ai_ops_tools.reports import charts, render, wording
from ai_ops_tools.reports.marks import mark
from ai_ops_tools.reports.marts import MartReader, MartsMissing

MARTS = ("initiative_scorecard", "ops_metrics", "ai_adoption_weekly", "roi_monthly", "cost_breakdown_monthly",
         "experiment_comparison")
SCORECARD_KEY = ("initiative_id", "metric_key", "segment_type", "segment_value", "period_start")
TREND_PERIODS = 12
# keys whose name ends like a share but whose value is not a fraction (incidents per 1,000 conversations)
NOT_FRACTIONS = frozenset({"incident_rate"})
PCT_SUFFIXES = ("_rate", "_share", "_coverage", "_score", "_success", "explainability", "attainment", "health",
                "conversion")


@dataclass(frozen=True)
class Month:
    start: date
    complete: bool

    @property
    def end(self) -> date:
        return self.start.replace(day=calendar.monthrange(self.start.year, self.start.month)[1])

    @property
    def previous(self) -> date:
        return (self.start - timedelta(days=1)).replace(day=1)

    @property
    def label(self) -> str:
        return self.start.strftime("%B %Y")


@dataclass(frozen=True)
class ReportFiles:
    html: Path
    pdf: Path | None
    month: Month


def metric_kind(metric_key: str) -> str:
    """How to show a metric's value: a share as a percentage, money in dollars, else plain."""
    if metric_key == "roi" or (metric_key.endswith(PCT_SUFFIXES) and metric_key not in NOT_FRACTIONS):
        return "pct"
    if metric_key.endswith("_usd") or metric_key.startswith("cost_"):
        return "usd"
    return "auto"


def parse_month(text: str) -> date:
    try:
        year, month = text.split("-")
        return date(int(year), int(month), 1)
    except ValueError as exc:
        raise ValueError(f"--month {text!r} is not a month (YYYY-MM)") from exc


def pick_month(reader: MartReader, requested: date | None) -> Month:
    """The requested month, else the newest month the week calendar of ops_metrics covers to its last day."""
    bounds = reader.rows("select max(period_start) as last_week from {ops_metrics} where period_grain = 'week'")
    last_week = bounds[0]["last_week"] if bounds else None
    last_day = last_week + timedelta(days=6) if last_week is not None else None
    if requested is not None:
        return Month(requested, complete=last_day is not None and Month(requested, True).end <= last_day)
    months = [r["period_start"] for r in reader.rows(
        "select distinct period_start from {ops_metrics} where period_grain = 'month' order by 1 desc")]
    if not months or last_day is None:
        raise MartsMissing(f"ops_metrics in {reader.schema} has no rows: load raw data and run `dbt build` first")
    for start in months:
        if Month(start, True).end <= last_day:
            return Month(start, complete=True)
    return Month(months[0], complete=False)


def _marker(mart: str, key: dict[str, Any], kind_default: str = "auto") -> Callable[..., Markup]:
    def m(column: str, value: Any, kind: str = kind_default) -> Markup:
        return mark(mart, column, key, value, kind)
    return m


def headline(reader: MartReader, month: Month) -> list[dict[str, Any]]:
    """Per outcome contract: its latest review period in the month, the trend up to it, the reason."""
    rows = reader.rows("select * from {initiative_scorecard} where period_start <= ? "
                       "order by initiative_id, metric_key, segment_type, segment_value, period_start", (month.end,))
    contracts: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for r in rows:
        contracts.setdefault(tuple(r[k] for k in SCORECARD_KEY[:-1]), []).append(r)
    out = []
    for history in contracts.values():
        current = history[-1]
        if current["period_start"] < month.start:
            continue
        kind = metric_kind(current["metric_key"])
        m = _marker("initiative_scorecard", {k: current[k] for k in SCORECARD_KEY}, kind)
        shown = history[-TREND_PERIODS:]
        points = [charts.TrendPoint(str(h["period_start"]), h["value"], h["status"]) for h in shown]
        desc = "; ".join(f"{h['period_start']}: {h['value'] if h['value'] is not None else 'no data'} "
                         f"({wording.status_words(h['status'])})" for h in shown)
        out.append({
            "row": current, "m": m, "kind": kind,
            "recommendation": wording.RECOMMENDATION_WORDS[current["recommendation"]],
            "reason": wording.recommendation_reason(current, m, kind),
            "movement": wording.movement(current, m),
            "attribution": wording.ATTRIBUTION.get(current["attribution_method"], current["attribution_method"]),
            "trend": charts.trend(
                points, current["baseline_value"], current["target_value"],
                f"{current['metric_key']} over the last {len(shown)} review periods",
                f"Dotted line: baseline {current['baseline_value']}; dashed: target {current['target_value']}. "
                + desc),
        })
    return out


def system_status(reader: MartReader, month: Month) -> list[dict[str, Any]]:
    """The month's overall ops_metrics rows, grouped by bucket."""
    rows = reader.rows("select * from {ops_metrics} where period_grain = 'month' and period_start = ? "
                       "and segment_type = 'overall' order by bucket, metric_key", (month.start,))
    buckets: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        key = {k: r[k] for k in ("metric_key", "period_grain", "period_start", "segment_type", "segment_value")}
        kind = metric_kind(r["metric_key"])
        buckets.setdefault(r["bucket"] or "other", []).append(
            {"row": r, "m": _marker("ops_metrics", key, kind), "kind": kind})
    return [{"bucket": b, "metrics": ms} for b, ms in buckets.items()]


def adoption(reader: MartReader, month: Month) -> dict[str, Any] | None:
    rows = reader.rows("select * from {ai_adoption_weekly} where week_start between ? and ? "
                       "order by week_start desc limit 1", (month.start, month.end))
    if not rows:
        return None
    return {"row": rows[0], "m": _marker("ai_adoption_weekly", {"week_start": rows[0]["week_start"]})}


def costs(reader: MartReader, month: Month) -> dict[str, Any] | None:
    """roi_monthly's rows of the month (the all row against last month's) and the cost bars by workflow."""
    roi = reader.rows("select * from {roi_monthly} where month in (?, ?)", (month.start, month.previous))
    current = {r["workflow"]: r for r in roi if r["month"] == month.start}
    if "all" not in current:
        return None
    previous = next((r for r in roi if r["month"] == month.previous and r["workflow"] == "all"), None)
    breakdown = reader.rows("select * from {cost_breakdown_monthly} where month = ? order by workflow, cost_category",
                            (month.start,))
    categories = sorted({b["cost_category"] for b in breakdown})
    by_workflow: dict[str, list[charts.Segment]] = {}
    for b in breakdown:
        by_workflow.setdefault(b["workflow"], []).append(charts.Segment(b["cost_category"], b["amount_usd"]))
    scale = max((sum(s.amount for s in segs if s.amount > 0) for segs in by_workflow.values()), default=0.0)
    workflows = []
    for name in sorted(w for w in current if w != "all"):
        segs = by_workflow.get(name, [])
        desc = ", ".join(f"{s.category} ${s.amount:,.2f}" for s in segs) or "no costs"
        workflows.append({
            "row": current[name], "m": _marker("roi_monthly", {"month": month.start, "workflow": name}, "usd"),
            "bar": charts.stacked_bar(segs, scale, categories, f"Cost of {name} by category", desc),
        })
    all_row = current["all"]
    m_all = _marker("roi_monthly", {"month": month.start, "workflow": "all"}, "usd")
    m_prev = _marker("roi_monthly", {"month": month.previous, "workflow": "all"}, "usd")
    return {
        "all": all_row, "m": m_all, "previous": previous, "m_previous": m_prev, "workflows": workflows,
        "legend": [(c, charts.category_color(c, categories)) for c in categories],
        "change": wording.month_change(all_row["net_benefit_usd"], previous["net_benefit_usd"] if previous else None),
        "pays_off": all_row["net_benefit_usd"] is not None and all_row["net_benefit_usd"] > 0,
    }


def evidence(reader: MartReader) -> list[dict[str, Any]]:
    """The overall experiment_comparison rows: lifts as intervals, the verdict in words."""
    rows = reader.rows("select * from {experiment_comparison} where segment_type = 'overall' "
                       "order by comparison_type, metric_key")
    out = []
    for r in rows:
        key = {k: r[k] for k in ("comparison_type", "metric_key", "segment_type", "segment_value")}
        kind = metric_kind(r["metric_key"])
        out.append({
            "row": r, "m": _marker("experiment_comparison", key, kind), "kind": kind,
            "verdict": wording.lift_verdict(r),
            "chart": charts.interval(
                charts.Interval(r["metric_key"], r["ci_low"], r["abs_lift"], r["ci_high"], bool(r["is_significant"])),
                f"Lift of {r['metric_key']} with its 95% interval",
                f"Lift {r['abs_lift']}, 95% interval {r['ci_low']} to {r['ci_high']}; zero is the grey line."),
        })
    return out


def build_context(reader: MartReader, month: Month) -> dict[str, Any]:
    return {
        "title": f"AI leadership review: {month.label}", "month": month, "label_month": month.label,
        "headline": headline(reader, month), "system": system_status(reader, month),
        "adoption": adoption(reader, month), "costs": costs(reader, month), "evidence": evidence(reader),
        "target": reader.target, "schema": reader.schema,
    }


def write_report(reader: MartReader, month: date | None, out_dir: Path, pdf: bool = True) -> ReportFiles:
    """Render the month's review to ``out_dir/leadership-YYYY-MM.html`` and its one-page PDF."""
    reader.require(MARTS)
    chosen = pick_month(reader, month)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"leadership-{chosen.start:%Y-%m}"
    html = out_dir / f"{stem}.html"
    html.write_text(render.render_html("leadership.html.j2", build_context(reader, chosen)), encoding="utf-8")
    pdf_path = render.print_pdf(html, out_dir / f"{stem}.pdf") if pdf else None
    return ReportFiles(html, pdf_path, chosen)


