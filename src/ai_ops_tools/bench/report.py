"""The Markdown report of a benchmark."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ai_ops_tools.bench.compare import FLOAT_REL_TOL
from ai_ops_tools.bench.config import SPARK_BUILD_NOTE, SPARK_FLOOR_NOTE
from ai_ops_tools.bench.summary import get_path, linearity


def _yes(v: bool | None) -> str:
    return "n/a" if v is None else ("yes" if v else "**no**")


def _num(v: Any, fmt: str = "{:.1f}") -> str:
    return "–" if v is None else fmt.format(v)


def _percent(ratio: float | None) -> str:
    """A ratio as a whole percentage, "–" when not measured."""
    return _num(None if ratio is None else 100 * ratio, "{:.0f}")


def bar_chart(rows: list[tuple[str, float]], width: int = 40) -> str:
    if not rows:
        return ""
    top = max(v for _, v in rows) or 1.0
    label_w = max(len(lbl) for lbl, _ in rows)
    return "\n".join(f"{lbl.rjust(label_w)} | {'#' * max(1, round(width * v / top))} {v:.2f}" for lbl, v in rows)


def late_events_text(late_weeks: Sequence[int] | None) -> str:
    """How the report describes the late events of the increment."""
    if late_weeks:
        return (f"copies of events that occurred {late_weeks[0]} to {late_weeks[1]} weeks before the end of "
                "the on-time history (the newest event loaded within a day of occurring), so they arrive weeks "
                "late and touch the last few weeks and months (`--late-weeks`)")
    return ("drawn from the whole history (`--late-weeks all`), so they touch nearly every week and month: "
            "the worst case for the period refresh of `int_metrics__ai_events`")


def _header(report: dict[str, Any]) -> list[str]:
    sizes = ", ".join(f"{r['events']:,}" for r in report["runs"])
    spark = report["target"] == "spark"
    title = "# Benchmarks on a local Spark (issues 5 and 17)" if spark else "# Benchmarks (issue 5)"
    lines = [
        title,
        "",
        f"Written by `{report['command']}` on {report['generated_at']} (UTC). Target: **{report['target']}**, "
        f"sizes: {sizes}, repeats: {report['repeats']} "
        "(figures are medians over the repeats; peak memory is the maximum). Figures are reported, never "
        "asserted by tests; the JSON next to this file holds every figure and the floor's weekly rows.",
        "",
        "## Goals",
        "",
        "| goal | measured | met |",
        "|---|---|---|",
    ]
    for g in report["goals"]:
        note = f" ({g['note']})" if g["note"] else ""
        lines.append(f"| {g['goal']} | {g['measured']}{note} | {_yes(g['met'])} |")
    return lines


def _machine(m: dict[str, Any], target: str) -> list[str]:
    spark = ([f"- pyspark {m.get('pyspark')}, dbt-spark {m.get('dbt_spark')}, Spark driver memory "
              f"{m.get('spark_driver_memory')}, `local[{m['dbt_threads']}]` (the profile's spark target)"]
             if target == "spark" else [])
    return [
        "",
        "## Machine",
        "",
        f"- CPU: {m['cpu_model']}, {m['cores']} cores ({m['usable_cores']} usable)",
        f"- RAM: {m['ram_gb']} GB; OS: {m['os']}",
        f"- Python {m['python']}, dbt-core {m['dbt_core']}, dbt-duckdb {m['dbt_duckdb']}, "
        f"dbt-postgres {m['dbt_postgres']}, DuckDB {m['duckdb']}, pyarrow {m['pyarrow']}",
        f"- DuckDB memory_limit {m['duckdb_memory_limit']}, dbt threads {m['dbt_threads']}",
        f"- load average at start: {', '.join(f'{x:.2f}' for x in m['load_avg_at_start'])} "
        "(the machine is shared: other jobs may have run during the benchmark)",
        *spark,
    ]


def _increment_text(config: dict[str, Any]) -> str:
    """The increment, as the report describes it."""
    ties = config.get("watermark_cases") or 0
    hard = (f"; plus issue 11's loads at or before the watermark: {ties} *ties* (copies of events under new "
            f"ids, loaded at exactly the newest `loaded_at` in raw) and {ties} *backfills* (loaded ten days "
            "before it)" if ties else "")
    return ("1 % new events are appended to raw `ai_events` (new conversations loaded after "
            "the newest load; 0.1 % of them are new events of old conversations, "
            + late_events_text(config.get("late_weeks")) + "; 0.5 % are exact re-sends of existing rows, "
            "redelivered with a later `loaded_at`" + hard + ")")


_MEASURED_HEAD = ["", "## What is measured", "",
                  "- **generator**: `generate()` plus writing one parquet file per raw table (zstd)."]


def _what_is_measured_spark(config: dict[str, Any]) -> list[str]:
    return [
        *_MEASURED_HEAD,
        "- **load**: a subprocess opens a local Spark session with the profile's spark target settings and "
        "creates every raw table as a Parquet table from the generator's files (`spark_loader`); its wall "
        "time includes the JVM's start and the Derby metastore, its peak RSS is that of the process tree "
        "(Python and the JVM). The Derby metastore admits one process at a time, so the load exits before "
        "dbt starts.",
        "- **dbt seed** and **dbt run**: wall time of the `dbt` process on the `spark` target (dbt-spark's "
        "session method: Spark runs in a JVM child of the dbt process; peak RSS of the whole tree sampled "
        "every 0.1 s). " + SPARK_BUILD_NOTE[0].upper() + SPARK_BUILD_NOTE[1:] + ".",
        "- **floor**: " + SPARK_FLOOR_NOTE + ".",
        "- **after append**: " + _increment_text(config) + ", appended by a subprocess (`insert into`), "
        "then `dbt run` again; then `dbt run --full-refresh` on the same data, and every mart table's "
        "Parquet folder, copied after the incremental run, is compared with the full refresh's, both read "
        "by DuckDB (EXCEPT ALL both ways on every column but the run-time watermarks `processed_at`, "
        "`max_processed_at`, `inputs_max_processed_at`; rows that differ only in float columns by at most "
        "1e-9 relative count as equal).",
        "",
    ]


def _what_is_measured(config: dict[str, Any]) -> list[str]:
    return [
        *_MEASURED_HEAD,
        "- **load**: DuckDB reads the parquet files into the raw schema (Postgres: COPY).",
        "- **dbt seed** and **dbt build**: wall time of the `dbt` process (start-up, parsing, hooks, "
        "models, snapshots and data tests), peak RSS of its process tree sampled every 0.1 s (DuckDB runs "
        "inside it). The build is the scheduled one, `dbt build --exclude-resource-type unit_test`: unit "
        "tests check the SQL on fixed fixtures, not the data, so they run in CI (and are timed here on "
        "their own, `dbt test --select test_type:unit`), as dbt's documentation advises.",
        "- **floor**: one hand-written DuckDB query on the raw `ai_events` that parses the JSON once and "
        "computes weekly p95 latency, success rate, AI cost and conversation completion rate, applying the "
        "quarantine and dedupe rules that move those figures (`floor_sql` in `src/ai_ops_tools/bench/floor.py`); "
        "ratio = dbt build / floor. Its weekly figures are compared with the overall week rows of "
        "`ops_metrics`.",
        "- **after append**: " + _increment_text(config) + ", then `dbt build` runs again; then the data tests alone "
        "(`dbt test --exclude-resource-type unit_test`: the share of every scheduled run that reads whole "
        "tables); then `dbt build --full-refresh` "
        "on the same data, and every mart table is compared row by row (EXCEPT ALL both ways on every column "
        "but the run-time watermarks `processed_at`, `max_processed_at`, `inputs_max_processed_at`; rows that "
        "differ only in float columns by at most 1e-9 relative count as equal, since parallel float sums "
        "differ in the last bits between two builds of the same data).",
        "",
    ]


def _unit_test_row(s: dict[str, Any], u: dict[str, Any]) -> str:
    if "skipped" in u:
        return f"| dbt unit tests | – | – | not run: {u['skipped']} |"
    return (f"| dbt unit tests (CI; not part of the scheduled build) | {_num(s['unit_tests_s'])} | "
            f"{_num(u.get('peak_rss_mb'), '{:.0f}')} | {u.get('n_nodes', 0)} unit tests, "
            f"{'ok' if u.get('success') else 'FAILED'}; data-independent |")


def _build_command(first: dict[str, Any]) -> str:
    """The scheduled build's command: `dbt run` on Spark (its load ran in a process of its own), else `dbt build`."""
    return "dbt run" if first.get("load_process") else "dbt build"


def _build_rows(s: dict[str, Any], first: dict[str, Any]) -> list[str]:
    """The table rows of the generator, the load, dbt seed, the full build and the unit tests."""
    b = first["build"]
    build_note = "ok" if s["build_success"] else "FAILED: " + ", ".join(b["failed"][:5])
    load = first.get("load_process")
    load_note = " a Spark subprocess: JVM start, Derby metastore, one Parquet table per raw table" if load else ""
    label = "dbt run (full; models only)" if load else "dbt build (full)"
    return [
        f"| generator (generate + write parquet) | {_num(s['generator_s'])} | – | "
        f"generate {_num(s['generate_s'])} s, write {_num(s['write_parquet_s'])} s; "
        f"{first['raw_ai_events']:,} raw ai_events rows |",
        f"| load raw tables | {_num(s['load_s'])} | {_num(get_path(first, 'load_process.peak_rss_mb'), '{:.0f}')} |"
        f"{load_note} |",
        f"| dbt seed | {_num(s['seed_s'])} | {_num(get_path(first, 'seed.peak_rss_mb'), '{:.0f}')} | |",
        f"| **{label}** | **{_num(s['build_s'])}** | {_num(s['build_peak_rss_mb'], '{:.0f}')} | "
        f"{b['n_nodes']} nodes, {build_note} |",
        _unit_test_row(s, first.get("unit_tests") or {}),
    ]


def _floor_row(s: dict[str, Any], fl: dict[str, Any]) -> str:
    match = fl.get("matches_marts") or {}
    if "error" in match:
        match_note = f"not compared: {match['error']}"
    elif match:
        bad = {k: len(v["mismatches"]) for k, v in match.items() if v["mismatches"]}
        match_note = ("weekly figures equal ops_metrics" if not bad
                      else "differs from ops_metrics: " + ", ".join(f"{k} {n} weeks" for k, n in bad.items()))
    else:
        match_note = fl.get("note", "")
    if s["floor_s"] is None:
        return f"| floor query | – | – | {match_note} |"
    return (f"| floor query | {_num(s['floor_s'], '{:.2f}')} | – | build / floor = "
            f"**{_num(s['floor_ratio'], '{:.1f}')}x**; {match_note} |")


def _full_refresh_row(s: dict[str, Any], first: dict[str, Any], inc: dict[str, Any]) -> str:
    diff = {k: v for k, v in inc["marts_compared"].items() if v["only_incremental"] or v["only_full_refresh"]}
    n_exact = sum(v["exact_only_incremental"] for v in inc["marts_compared"].values())
    same = (f"marts identical to the full refresh (floats within a relative {FLOAT_REL_TOL:g}; "
            f"{n_exact:,} rows differ in the last bits)" if inc["marts_identical"]
            else "marts differ: " + ", ".join(
                f"{k} (+{v['only_incremental']}/-{v['only_full_refresh']} rows)" for k, v in diff.items()))
    if inc.get("compare_error"):
        same = f"marts not compared: {inc['compare_error']}"
    return (f"| {_build_command(first)} --full-refresh (same data) | {_num(s['full_refresh_s'])} | "
            f"{_num(get_path(first, 'incremental.full_refresh.peak_rss_mb'), '{:.0f}')} | {same} |")


def _incremental_rows(s: dict[str, Any], first: dict[str, Any], inc: dict[str, Any]) -> list[str]:
    a = inc["appended"]
    kind = ("incremental models: " + ", ".join(first["incremental_models"])
            if inc["is_incremental"] else "no incremental model yet: a full rebuild")
    hard = f", {a['ties']:,} ties, {a['backfills']:,} backfills" if "ties" in a else ""
    lines = [
        f"| append to raw ai_events | {_num(inc['append_s'], '{:.2f}')} | "
        f"{_num(get_path(inc, 'append_process.peak_rss_mb'), '{:.0f}')} | {a['new']:,} new, "
        f"{a['late']:,} late, {a['duplicates']:,} duplicates{hard} |",
        f"| **{_build_command(first)} after append** | **{_num(s['incremental_build_s'])}** | "
        f"{_num(s['incremental_peak_rss_mb'], '{:.0f}')} | {_percent(s['incremental_ratio'])} % "
        f"of the full build; {kind} |",
    ]
    if "data_tests" in inc:
        lines.append(f"| dbt data tests alone (same data, `dbt test --exclude-resource-type unit_test`) | "
                     f"{_num(s['data_tests_s'])} | "
                     f"{_num(get_path(first, 'incremental.data_tests.peak_rss_mb'), '{:.0f}')} | "
                     f"{_percent(s['data_tests_ratio'])} % "
                     "of the full build: every scheduled run tests whole tables, however few rows are new |")
    if "full_refresh" in inc:
        lines.append(_full_refresh_row(s, first, inc))
    return lines


def _node_rows(nodes: list[dict[str, Any]]) -> list[str]:
    return ["| node | type | materialized | s |", "|---|---|---|---:|"] + [
        f"| {n['name']} | {n['resource_type']} | {n['materialized']} | {n['execution_time_s']:.2f} |"
        for n in nodes]


def _where_time_goes(b: dict[str, Any], inc: dict[str, Any] | None, dbt_threads: Any) -> list[str]:
    lines = ["", f"Where the full build's time goes (repeat 1; dbt's execution time per node, run with "
                 f"{dbt_threads} threads, so nodes overlap):", ""]
    lines.append("By resource type: " + ", ".join(
        f"{k} {v['n']} nodes {v['s']:.1f} s" for k, v in sorted(b["by_type"].items(), key=lambda kv: -kv[1]["s"]))
        + ".")
    lines += ["", *_node_rows(b["top"])]
    if inc:
        lines += ["", "Slowest nodes of the build after the append:", "", *_node_rows(inc["build"]["top"][:5])]
    return lines


def _size_section(run: dict[str, Any], dbt_threads: Any) -> list[str]:
    s = run["summary"]
    first = run["repeats"][0]
    lines = [f"## {run['events']:,} events", "", "| step | wall s | peak RSS MB | note |", "|---|---:|---:|---|"]
    lines += _build_rows(s, first)
    lines.append(_floor_row(s, first.get("floor", {})))
    inc = first.get("incremental")
    if inc:
        lines += _incremental_rows(s, first, inc)
    lines += _where_time_goes(first["build"], inc, dbt_threads)
    lines.append("")
    return lines


def _growth_section(g: list[dict[str, Any]]) -> list[str]:
    lines = ["## Growth with data volume", "", "Seconds per million raw events (peak RSS in MB):", "",
             "| events | generator | load | dbt build | floor | build after append | build peak RSS MB |",
             "|---:|---:|---:|---:|---:|---:|---:|"]
    for r in g:
        lines.append(f"| {r['events']:,} | {_num(r['generator_s_per_million'], '{:.2f}')} | "
                     f"{_num(r['load_s_per_million'], '{:.2f}')} | {_num(r['build_s_per_million'], '{:.2f}')} | "
                     f"{_num(r['floor_s_per_million'], '{:.2f}')} | "
                     f"{_num(r['incremental_build_s_per_million'], '{:.2f}')} | "
                     f"{_num(r['build_peak_rss_mb'], '{:.0f}')} |")
    chart = bar_chart([(f"{r['events']:,}", r["build_s_per_million"]) for r in g if r["build_s_per_million"]])
    return lines + ["", "dbt build, seconds per million events:", "", "```", chart, "```", "", linearity(g), ""]


def render_markdown(report: dict[str, Any]) -> str:
    m = report["machine"]
    spark = report["target"] == "spark"
    lines = (_header(report) + _machine(m, report["target"])
             + (_what_is_measured_spark if spark else _what_is_measured)(report["config"]))
    for run in report["runs"]:
        lines += _size_section(run, m["dbt_threads"])
    lines += _growth_section(report["growth"])
    if report.get("notes"):
        lines += ["## Notes", ""] + [f"- {n}" for n in report["notes"]] + [""]
    return "\n".join(lines)
