"""``ai-ops report diagnostic --metric KEY``: one ops_metrics key by every segment it has, over time.

Weekly rows where the key has them, else monthly. One table per segment type (overall
first): a row per segment value with a sparkline of every period and the values of the
last periods, each marked with its ops_metrics row.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ai_ops_tools.reports.marts import MartReader
from ai_ops_tools.reports.operating import PageFiles, ops_entry, write_page

MARTS = ("ops_metrics",)
SHOWN_PERIODS = 8
SEGMENT_ORDER = ("overall", "workflow", "model_version", "prompt_version", "feature_flag_state")


class UnknownMetric(ValueError):
    """The key has no rows in ops_metrics."""


def metric_keys(reader: MartReader) -> list[str]:
    return [r["metric_key"] for r in reader.rows("select distinct metric_key from {ops_metrics} order by 1")]


def pick_grain(reader: MartReader, metric_key: str) -> str:
    """'week' when the key has weekly rows, else 'month'; an unknown key is a clear error."""
    grains = {r["period_grain"] for r in reader.rows(
        "select distinct period_grain from {ops_metrics} where metric_key = ?", (metric_key,))}
    if not grains:
        known = metric_keys(reader)
        raise UnknownMetric(f"unknown metric key {metric_key!r}: ops_metrics in {reader.schema} has "
                            f"{', '.join(known) if known else 'no rows (run `dbt build` first)'}")
    return "week" if "week" in grains else "month"


def _segment_order(segment_type: str) -> tuple[int, str]:
    rank = SEGMENT_ORDER.index(segment_type) if segment_type in SEGMENT_ORDER else len(SEGMENT_ORDER)
    return rank, segment_type


def segments(reader: MartReader, metric_key: str, grain: str) -> list[dict[str, Any]]:
    """Per segment type, per segment value: the sparkline of all periods and the last periods' values."""
    rows = reader.rows("select * from {ops_metrics} where metric_key = ? and period_grain = ? "
                       "order by segment_type, segment_value, period_start", (metric_key, grain))
    series: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for r in rows:
        series.setdefault(r["segment_type"], {}).setdefault(r["segment_value"], []).append(r)
    periods = sorted({r["period_start"] for r in rows})[-SHOWN_PERIODS:]
    out = []
    for segment_type in sorted(series, key=_segment_order):
        values = []
        for value, history in series[segment_type].items():
            by_period = {h["period_start"]: h for h in history}
            cells = [ops_entry(by_period[p], []) if p in by_period else None for p in periods]
            entry = ops_entry(history[-1], history)
            values.append({"value": value, "spark": entry["spark"], "cells": cells, "latest": entry})
        out.append({"segment_type": segment_type, "values": values})
    return out


def build_context(reader: MartReader, metric_key: str) -> dict[str, Any]:
    grain = pick_grain(reader, metric_key)
    found = segments(reader, metric_key, grain)
    periods = sorted({c["row"]["period_start"] for s in found for v in s["values"] for c in v["cells"] if c})
    bucket = found[0]["values"][0]["latest"]["row"]["bucket"] if found else None
    return {
        "title": f"Diagnostic: {metric_key}", "metric_key": metric_key, "grain": grain, "bucket": bucket,
        "segments": found, "periods": periods, "has_segments": any(s["segment_type"] != "overall" for s in found),
        "target": reader.target, "schema": reader.schema,
    }


def write_report(reader: MartReader, metric_key: str, out_dir: Path, pdf: bool = True) -> PageFiles:
    """The metric's page as ``out_dir/diagnostic-<key>.html`` (+ PDF)."""
    reader.require(MARTS)
    return write_page(reader, "diagnostic.html.j2", build_context(reader, metric_key), out_dir,
                      f"diagnostic-{metric_key}", pdf)
