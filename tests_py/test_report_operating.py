"""`ai-ops report operating` and `ai-ops report diagnostic` looked at as a person would, with the
leadership report's browser test (tests_py/report_browser.py): headless Chromium opens the page,
no console error or failed request, a screenshot is saved, and every number shown is the mart
value it names (DuckDB and Postgres). Also a week without data, the funnel section with and
without the ai_workflow_funnel mart, an unknown metric key and a metric with no segments."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from ai_ops_tools.cli import main
from ai_ops_tools.dbt_run import env_overrides
from conftest import DbtProject
from helpers_rel import duckdb_copy
from report_browser import PageLook, check_marks, unmarked_numbers
from test_report_leadership import _fetcher, _look, _pdf_pages

OPERATING_SECTIONS = ("Metrics by bucket", "Alerts", "Adoption", "Workflow funnel", "Errors by type and model version")
NO_FUNNEL = "Funnel not available: the ai_workflow_funnel mart is not in this warehouse."


def _page(project: DbtProject, out: Path, page: str, *extra: str, duckdb_path: Path | None = None) -> Path:
    args = ["report", page, "--target", project.target, "--schema", project.schema, "--out", str(out), *extra]
    if project.target == "duckdb":
        args += ["--duckdb-path", str(duckdb_path or project.duckdb_path)]
    env = {"AI_OPS_PG_HOST": project.pg.host, "AI_OPS_PG_PORT": str(project.pg.port)} if project.pg else {}
    with env_overrides(env):
        assert main(args) == 0
    htmls = sorted(out.glob(f"{page}-*.html"))
    assert len(htmls) == 1, htmls
    return htmls[0]


def _assert_clean(look: PageLook, html: Path) -> None:
    assert look.console_errors == [], look.console_errors
    assert look.failed_requests == [], look.failed_requests
    assert look.screenshot is not None and look.screenshot.stat().st_size > 10_000
    assert unmarked_numbers(look) == [], f"numbers without a data-mart source: {unmarked_numbers(look)}"
    assert _pdf_pages(html.with_suffix(".pdf")) >= 1


def _newest_complete_week(project: DbtProject) -> date:
    """Independently: the Monday of the last Sunday on or before the last response day."""
    last = project.query(f"select max(cast(occurred_at as date)) from {project.relation('fct_ai_responses')}")[0][0]
    last = last if isinstance(last, date) else date.fromisoformat(str(last))
    sunday = last - timedelta(days=(last.weekday() + 1) % 7)
    return sunday - timedelta(days=6)


def _operating(project: DbtProject, tmp_path: Path) -> None:
    project.assert_build_ok()
    week = _newest_complete_week(project)
    html = _page(project, tmp_path, "operating")
    assert html.name == f"operating-{week.isoformat()}.html"
    look = _look(html)
    _assert_clean(look, html)
    assert _pdf_pages(html.with_suffix(".pdf")) == 1
    for section in OPERATING_SECTIONS:
        assert section in look.text
    assert NO_FUNNEL not in look.text
    assert check_marks(look, _fetcher(project)) == []
    assert {"ops_metrics", "ai_adoption_weekly", "ai_workflow_funnel"} <= {m["mart"] for m in look.marks}
    # the funnel shows every workflow row of the week (and the all row), 9 numbers each
    n_funnel = project.query(f"select count(*) from {project.relation('ai_workflow_funnel')} "
                             f"where cast(week_start as date) = cast('{week}' as date)")[0][0]
    assert len([m for m in look.marks if m["mart"] == "ai_workflow_funnel"]) == 9 * n_funnel > 0
    # every metric with an overall row that week is shown once, with its value
    keys = {r[0] for r in project.query(
        f"select metric_key from {project.relation('ops_metrics')} where period_grain = 'week' "
        f"and segment_type = 'overall' and cast(period_start as date) = cast('{week}' as date)")}
    shown = {m["key"] for m in look.marks if m["mart"] == "ops_metrics"}
    assert len(shown) == len(keys) > 10
    _errors_add_up(project, tmp_path / "errors")


def _errors_add_up(project: DbtProject, out: Path) -> None:
    """The week with the most error responses (counted from the response fact): the error table
    adds up to that count, each row traced to ai_errors_weekly."""
    responses = project.relation("fct_ai_responses")
    week, n_errors = project.query(
        f"select cast(occurred_week as date), count(*) from {responses} where response_status = 'error' "
        f"group by 1 order by 2 desc, 1 limit 1")[0]
    html = _page(project, out, "operating", "--week", str(week), "--no-pdf")
    look = _look(html)
    assert check_marks(look, _fetcher(project)) == []
    shown_errors = sum(int(m["value"]) for m in look.marks if m["column"] == "error_responses")
    assert shown_errors == n_errors > 0


def test_report_operating_duckdb(duckdb_project: DbtProject, tmp_path: Path) -> None:
    _operating(duckdb_project, tmp_path)


@pytest.mark.postgres
def test_report_operating_postgres(postgres_project: DbtProject, tmp_path: Path) -> None:
    _operating(postgres_project, tmp_path)


def test_report_operating_without_the_funnel_mart(duckdb_project: DbtProject, tmp_path: Path) -> None:
    """A warehouse without ai_workflow_funnel (built before it existed): the section says so, the rest renders."""
    duckdb_project.assert_build_ok()
    copy = duckdb_copy(duckdb_project, tmp_path / "wh")
    import duckdb

    con = duckdb.connect(str(copy))
    con.execute(f'drop table "{duckdb_project.schema}_marts".ai_workflow_funnel')
    con.close()
    html = _page(duckdb_project, tmp_path / "out", "operating", "--no-pdf", duckdb_path=copy)
    look = _look(html)
    assert look.console_errors == [] and unmarked_numbers(look) == []
    assert NO_FUNNEL in look.text
    assert "ai_workflow_funnel" not in {m["mart"] for m in look.marks}
    assert check_marks(look, _copy_fetcher(copy, f"{duckdb_project.schema}_marts")) == []


def test_report_operating_week_without_data(duckdb_project: DbtProject, tmp_path: Path) -> None:
    """A week before any data (any day of it picks its Monday): each section says so, no number."""
    duckdb_project.assert_build_ok()
    html = _page(duckdb_project, tmp_path, "operating", "--week", "2020-01-08", "--no-pdf")
    assert html.name == "operating-2020-01-06.html"
    look = _look(html)
    assert look.console_errors == [] and look.failed_requests == []
    assert unmarked_numbers(look) == []
    assert look.marks == []
    for words in ("No ops_metrics rows for the week of 2020-01-06", "No alert in the week of 2020-01-06",
                  "No adoption data in the week of 2020-01-06", "No error responses in the week of 2020-01-06",
                  "No funnel rows for the week of 2020-01-06"):
        assert words in look.text, words
    assert "not complete yet" not in look.text  # a past week is complete, however empty


# hand-built funnel rows (the contract's columns): support loses most at the response step
# (6 of 10 = 0.6), sales at the action step (1 of 4 = 0.25); the all row has a null action rate
# and loses most at the response step (10 of 14)
FUNNEL_ROWS = [
    ("all", 14, 10, 8, 4, 3, 10 / 14, 8 / 10, None, 3 / 14),
    ("support_automation", 10, 6, 5, 3, 2, 0.6, 5 / 6, 0.6, 0.2),
    ("sales_assistant", 4, 4, 4, 1, 1, 1.0, 1.0, 0.25, 0.25),
]


def _plant_funnel_and_alert(copy: Path, marts_schema: str, week: date) -> None:
    import duckdb

    con = duckdb.connect(str(copy))
    con.execute(f'drop table if exists "{marts_schema}".ai_workflow_funnel')
    con.execute(
        f'create table "{marts_schema}".ai_workflow_funnel (week_start date, workflow text, conversations bigint, '
        "with_response bigint, with_success bigint, with_action bigint, completed bigint, response_rate double, "
        "success_rate double, action_rate double, completion_rate double)")
    for row in FUNNEL_ROWS:
        con.execute(f'insert into "{marts_schema}".ai_workflow_funnel values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
                    [week, *row])
    con.execute(f'update "{marts_schema}".ai_metric_alerts set is_alert = true, version_change_type = '
                "'model_version', version_change_value = 'm-planted' where week_start = ? and metric_key = "
                "'p95_latency_ms'", [week])
    con.close()


def _copy_fetcher(copy: Path, marts_schema: str) -> Any:
    """Mart values from the copy, where the planted funnel exists (the session warehouse has none)."""
    def fetch(mart: str, column: str, key: dict[str, str]) -> list[Any]:
        import duckdb

        where = " and ".join(f'"{k}" = ?' for k in key)
        con = duckdb.connect(str(copy), read_only=True)
        try:
            sql = f'select "{column}" from "{marts_schema}"."{mart}" where {where}'
            return [r[0] for r in con.execute(sql, list(key.values())).fetchall()]
        finally:
            con.close()
    return fetch


def test_report_operating_with_funnel_and_alert(duckdb_project: DbtProject, tmp_path: Path) -> None:
    """With the funnel mart present its rows show with the step where most are lost; an alert names
    the version change that preceded it. Every number still equals its row in the copy."""
    duckdb_project.assert_build_ok()
    week = _newest_complete_week(duckdb_project)
    copy = duckdb_copy(duckdb_project, tmp_path / "wh")
    _plant_funnel_and_alert(copy, f"{duckdb_project.schema}_marts", week)
    html = _page(duckdb_project, tmp_path / "out", "operating", "--no-pdf", duckdb_path=copy)
    look = _look(html)
    assert look.console_errors == [] and unmarked_numbers(look) == []
    assert NO_FUNNEL not in look.text
    assert check_marks(look, _copy_fetcher(copy, f"{duckdb_project.schema}_marts")) == []
    funnel = [m for m in look.marks if m["mart"] == "ai_workflow_funnel"]
    assert len(funnel) == 3 * 9  # conversations, 4 counts and 4 rates per workflow
    lines = {line.split("\t")[0]: line for line in look.text.splitlines() if "\t" in line}
    assert lines["support_automation"].endswith("got a response")
    assert lines["sales_assistant"].endswith("led to an action")
    assert lines["all"].endswith("got a response")  # 10/14 response < 0.8 success; action rate null
    assert "model version m-planted" in look.text
    assert any(m["mart"] == "ai_metric_alerts" and '"p95_latency_ms"' in m["key"] for m in look.marks)


def _segment_types(project: DbtProject, key: str) -> set[Any]:
    return {r[0] for r in project.query(
        f"select distinct segment_type from {project.relation('ops_metrics')} where metric_key = '{key}'")}


def _diagnostic(project: DbtProject, tmp_path: Path) -> None:
    project.assert_build_ok()
    html = _page(project, tmp_path, "diagnostic", "--metric", "success_rate")
    assert html.name == "diagnostic-success_rate.html"
    look = _look(html)
    _assert_clean(look, html)
    assert check_marks(look, _fetcher(project)) == []
    segment_types = _segment_types(project, "success_rate")
    assert segment_types == {"overall", "workflow", "model_version", "prompt_version", "feature_flag_state"}
    for segment_type in segment_types:
        assert f"By {segment_type.replace('_', ' ')}" in look.text
    assert {m["mart"] for m in look.marks} == {"ops_metrics"}
    assert all('"metric_key": "success_rate"' in m["key"] and '"period_grain": "week"' in m["key"]
               for m in look.marks)
    assert "has no segments" not in look.text


def test_report_diagnostic_duckdb(duckdb_project: DbtProject, tmp_path: Path) -> None:
    _diagnostic(duckdb_project, tmp_path)


@pytest.mark.postgres
def test_report_diagnostic_postgres(postgres_project: DbtProject, tmp_path: Path) -> None:
    _diagnostic(postgres_project, tmp_path)


def test_report_diagnostic_metric_without_segments(duckdb_project: DbtProject, tmp_path: Path) -> None:
    """escalation_rate has only its overall series (metric_catalog): the page says so and shows it."""
    duckdb_project.assert_build_ok()
    assert _segment_types(duckdb_project, "escalation_rate") == {"overall"}
    html = _page(duckdb_project, tmp_path, "diagnostic", "--metric", "escalation_rate", "--no-pdf")
    look = _look(html)
    assert look.console_errors == [] and unmarked_numbers(look) == []
    assert "escalation_rate has no segments: only its overall series is shown." in look.text
    assert "By overall" in look.text and "By workflow" not in look.text
    assert check_marks(look, _fetcher(duckdb_project)) == []
    assert len(look.marks) == 8  # the last 8 weeks, one overall row each


def test_report_diagnostic_unknown_metric(duckdb_project: DbtProject, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown key fails with exit 1, names the key and lists the keys there are; no page written."""
    duckdb_project.assert_build_ok()
    args = ["report", "diagnostic", "--metric", "succes_rate", "--target", "duckdb", "--schema",
            duckdb_project.schema, "--duckdb-path", str(duckdb_project.duckdb_path), "--out", str(tmp_path)]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "unknown metric key 'succes_rate'" in err
    assert "success_rate" in err.split("has", 1)[1]
    assert list(tmp_path.glob("*.html")) == []
