"""One benchmark run per size and repeat, and the whole benchmark."""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq
from tqdm import tqdm

from ai_ops_tools.bench import spark as spark_bench
from ai_ops_tools.bench.compare import compare_marts, snapshot_marts
from ai_ops_tools.bench.config import (
    BUILD_ARGS,
    DATA_TEST_ARGS,
    SPARK_BUILD_ARGS,
    SPARK_BUILD_NOTE,
    SPARK_FLOOR_NOTE,
    UNIT_TEST_ARGS,
    BenchConfig,
)
from ai_ops_tools.bench.floor import compare_floor_with_marts, marts_weekly_overall, run_floor
from ai_ops_tools.bench.increment import append_events, make_increment
from ai_ops_tools.bench.report import render_markdown
from ai_ops_tools.bench.summary import goals, growth, machine_info, summarize
from ai_ops_tools.bench.warehouse import DbtRun, Warehouse, incremental_models, summarize_dbt
from ai_ops_tools.generator import GenConfig, generate, write_parquet


def _fresh_warehouse(cfg: BenchConfig, size: int) -> Warehouse:
    # absolute: dbt and the Spark loader run from the project directory
    workdir = (cfg.workdir / f"{cfg.target}_{size}").resolve()
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    if cfg.target == "duckdb":
        return Warehouse("duckdb", cfg.schema, cfg.raw_schema, workdir, workdir / "bench.duckdb")
    if cfg.target == "spark":
        return Warehouse("spark", cfg.schema, cfg.raw_schema, workdir, spark_warehouse=workdir / "spark_warehouse")
    from ai_ops_tools.loader import drop_postgres_schemas

    drop_postgres_schemas(cfg.schema)
    return Warehouse("postgres", cfg.schema, cfg.raw_schema, workdir)


def _steps(cfg: BenchConfig) -> list[str]:
    spark = cfg.target == "spark"
    steps = ["generate", "write parquet", "load", "dbt seed", "dbt build", *([] if spark else ["unit tests"]),
             "floor"]
    if not cfg.skip_incremental:
        steps += ["append", "dbt build (after append)", *([] if spark else ["data tests alone"])]
        if not cfg.skip_full_refresh_check:
            steps += ["dbt build --full-refresh", "compare marts"]
    return steps


def _build_args(cfg: BenchConfig) -> list[str]:
    """The scheduled build: on Spark the models only (``dbt run``; SPARK_BUILD_NOTE says why)."""
    return list(SPARK_BUILD_ARGS if cfg.target == "spark" else BUILD_ARGS)


@dataclass
class _Repeat:
    """One repeat at one size: its warehouse, its progress bar and the dbt runs' labels."""

    cfg: BenchConfig
    wh: Warehouse
    repeat: int
    bar: tqdm[Any]

    @property
    def manifest(self) -> Path:
        return self.wh.target_path / "manifest.json"

    @property
    def parquet_dir(self) -> Path:
        return self.wh.workdir / "parquet"

    def step(self, name: str) -> None:
        self.bar.set_postfix_str(name)

    def dbt(self, args: Sequence[str], label: str) -> DbtRun:
        return self.wh.dbt(args, f"{label}_{self.repeat + 1}", self.cfg.progress)


def _seconds_since(t0: float) -> float:
    return round(time.perf_counter() - t0, 3)


def _ratio(part: float, whole: float) -> float | None:
    return round(part / whole, 3) if whole else None


def _generate(r: _Repeat, size: int, rec: dict[str, Any]) -> None:
    r.step("generate")
    t0 = time.perf_counter()
    data = generate(GenConfig(seed=r.cfg.seed + r.repeat, events=size, progress=False))
    rec["generate_s"] = _seconds_since(t0)
    rec["raw_ai_events"] = data.tables["ai_events"].num_rows
    r.bar.update()
    r.step("write parquet")
    t0 = time.perf_counter()
    write_parquet(data, r.parquet_dir, progress=False)
    rec["write_parquet_s"] = _seconds_since(t0)
    rec["generator_s"] = round(rec["generate_s"] + rec["write_parquet_s"], 3)
    del data
    r.bar.update()


def _load(r: _Repeat, rec: dict[str, Any]) -> None:
    from ai_ops_tools import loader
    from ai_ops_tools.generator import read_parquet_dir

    r.step("load")
    t0 = time.perf_counter()
    if r.cfg.target == "duckdb":
        assert r.wh.duckdb_path is not None
        counts = loader.load_duckdb_parquet(r.parquet_dir, r.wh.duckdb_path, r.cfg.raw_schema, progress=False)
    elif r.cfg.target == "spark":
        counts, rec["load_process"] = spark_bench.load_raw(r.wh, r.parquet_dir, r.cfg.progress)
    else:
        counts = loader.load_postgres(read_parquet_dir(r.parquet_dir), r.cfg.raw_schema, progress=False)
    rec["load_s"] = _seconds_since(t0)
    rec["raw_rows"] = counts
    r.bar.update()


def _build(r: _Repeat, rec: dict[str, Any]) -> DbtRun:
    """dbt seed, the scheduled build and the unit tests on their own; returns the build."""
    r.step("dbt seed")
    rec["seed"] = summarize_dbt(r.dbt(["seed"], "seed"), r.manifest)
    r.bar.update()
    r.step("dbt build")
    build = r.dbt(_build_args(r.cfg), "build")
    rec["build"] = summarize_dbt(build, r.manifest)
    rec["incremental_models"] = incremental_models(r.manifest)
    r.bar.update()
    if r.cfg.target == "spark":
        rec["unit_tests"] = {"skipped": SPARK_BUILD_NOTE}
        return build
    r.step("unit tests")
    rec["unit_tests"] = summarize_dbt(r.dbt(UNIT_TEST_ARGS, "unit_tests"), r.manifest)
    r.bar.update()
    return build


def _floor(r: _Repeat, build: DbtRun) -> dict[str, Any]:
    if r.cfg.target == "spark":
        return {"s": None, "note": SPARK_FLOOR_NOTE}
    if r.cfg.target != "duckdb":
        return {"s": None, "note": "the floor is defined as a DuckDB query: not run on Postgres"}
    assert r.wh.duckdb_path is not None
    floor_s, weekly = run_floor(r.wh.duckdb_path, r.cfg.raw_schema)
    floor: dict[str, Any] = {"s": round(floor_s, 3), "weeks": len(weekly),
                             "build_ratio": round(build.wall_s / floor_s, 2) if floor_s else None,
                             "weekly": weekly}
    try:
        with r.wh.connect() as run_sql:
            marts = marts_weekly_overall(run_sql, r.wh.marts_schema())
        floor["matches_marts"] = compare_floor_with_marts(weekly, marts)
    except Exception as exc:  # noqa: BLE001 - a failed build leaves no ops_metrics; say so
        floor["matches_marts"] = {"error": str(exc).splitlines()[0]}
    return floor


def _append(r: _Repeat) -> dict[str, Any]:
    r.step("append")
    cfg = r.cfg
    events = pq.read_table(r.parquet_dir / "ai_events.parquet")
    t0 = time.perf_counter()
    rows, appended = make_increment(events, np.random.default_rng(cfg.seed + 1000 + r.repeat),
                                    cfg.increment_fraction, cfg.late_fraction, cfg.duplicate_fraction,
                                    cfg.late_weeks, cfg.watermark_cases)
    del events
    process = append_events(r.wh, rows)
    inc: dict[str, Any] = {"appended": appended, "append_s": _seconds_since(t0)}
    if process is not None:
        inc["append_process"] = process
    r.bar.update()
    return inc


def _incremental(r: _Repeat, rec: dict[str, Any], build: DbtRun) -> dict[str, Any]:
    """Append the increment, build again, time the data tests alone, check against a full refresh."""
    inc = _append(r)
    r.step("dbt build (after append)")
    incr = r.dbt(_build_args(r.cfg), "build_incremental")
    inc["build"] = summarize_dbt(incr, r.manifest)
    inc["is_incremental"] = bool(rec["incremental_models"])
    inc["ratio_to_full"] = _ratio(incr.wall_s, build.wall_s)
    r.bar.update()
    if r.cfg.target != "spark":
        _data_tests(r, inc, build)
    if not r.cfg.skip_full_refresh_check:
        _full_refresh_check(r, inc, incr)
    return inc


def _data_tests(r: _Repeat, inc: dict[str, Any], build: DbtRun) -> None:
    r.step("data tests alone")
    tests = r.dbt(DATA_TEST_ARGS, "data_tests")
    inc["data_tests"] = summarize_dbt(tests, r.manifest)
    inc["data_tests_ratio_to_full"] = _ratio(tests.wall_s, build.wall_s)
    r.bar.update()


def _full_refresh_check(r: _Repeat, inc: dict[str, Any], incr: DbtRun) -> None:
    """Snapshot the marts, rebuild with --full-refresh, compare every mart row of the two."""
    cmp_schema = f"{r.cfg.schema}_cmp_incremental"
    spark = r.cfg.target == "spark"
    cmp_dir = r.wh.workdir / "marts_after_incremental"
    try:
        tables = spark_bench.snapshot_marts(r.wh, cmp_dir) if spark else snapshot_marts(r.wh, cmp_schema)
    except Exception as exc:  # noqa: BLE001 - report, do not lose the run
        tables, inc["compare_error"] = [], str(exc).splitlines()[0]
    r.step("dbt build --full-refresh")
    full = r.dbt([*_build_args(r.cfg), "--full-refresh"], "build_full_refresh")
    inc["full_refresh"] = summarize_dbt(full, r.manifest)
    inc["ratio_to_full_refresh"] = _ratio(incr.wall_s, full.wall_s)
    r.bar.update()
    r.step("compare marts")
    try:
        diff = spark_bench.compare_marts(r.wh, cmp_dir, tables) if spark else compare_marts(r.wh, cmp_schema, tables)
    except Exception as exc:  # noqa: BLE001 - report, do not lose the run
        diff, inc["compare_error"] = {}, str(exc).splitlines()[0]
    inc["marts_compared"] = diff
    inc["marts_identical"] = None if not diff else all(
        d["only_incremental"] == 0 and d["only_full_refresh"] == 0 for d in diff.values())
    r.bar.update()


def _clean_up(r: _Repeat) -> None:
    if r.cfg.keep:
        return
    shutil.rmtree(r.parquet_dir, ignore_errors=True)
    if r.wh.duckdb_path is not None:
        r.wh.duckdb_path.unlink(missing_ok=True)
    elif r.wh.spark_warehouse is not None:
        shutil.rmtree(r.wh.spark_warehouse, ignore_errors=True)
    elif r.cfg.target == "postgres":
        from ai_ops_tools.loader import drop_postgres_schemas

        drop_postgres_schemas(r.cfg.schema)


def run_one(cfg: BenchConfig, size: int, repeat: int) -> dict[str, Any]:
    """One repeat at one size on a fresh warehouse: the figures of every step."""
    wh = _fresh_warehouse(cfg, size)
    bar = tqdm(total=len(_steps(cfg)), desc=f"bench {size:,} #{repeat + 1}", unit="step", disable=not cfg.progress)
    r = _Repeat(cfg, wh, repeat, bar)
    rec: dict[str, Any] = {"repeat": repeat + 1, "load_avg_at_start": list(os.getloadavg())}
    _generate(r, size, rec)
    _load(r, rec)
    build = _build(r, rec)
    r.step("floor")
    rec["floor"] = _floor(r, build)
    bar.update()
    if not cfg.skip_incremental:
        rec["incremental"] = _incremental(r, rec, build)
    bar.close()
    _clean_up(r)
    return rec


def run_benchmark(cfg: BenchConfig, notes: Sequence[str] = ()) -> dict[str, Any]:
    if not cfg.schema.startswith("bench"):
        raise ValueError(f"schema {cfg.schema!r}: benchmark schemas must start with 'bench'")
    cfg.workdir.mkdir(parents=True, exist_ok=True)
    machine = machine_info()
    runs = []
    for size in cfg.sizes:
        repeats = [run_one(cfg, size, i) for i in range(cfg.repeats)]
        runs.append({"events": size, "summary": summarize(repeats), "repeats": repeats})
    report = {
        "schema_version": 1,
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M"),
        "command": cfg.command or "ai-ops bench",
        "target": cfg.target,
        "repeats": cfg.repeats,
        "machine": machine,
        "config": {"seed": cfg.seed, "increment_fraction": cfg.increment_fraction,
                   "late_fraction": cfg.late_fraction, "duplicate_fraction": cfg.duplicate_fraction,
                   "late_weeks": list(cfg.late_weeks) if cfg.late_weeks else None,
                   "watermark_cases": cfg.watermark_cases,
                   "schema": cfg.schema, "raw_schema": cfg.raw_schema},
        "runs": runs,
        "notes": list(notes),
    }
    report["growth"] = growth(runs)
    report["goals"] = goals(runs, cfg.target)
    if cfg.json_path:
        cfg.json_path.parent.mkdir(parents=True, exist_ok=True)
        cfg.json_path.write_text(json.dumps(report, indent=2, default=str) + "\n")
    if cfg.out:
        cfg.out.parent.mkdir(parents=True, exist_ok=True)
        cfg.out.write_text(render_markdown(report))
    return report
