"""`ai-ops report leadership` looked at as a person would: headless Chromium opens the page,
no console error or failed request, a screenshot is saved, the PDF is one page, and every
number shown is the mart value it names (DuckDB and Postgres). Also a month without data
and a warehouse whose scorecard holds a single initiative.

Screenshots and PDFs land in the pytest temp folder and, when AI_OPS_REPORT_ARTIFACTS is
set, are copied there (CI keeps them)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from ai_ops_tools.cli import main
from ai_ops_tools.dbt_run import env_overrides
from conftest import DbtProject
from report_browser import PageLook, check_marks, open_page, save_artifact, unmarked_numbers

RECOMMENDATIONS = {"expand", "adjust", "hold", "wind_down"}
SECTIONS = ("Initiatives against their outcome contracts", "System and adoption", "Cost and return", "Evidence")


def _report(project: DbtProject, out: Path, *extra: str, duckdb_path: Path | None = None) -> Path:
    args = ["report", "leadership", "--target", project.target, "--schema", project.schema, "--out", str(out), *extra]
    if project.target == "duckdb":
        args += ["--duckdb-path", str(duckdb_path or project.duckdb_path)]
    env = {"AI_OPS_PG_HOST": project.pg.host, "AI_OPS_PG_PORT": str(project.pg.port)} if project.pg else {}
    with env_overrides(env):
        assert main(args) == 0
    htmls = sorted(out.glob("leadership-*.html"))
    assert len(htmls) == 1, htmls
    return htmls[0]


def _fetcher(project: DbtProject, duckdb_path: Path | None = None) -> Any:
    def fetch(mart: str, column: str, key: dict[str, str]) -> list[Any]:
        where = " and ".join(f'"{k}" = {project.placeholder}' for k in key)
        sql = f'select "{column}" from {project.relation(mart)} where {where}'
        if duckdb_path is not None:
            import duckdb

            con = duckdb.connect(str(duckdb_path))
            try:
                return [r[0] for r in con.execute(sql, list(key.values())).fetchall()]
            finally:
                con.close()
        return [r[0] for r in project.query(sql, list(key.values()))]
    return fetch


def _pdf_pages(pdf: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(str(pdf)).pages)


def _look(html: Path) -> PageLook:
    look = open_page(html, html.with_suffix(".png"))
    folder = os.environ.get("AI_OPS_REPORT_ARTIFACTS")
    if folder:
        for path in (html, html.with_suffix(".png"), html.with_suffix(".pdf")):
            if path.exists():
                save_artifact(path, Path(folder))
    return look


def _assert_page_is_clean(look: PageLook, html: Path) -> None:
    assert look.console_errors == [], look.console_errors
    assert look.failed_requests == [], look.failed_requests
    assert look.screenshot is not None and look.screenshot.stat().st_size > 10_000
    assert unmarked_numbers(look) == [], f"numbers without a data-mart source: {unmarked_numbers(look)}"
    assert _pdf_pages(html.with_suffix(".pdf")) == 1
    for section in SECTIONS:
        assert section in look.text


def _full_report(project: DbtProject, tmp_path: Path) -> None:
    project.assert_build_ok()
    html = _report(project, tmp_path)
    look = _look(html)
    _assert_page_is_clean(look, html)
    assert check_marks(look, _fetcher(project)) == []
    marts = {m["mart"] for m in look.marks}
    assert marts == {"initiative_scorecard", "ops_metrics", "ai_adoption_weekly", "roi_monthly",
                     "experiment_comparison"}, marts
    # the headline shows one row per contract with a review period in the month, each with its reason
    month = html.stem.removeprefix("leadership-") + "-01"
    expected = project.query(
        f"select count(distinct initiative_id || metric_key || segment_type || segment_value) "
        f"from {project.relation('initiative_scorecard')} where cast(period_start as date) >= cast('{month}' as date) "
        f"and cast(period_start as date) < cast('{month}' as date) + interval '1 month'")[0][0]
    rows = {m["key"] for m in look.marks if m["mart"] == "initiative_scorecard"}
    assert len(rows) == expected > 0
    # each headline row says what to do, in the rule's words
    assert sum(look.text.count(w) for w in ("Expand", "Adjust", "Hold", "Wind down")) >= expected


def test_report_leadership_duckdb(duckdb_project: DbtProject, tmp_path: Path) -> None:
    _full_report(duckdb_project, tmp_path)


@pytest.mark.postgres
def test_report_leadership_postgres(postgres_project: DbtProject, tmp_path: Path) -> None:
    _full_report(postgres_project, tmp_path)


def test_report_leadership_month_without_data(duckdb_project: DbtProject, tmp_path: Path) -> None:
    """A month before any data: every section says so in words, nothing is made up, still one page."""
    duckdb_project.assert_build_ok()
    html = _report(duckdb_project, tmp_path, "--month", "2020-01")
    assert html.name == "leadership-2020-01.html"
    look = _look(html)
    _assert_page_is_clean(look, html)
    assert "No initiative has a review period in January 2020" in look.text
    assert "No ops_metrics rows for January 2020" in look.text
    assert "No cost or savings figures for January 2020" in look.text
    # the evidence covers the whole post-launch period, not a month: it stays, and is checked
    assert {m["mart"] for m in look.marks} == {"experiment_comparison"}
    assert check_marks(look, _fetcher(duckdb_project)) == []


def test_report_leadership_single_initiative(duckdb_project: DbtProject, tmp_path: Path) -> None:
    """A warehouse whose scorecard holds one initiative: one headline row, numbers still traced."""
    duckdb_project.assert_build_ok()
    assert duckdb_project.duckdb_path is not None
    copy = tmp_path / "one_initiative.duckdb"
    # the session's dbt may still hold the file open: its write-ahead log belongs to the copy too
    for suffix in ("", ".wal"):
        source = Path(f"{duckdb_project.duckdb_path}{suffix}")
        if source.exists():
            shutil.copy(source, Path(f"{copy}{suffix}"))
    import duckdb

    con = duckdb.connect(str(copy))
    scorecard = duckdb_project.relation("initiative_scorecard")
    keep = con.execute(f"select min(initiative_id) from {scorecard} where metric_key = 'success_rate'").fetchone()
    assert keep is not None and keep[0] is not None
    con.execute(f"delete from {scorecard} where initiative_id <> ?", [keep[0]])
    con.close()
    html = _report(duckdb_project, tmp_path / "out", "--month", "2026-06", duckdb_path=copy)
    look = _look(html)
    _assert_page_is_clean(look, html)
    shown = {m["key"] for m in look.marks if m["mart"] == "initiative_scorecard"}
    assert len(shown) == 1 and keep[0] in next(iter(shown))
    assert check_marks(look, _fetcher(duckdb_project, duckdb_path=copy)) == []
