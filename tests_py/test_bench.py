"""The benchmark tooling (issue 5): a tiny run's report, the floor query, the increment.

No timing is asserted anywhere: the figures are the benchmark's output, not a test.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.compute as pc
import pytest

from ai_ops_tools import bench
from ai_ops_tools.generator import GenConfig, generate

TINY_EVENTS = 20_000


@pytest.fixture(scope="module")
def tiny_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path, Path]:
    """One benchmark run at 20,000 events on DuckDB (no incremental step: it doubles the time)."""
    work = tmp_path_factory.mktemp("bench")
    cfg = bench.BenchConfig(
        sizes=[TINY_EVENTS], target="duckdb", out=work / "benchmarks.md", json_path=work / "benchmarks.json",
        skip_incremental=True, workdir=work / "work", schema="bench_pytest", keep=True, progress=False,
        command="pytest tests_py/test_bench.py",
    )
    report = bench.run_benchmark(cfg)
    return report, work, work / "work" / f"duckdb_{TINY_EVENTS}" / "bench.duckdb"


@pytest.mark.slow
def test_tiny_run_writes_the_report_structure(tiny_report: tuple[dict[str, Any], Path, Path]) -> None:
    report, work, _ = tiny_report
    on_disk = json.loads((work / "benchmarks.json").read_text())
    assert on_disk["schema_version"] == 1 and on_disk["target"] == "duckdb"
    for key in ("cores", "ram_bytes", "cpu_model", "os", "python", "dbt_core", "duckdb"):
        assert key in report["machine"], key
    [run] = report["runs"]
    assert run["events"] == TINY_EVENTS
    rep = run["repeats"][0]
    assert rep["raw_ai_events"] == TINY_EVENTS
    for key in ("generate_s", "write_parquet_s", "generator_s", "load_s"):
        assert rep[key] > 0, key
    build = rep["build"]
    assert build["success"], build["failed"]
    assert build["peak_rss_bytes"] > 50 * bench.MB  # dbt plus DuckDB in one process: never tiny
    assert 1 <= len(build["top"]) <= 10
    assert build["top"] == sorted(build["top"], key=lambda n: -n["execution_time_s"])
    assert "model" in build["by_type"] and build["n_nodes"] > 100
    # the scheduled build leaves the unit tests out; they run once on their own
    assert "unit_test" not in build["by_type"]
    unit = rep["unit_tests"]
    assert unit["success"], unit["failed"]
    assert set(unit["by_type"]) - {"operation"} == {"unit_test"}  # the run hooks run too
    assert unit["by_type"]["unit_test"]["n"] >= 50
    assert rep["floor"]["s"] > 0 and rep["floor"]["build_ratio"] > 0
    assert "incremental" not in rep
    s = run["summary"]
    assert s["build_s"] == build["wall_s"] and s["floor_ratio"] == rep["floor"]["build_ratio"]
    assert report["growth"][0]["build_s_per_million"] == pytest.approx(s["build_s"] / (TINY_EVENTS / 1e6), rel=1e-3)
    assert {g["goal"].split(":")[0] for g in report["goals"]} >= {"10 M events"}

    md = (work / "benchmarks.md").read_text()
    for heading in ("# Benchmarks (issue 5)", "## Goals", "## Machine", f"## {TINY_EVENTS:,} events",
                    "## Growth with data volume"):
        assert heading in md, heading
    assert "| **dbt build (full)** |" in md and "| floor query |" in md
    assert "weekly figures equal ops_metrics" in md


@pytest.mark.slow
def test_floor_equals_the_overall_weekly_rows_of_ops_metrics(tiny_report: tuple[dict[str, Any], Path, Path]) -> None:
    """The floor recomputes, from raw JSON, what ops_metrics publishes for the same weeks.

    Equality holds on the planted bad rows too (quarantine and dedupe rules are applied in the
    floor); only float sums get a relative tolerance of 1e-9, because DuckDB's parallel
    aggregation adds in a different order each time.
    """
    import duckdb

    report, _, path = tiny_report
    floor_s, weekly = bench.run_floor(path, "bench_pytest_raw")
    assert floor_s > 0
    # a second run of the floor gives the same weeks; float sums may differ in the last bits
    first = report["runs"][0]["repeats"][0]["floor"]["weekly"]
    assert [r["week_start"] for r in weekly] == [r["week_start"] for r in first]
    for again, before in zip(weekly, first, strict=True):
        for key, value in before.items():
            assert again[key] == (value if value is None or isinstance(value, str) else pytest.approx(value, rel=1e-9))
    con = duckdb.connect(str(path), read_only=True)
    try:
        marts = bench.marts_weekly_overall(lambda sql, params=None: con.execute(sql, params or []).fetchall(),
                                           "bench_pytest_marts")
    finally:
        con.close()
    assert len(weekly) >= 10
    for row in weekly:
        week = marts[row["week_start"]]
        for key in ("p95_latency_ms", "success_rate", "ai_cost_usd", "conversation_completion_rate"):
            if row[key] is None:
                assert week.get(key) is None, (row["week_start"], key)
            else:
                assert week[key] == pytest.approx(row[key], rel=1e-9), (row["week_start"], key)
    # every week ops_metrics has a value for these metrics is a week the floor has too
    floor_weeks = {r["week_start"] for r in weekly}
    assert {w for w, v in marts.items() if v.get("ai_cost_usd") is not None} <= floor_weeks
    comparison = report["runs"][0]["repeats"][0]["floor"]["matches_marts"]
    assert all(not v["mismatches"] and v["weeks_compared"] > 0 for v in comparison.values())


def test_increment_appends_new_late_and_duplicate_rows() -> None:
    data = generate(GenConfig(seed=7, events=20_000, progress=False))
    events = data.tables["ai_events"]
    rows, counts = bench.make_increment(events, np.random.default_rng(1), 0.01, 0.1, 0.05)
    assert counts["total"] == rows.num_rows == counts["new"] + counts["late"] + counts["duplicates"]
    assert counts["new"] + counts["late"] == 200 and counts["late"] == 20 and counts["duplicates"] == 10
    assert rows.schema == events.schema
    max_loaded = pc.max(events["loaded_at"]).as_py()
    assert pc.min(rows["loaded_at"]).as_py() > max_loaded  # everything arrives in the new load
    ids = rows["event_id"].to_pylist()
    new, late = ids[:counts["new"]], ids[counts["new"]:counts["new"] + counts["late"]]
    dups = ids[-counts["duplicates"]:]
    assert all(i.startswith("inc-") for i in new) and all(i.startswith("late-") for i in late)
    old_ids = set(events["event_id"].to_pylist())
    assert set(dups) <= old_ids and not (set(new) | set(late)) & old_ids
    late_rows = rows.slice(counts["new"], counts["late"])
    lateness = pc.subtract(late_rows["loaded_at"], late_rows["occurred_at"]).to_pylist()
    assert min(d.days for d in lateness) >= 14
    assert set(late_rows["conversation_id"].to_pylist()) <= set(events["conversation_id"].to_pylist())
    # the default window: they occurred 2 to 6 weeks before the newest on-time event
    on_time_end = max(row["occurred_at"] for row in events.to_pylist()
                      if None not in (row["event_id"], row["conversation_id"], row["occurred_at"], row["loaded_at"])
                      and row["loaded_at"] - row["occurred_at"] <= timedelta(days=1))
    ages = [on_time_end - t for t in late_rows["occurred_at"].to_pylist()]
    assert all(timedelta(weeks=2) <= age <= timedelta(weeks=6) for age in ages)
    # new conversations occur around the newest load, not back in the calendar
    new_rows = rows.slice(0, counts["new"])
    assert (max_loaded - pc.min(new_rows["occurred_at"]).as_py()).days <= 30


def test_increment_late_events_can_come_from_the_whole_history() -> None:
    data = generate(GenConfig(seed=7, events=20_000, progress=False))
    events = data.tables["ai_events"]
    max_loaded = pc.max(events["loaded_at"]).as_py()
    rows, counts = bench.make_increment(events, np.random.default_rng(1), 0.05, 0.2, 0.05, late_weeks=None)
    late_rows = rows.slice(counts["new"], counts["late"])
    ages = [max_loaded - t for t in late_rows["occurred_at"].to_pylist()]
    assert counts["late"] == 200 and min(ages) >= timedelta(weeks=2)
    # spread over the history: some are older than the default window reaches
    assert max(ages) > timedelta(weeks=6)


def test_increment_watermark_cases_land_at_and_before_the_newest_load() -> None:
    """Issue 11's loads: ties at exactly the newest loaded_at already in raw, backfills ten days before it."""
    data = generate(GenConfig(seed=7, events=5_000, progress=False))
    events = data.tables["ai_events"]
    max_loaded = pc.max(events["loaded_at"]).as_py()
    rows, counts = bench.make_increment(events, np.random.default_rng(3), watermark_cases=4)
    assert counts["ties"] == counts["backfills"] == 4
    assert counts["total"] == rows.num_rows == sum(v for k, v in counts.items() if k != "total")
    by_id = {r["event_id"]: r for r in rows.to_pylist()}
    ties = [r for i, r in by_id.items() if i.startswith("tie-")]
    backfills = [r for i, r in by_id.items() if i.startswith("backfill-")]
    assert len(ties) == len(backfills) == 4
    assert {r["loaded_at"] for r in ties} == {max_loaded}
    assert {r["loaded_at"] for r in backfills} == {max_loaded - timedelta(days=10)}
    for r in ties + backfills:
        assert r["occurred_at"] <= r["loaded_at"] - timedelta(hours=1)
    # copies of existing events under new ids, in existing conversations
    originals = {r["event_id"]: r for r in events.to_pylist()}
    for event_id, r in by_id.items():
        if event_id.startswith(("tie-", "backfill-")):
            source = originals[event_id.split("-", 1)[1]]
            assert (r["conversation_id"], r["occurred_at"], r["properties"]) == (
                source["conversation_id"], source["occurred_at"], source["properties"])
    # without them (the default) nothing lands at or before the newest load
    rows0, counts0 = bench.make_increment(events, np.random.default_rng(3))
    assert "ties" not in counts0 and pc.min(rows0["loaded_at"]).as_py() > max_loaded


def test_compare_marts_ignores_the_run_times_and_counts_real_differences(tmp_path: Path) -> None:
    """DuckDB: snapshot the marts, change them as a rebuild would (and one value more), compare."""
    import duckdb

    wh = bench.Warehouse("duckdb", "bench_cmp", "bench_cmp_raw", tmp_path, tmp_path / "bench.duckdb")
    con = duckdb.connect(str(wh.duckdb_path))
    try:
        con.execute("create schema bench_cmp_marts")
        con.execute("create table bench_cmp_marts.fct (conversation_id text, cost_usd double, "
                    "max_processed_at timestamp)")
        con.execute("insert into bench_cmp_marts.fct values ('c1', 0.1, '2026-01-05 10:00'), "
                    "('c2', 0.2, '2026-01-05 10:00'), ('c3', 0.3, '2026-01-05 10:00')")
    finally:
        con.close()
    assert bench.snapshot_marts(wh, "bench_cmp_copy") == ["fct"]
    con = duckdb.connect(str(wh.duckdb_path))
    try:
        # a full refresh writes its own run time everywhere; c3's cost moves by 1e-6 relative
        con.execute("update bench_cmp_marts.fct set max_processed_at = timestamp '2026-01-06 11:00'")
        con.execute("update bench_cmp_marts.fct set cost_usd = 0.3000003 where conversation_id = 'c3'")
    finally:
        con.close()
    diff = bench.compare_marts(wh, "bench_cmp_copy", ["fct"])
    assert diff == {"fct": {"rows": 3, "only_incremental": 1, "only_full_refresh": 1,
                            "exact_only_incremental": 1, "exact_only_full_refresh": 1}}


def test_peak_rss_sampler_sees_a_child_process() -> None:
    code = "import time; x = bytearray(150 * 1024 * 1024); time.sleep(1.0)"
    proc = subprocess.Popen([sys.executable, "-c", code])
    with bench.PeakRssSampler(proc.pid, interval=0.05) as sampler:
        proc.wait()
    assert sampler.peak >= 150 * bench.MB
    assert sampler.samples >= 3


def test_report_renders_a_growth_curve_over_several_sizes() -> None:
    def run(events: int, build_s: float) -> dict[str, Any]:
        summary = {k: None for k in bench.HEADLINE} | {"build_s": build_s, "build_success": True,
                                                      "marts_identical": None, "build_peak_rss_mb": 100.0}
        return {"events": events, "summary": summary}

    rows = bench.growth([run(1_000_000, 30.0), run(10_000_000, 600.0)])
    assert [r["build_s_per_million"] for r in rows] == [30.0, 60.0]
    assert "faster than linearly" in bench.linearity(rows)
    assert "about linearly" in bench.linearity(bench.growth([run(1_000_000, 30.0), run(3_000_000, 93.0)]))
    chart = bench.bar_chart([("1,000,000", 30.0), ("10,000,000", 60.0)], width=10)
    assert chart.splitlines()[1].count("#") == 10 and chart.splitlines()[0].count("#") == 5
