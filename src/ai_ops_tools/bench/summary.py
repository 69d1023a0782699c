"""Figures over repeats and sizes: medians, the machine, growth per million events, the goals."""

from __future__ import annotations

import contextlib
import os
import platform
import statistics
from pathlib import Path
from typing import Any

from ai_ops_tools.bench.config import (
    GOAL_BUILD_S_10M,
    GOAL_FLOOR_RATIO,
    GOAL_GENERATOR_S_10M,
    GOAL_INCREMENTAL_RATIO,
    GOAL_POSTGRES_BUILD_S_1M,
    GOAL_RSS_BYTES_10M,
    MB,
)


def get_path(d: dict[str, Any], path: str) -> Any:
    cur: Any = d
    for part in path.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return None
        cur = cur[part]
    return cur


HEADLINE = {
    "generator_s": "generator_s",
    "generate_s": "generate_s",
    "write_parquet_s": "write_parquet_s",
    "load_s": "load_s",
    "seed_s": "seed.wall_s",
    "build_s": "build.wall_s",
    "build_peak_rss_mb": "build.peak_rss_mb",
    "unit_tests_s": "unit_tests.wall_s",
    "floor_s": "floor.s",
    "floor_ratio": "floor.build_ratio",
    "incremental_build_s": "incremental.build.wall_s",
    "incremental_peak_rss_mb": "incremental.build.peak_rss_mb",
    "incremental_ratio": "incremental.ratio_to_full",
    "data_tests_s": "incremental.data_tests.wall_s",
    "data_tests_ratio": "incremental.data_tests_ratio_to_full",
    "full_refresh_s": "incremental.full_refresh.wall_s",
    "incremental_ratio_to_full_refresh": "incremental.ratio_to_full_refresh",
}


def summarize(repeats: list[dict[str, Any]]) -> dict[str, Any]:
    """Median of each headline figure over the repeats (max for peak RSS)."""
    out: dict[str, Any] = {}
    for name, path in HEADLINE.items():
        values = [v for v in (get_path(r, path) for r in repeats) if isinstance(v, int | float)]
        if not values:
            out[name] = None
        elif "rss" in name:
            out[name] = max(values)
        else:
            out[name] = round(statistics.median(values), 3)
    out["build_success"] = all(get_path(r, "build.success") for r in repeats)
    inc = [r["incremental"] for r in repeats if r.get("incremental")]
    identical = [i.get("marts_identical") for i in inc]
    out["marts_identical"] = None if not identical or None in identical else all(identical)
    return out


def machine_info() -> dict[str, Any]:
    import importlib.metadata as md

    def version(pkg: str) -> str | None:
        try:
            return md.version(pkg)
        except md.PackageNotFoundError:
            return None

    cpu = None
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = None
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = int(line.split()[1]) * 1024
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {
        "cores": os.cpu_count(), "usable_cores": affinity, "cpu_model": cpu,
        "ram_bytes": mem, "ram_gb": round(mem / 1024**3, 1) if mem else None,
        "os": platform.platform(), "python": platform.python_version(),
        "dbt_core": version("dbt-core"), "dbt_duckdb": version("dbt-duckdb"),
        "dbt_postgres": version("dbt-postgres"), "duckdb": version("duckdb"),
        "dbt_spark": version("dbt-spark"), "pyspark": version("pyspark"),
        "spark_driver_memory": os.environ.get("AI_OPS_SPARK_DRIVER_MEMORY", "2g (profile default)"),
        "pyarrow": version("pyarrow"), "numpy": version("numpy"),
        "duckdb_memory_limit": os.environ.get("AI_OPS_DUCKDB_MEMORY_LIMIT", "2GB (profile default)"),
        "dbt_threads": os.environ.get("AI_OPS_THREADS", "2 (profile default)"),
        "load_avg_at_start": list(os.getloadavg()),
    }


def growth(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for run in runs:
        s = run["summary"]
        millions = run["events"] / 1e6
        row = {"events": run["events"]}
        for key in ("generator_s", "load_s", "build_s", "floor_s", "incremental_build_s"):
            v = s.get(key)
            row[key.replace("_s", "_s_per_million")] = round(v / millions, 3) if v is not None else None
        row["build_peak_rss_mb"] = s.get("build_peak_rss_mb")
        rows.append(row)
    return rows


def linearity(rows: list[dict[str, Any]], key: str = "build_s_per_million") -> str:
    pts = [(r["events"], r[key]) for r in rows if r.get(key)]
    if len(pts) < 2:
        return "one size only: no growth curve yet (run `--sizes 1000000,3000000,10000000`)."
    (n0, c0), (n1, c1) = pts[0], pts[-1]
    change = c1 / c0
    scale = n1 / n0
    # the fixed part of a build (start-up, parsing, seeds, tests on small tables) makes the
    # cost per million fall with size; a per-million cost that rises means super-linear growth
    if change > 1.15:
        verdict = "grows faster than linearly"
    elif change < 0.85:
        verdict = "grows slower than linearly (the fixed start-up cost is amortised)"
    else:
        verdict = "grows about linearly"
    return (f"From {n0:,} to {n1:,} events ({scale:.1f}x) the cost per million events changed "
            f"{change:.2f}x: the build {verdict}.")


def goals(runs: list[dict[str, Any]], target: str) -> list[dict[str, Any]]:
    def at(n: int) -> dict[str, Any] | None:
        return next((r["summary"] for r in runs if r["events"] == n), None)

    s10, s1 = at(10_000_000), at(1_000_000)
    largest = max(runs, key=lambda r: r["events"]) if runs else None
    out = []

    def add(goal: str, value: Any, ok: bool | None, note: str = "") -> None:
        out.append({"goal": goal, "measured": value, "met": ok, "note": note})

    def fmt(v: Any, unit: str) -> str:
        return "not measured" if v is None else f"{v:g} {unit}"

    if target == "duckdb":
        b = (s10 or {}).get("build_s")
        add("10 M events: full dbt build <= 60 s (DuckDB)", fmt(b, "s"), None if b is None else b <= GOAL_BUILD_S_10M)
        m = (s10 or {}).get("build_peak_rss_mb")
        add("10 M events: peak memory <= 4 GB", fmt(m, "MB"), None if m is None else m * MB <= GOAL_RSS_BYTES_10M)
        g = (s10 or {}).get("generator_s")
        add("generator writes 10 M events in <= 60 s", fmt(g, "s"), None if g is None else g <= GOAL_GENERATOR_S_10M)
    elif target == "postgres":
        b = (s1 or {}).get("build_s")
        add("Postgres, 1 M events: full build <= 5 min", fmt(b, "s"),
            None if b is None else b <= GOAL_POSTGRES_BUILD_S_1M)
    if largest:
        s = largest["summary"]
        label = f"{largest['events']:,} events"
        r = s.get("floor_ratio")
        if target == "duckdb":
            add(f"full build <= 3x the floor query ({label})", fmt(r, "x"),
                None if r is None else r <= GOAL_FLOOR_RATIO)
        i = s.get("incremental_ratio")
        add(f"incremental run after 1 % new events <= 25 % of the full build ({label})",
            fmt(None if i is None else round(100 * i, 1), "%"), None if i is None else i <= GOAL_INCREMENTAL_RATIO,
            "" if any(r.get("repeats", [{}])[0].get("incremental_models") for r in runs)
            else "no model is incremental yet: this run is a full rebuild")
        ident = s.get("marts_identical")
        add(f"marts after the incremental run identical to a full refresh ({label})",
            "not checked" if ident is None else ("identical" if ident else "differ"), ident)
    return out
