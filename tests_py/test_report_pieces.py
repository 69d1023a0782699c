"""The report's shared pieces without a warehouse: wording, number marks and the checker
that the browser tests rely on (it must catch a wrong, misrounded or unsourced number)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ai_ops_tools.reports import charts, wording
from ai_ops_tools.reports.leadership import metric_kind
from ai_ops_tools.reports.marks import fmt_pct, fmt_usd, key_json, mark, stored_text
from report_browser import PageLook, check_marks, unmarked_numbers


def _m(column: str, value: Any, kind: str) -> Any:
    return mark("initiative_scorecard", column, {"initiative_id": "i1"}, value, kind)


def _lift(**over: Any) -> dict[str, Any]:
    row = {"p_value": 0.2, "is_significant": False, "comparison_type": "control_vs_treatment", "srm_p_value": 0.4}
    return {**row, **over}


def test_lift_wording_never_overclaims() -> None:
    assert wording.lift_verdict(_lift()).startswith("Not significant")
    assert "measured effect" in wording.lift_verdict(_lift(p_value=0.01, is_significant=True))
    before_after = wording.lift_verdict(_lift(p_value=0.01, is_significant=True, comparison_type="pre_vs_post"))
    assert "correlation" in before_after and "effect" not in before_after
    assert "sample ratio mismatch" in wording.lift_verdict(_lift(p_value=0.01, is_significant=True, srm_p_value=1e-5))
    assert wording.lift_verdict(_lift(p_value=None)) == "not enough data to compare"


def test_month_change_calls_a_flat_month_flat() -> None:
    assert wording.month_change(104.0, 100.0) == "flat against last month"
    assert wording.month_change(106.0, 100.0) == "up from last month"
    assert wording.month_change(-120.0, -100.0) == "down from last month"
    assert wording.month_change(1.0, None) == "not comparable with last month"


def test_movement_flat_inside_one_baseline_stddev_and_sided_by_the_target() -> None:
    row = {"value": 5.0, "baseline_value": 4.0, "target_value": 2.0, "baseline_stddev": 1.0, "movement_z": 0.5}
    assert str(wording.movement(row, _m)).startswith("flat")
    # lower is better here (target below baseline): a rise of 3 standard deviations is worse
    assert str(wording.movement({**row, "movement_z": 3.0}, _m)).startswith("worse")
    assert str(wording.movement({**row, "target_value": 9.0, "movement_z": 3.0}, _m)).startswith("better")
    assert "no measured variation" in str(wording.movement({**row, "baseline_stddev": None}, _m))


@pytest.mark.parametrize(("rec", "status", "progress", "expected"), [
    ("expand", "on_track", 1.2, "on track"),
    ("wind_down", "off_track", -0.5, "off track for the last three periods"),
    ("adjust", "at_risk", 0.5, "of the way from the baseline"),
    ("adjust", "off_track", -0.1, "no better than the baseline"),
    ("hold", "no_data", None, "no data this period"),
    ("hold", "on_track", 1.0, "not yet two periods in a row"),
])
def test_every_recommendation_has_its_reason(rec: str, status: str, progress: float | None, expected: str) -> None:
    row = {"recommendation": rec, "status": status, "progress": progress, "value": 1.0, "target_value": 2.0,
           "baseline_value": 0.5, "periods_on_track": 2}
    assert expected in str(wording.recommendation_reason(row, _m, "auto"))


def test_formats_and_marks() -> None:
    assert [fmt_usd(v) for v in (0.0066, 12.345, 150.4, 12345.6, -2.5)] == ["$0.0066", "$12.35", "$150", "$12.3k",
                                                                             "-$2.50"]
    assert fmt_pct(0.5464) == "54.6%"
    assert stored_text(0.1 + 0.2) == "0.30000000000000004" and stored_text(None) == ""
    assert json.loads(key_json({"b": 1, "a": None})) == {"a": "", "b": "1"}
    assert (metric_kind("success_rate"), metric_kind("incident_rate"), metric_kind("roi"),
            metric_kind("total_cost_usd"), metric_kind("p95_latency_ms")) == ("pct", "auto", "pct", "usd", "auto")
    html = str(mark("roi_monthly", "roi", {"month": "2026-06-01", "workflow": "all"}, 0.97146, "pct"))
    assert 'data-value="0.97146"' in html and ">97.1%</span>" in html and "&#34;workflow&#34;" in html


def _look(text: str, value: str, fmt: str = "pct", unmarked: list[str] | None = None) -> PageLook:
    mark_ = {"mart": "roi_monthly", "column": "roi", "key": '{"month": "2026-06-01"}', "value": value,
             "format": fmt, "text": text}
    return PageLook(marks=[mark_], unmarked_text=unmarked or [], text=text)


def test_the_checker_catches_wrong_misrounded_and_unsourced_numbers() -> None:
    def fetch(mart: str, column: str, key: dict[str, str]) -> list[Any]:
        return [0.97146]

    assert check_marks(_look("97.1%", "0.97146"), fetch) == []
    assert check_marks(_look("97.2%", "0.97146"), fetch)  # shown rounded wrongly
    assert check_marks(_look("97.1%", "0.9714"), fetch)  # data-value is not the stored value
    assert check_marks(_look("97.1%", "0.97146"), lambda *a: [])  # no such row
    assert check_marks(_look("< 0.001", "1e-05", "p"), lambda *a: [0.00001]) == []
    assert check_marks(_look("< 0.001", "0.002", "p"), lambda *a: [0.002])  # not below the bound shown
    assert unmarked_numbers(_look("x", "1", unmarked=["net benefit 3,038 this month", "p95_latency_ms"])) == [
        "3,038"]


def test_charts_carry_a_text_alternative() -> None:
    svg = str(charts.trend([charts.TrendPoint("a", 1.0, "on_track"), charts.TrendPoint("b", None, "no_data")],
                           0.5, 2.0, "Trend of x", "a: 1.0; b: no data"))
    assert 'role="img"' in svg and "<title" in svg and "a: 1.0; b: no data</desc>" in svg
    assert "<circle" in svg and "stroke-dasharray" in svg
