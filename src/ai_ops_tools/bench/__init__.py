"""Issue 5's benchmark: how long the pipeline takes, and how it grows with data volume.

For each size (raw ``ai_events`` rows) one repeat does, on a fresh warehouse:

1. generate the demo data and write it as parquet (the generator goal),
2. load the raw tables from the parquet files,
3. ``dbt seed`` and the scheduled ``dbt build`` (full; every model, snapshot and
   data test, unit tests excluded: they check SQL on fixed fixtures and run in CI),
   each in a subprocess whose process tree's peak RSS is sampled (dbt-duckdb runs
   DuckDB inside the dbt process), plus dbt's per-node timings from
   ``run_results.json``; then the unit tests on their own,
4. the *floor*: one hand-written DuckDB query that parses the JSON once and
   computes the weekly p95 latency, success rate, AI cost and conversation
   completion rate over the same raw table; the build / floor ratio,
5. unless ``--skip-incremental``: appends 1 % new events (0.1 % of those late by
   2 to 6 weeks, ``--late-weeks``; 0.5 % exact duplicates of existing rows), runs
   ``dbt build`` again (the incremental run), times the data tests alone on the
   same data, then runs ``dbt build --full-refresh`` on the same data and compares
   every mart row of the two.

It writes the figures as JSON and a Markdown report. Timings are reported,
never asserted.

``--target spark`` (issue 17) runs the same steps on a local Spark: the load and the append in a
subprocess each (the Derby metastore admits one process at a time), ``dbt run`` instead of the
build (the models only), no unit tests, data tests or floor query (reasons in the report), and
the marts compared from their Parquet folders (``spark``).

The package, by concern: ``config`` (settings, goals), ``process`` (peak RSS), ``warehouse``
(dbt in a subprocess), ``floor`` (the floor query), ``increment`` (the appended rows),
``compare`` (incremental vs full refresh), ``spark`` (the Spark target's load, append and
comparison), ``summary`` (medians, growth, goals), ``report``
(Markdown), ``run`` (one size, the whole benchmark).
"""

from __future__ import annotations

from ai_ops_tools.bench.compare import FLOAT_REL_TOL, compare_marts, snapshot_marts, unmatched_rows
from ai_ops_tools.bench.config import (
    BUILD_ARGS,
    DATA_TEST_ARGS,
    DEFAULT_LATE_WEEKS,
    FLOOR_METRICS,
    MB,
    UNIT_TEST_ARGS,
    BenchConfig,
)
from ai_ops_tools.bench.floor import FLOOR_COLUMNS, compare_floor_with_marts, floor_sql, marts_weekly_overall, run_floor
from ai_ops_tools.bench.increment import append_events, make_increment
from ai_ops_tools.bench.process import PeakRssSampler, tree_rss
from ai_ops_tools.bench.report import bar_chart, late_events_text, render_markdown
from ai_ops_tools.bench.run import run_benchmark, run_one
from ai_ops_tools.bench.summary import HEADLINE, goals, growth, linearity, machine_info, summarize
from ai_ops_tools.bench.warehouse import DbtRun, Warehouse, incremental_models, node_timings, summarize_dbt

__all__ = [
    "BUILD_ARGS", "DATA_TEST_ARGS", "DEFAULT_LATE_WEEKS", "FLOAT_REL_TOL", "FLOOR_COLUMNS", "FLOOR_METRICS",
    "HEADLINE", "MB", "UNIT_TEST_ARGS", "BenchConfig", "DbtRun", "PeakRssSampler", "Warehouse", "append_events",
    "bar_chart", "compare_floor_with_marts", "compare_marts", "floor_sql", "goals", "growth", "incremental_models",
    "late_events_text", "linearity", "machine_info", "make_increment", "marts_weekly_overall", "node_timings",
    "render_markdown", "run_benchmark", "run_floor", "run_one", "snapshot_marts", "summarize", "summarize_dbt",
    "tree_rss", "unmatched_rows",
]
