"""The ``ai-ops`` command line: generate, load, demo, build.

Each subcommand is one ``register_*`` function that adds its parser and sets
``func``; a new subcommand (bench, gx...) is one more function in COMMANDS.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ai_ops_tools.bench import DEFAULT_LATE_WEEKS
from ai_ops_tools.generator import (
    DEFAULT_CONVERSATIONS,
    DEFAULT_LAUNCH,
    DEFAULT_START,
    DEFAULT_WEEKS,
    GenConfig,
    GeneratedData,
    generate,
    read_parquet_dir,
    write_parquet,
    write_truths,
)
from ai_ops_tools.generator_outcomes import outcome_truths

# `ai-ops demo` builds a larger data set than `generate`/`load` so every mart has rows to show.
DEMO_CONVERSATIONS = 2000
DEFAULT_SEED = 42
DEFAULT_RAW_SCHEMA = "raw"
TARGETS = ("duckdb", "postgres")
# `load` and `demo` also write to a local Spark (the `spark` extra; the spark target of profiles.yml).
LOAD_TARGETS = (*TARGETS, "spark")
DEMO_TARGETS = ("duckdb", "spark")

# Exit codes: 1 a run that failed (dbt, a database, a missing file), 2 bad usage (argparse's code).
EXIT_FAILED = 1
EXIT_USAGE = 2


class CliError(Exception):
    """A run that failed for a reason the user can fix; printed without a traceback, exit 1."""


class UsageError(CliError):
    """An option value that is wrong in itself (argparse could not check it); exit 2."""


# --- shared options --------------------------------------------------------------------


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from exc


def _timestamp(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text.replace("Z", "")).replace(tzinfo=None)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a timestamp (YYYY-MM-DD[ HH:MM:SS], UTC)") from exc


def _positive(text: str) -> int:
    value = int(text.replace("_", ""))
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text} must be positive")
    return value


def add_generation_options(p: argparse.ArgumentParser, conversations: int = DEFAULT_CONVERSATIONS) -> None:
    """The generator's options; ``conversations`` is the size used when neither size option is given."""
    g = p.add_argument_group("data generation")
    size = g.add_mutually_exclusive_group()
    # No parser default: --conversations and --events exclude each other, config_from_args fills it in.
    size.add_argument("--conversations", type=_positive, help=f"number of AI conversations (default {conversations})")
    size.add_argument("--events", type=_positive, help="total raw ai_events rows, e.g. 10000000 for benchmarks")
    p.set_defaults(default_conversations=conversations)
    g.add_argument("--seed", type=int, default=DEFAULT_SEED,
                   help=f"random seed; same seed, same data (default {DEFAULT_SEED})")
    g.add_argument("--start-date", type=_date, default=DEFAULT_START, help=f"a Monday (default {DEFAULT_START})")
    g.add_argument("--weeks", type=_positive, default=DEFAULT_WEEKS, help=f"ISO weeks (default {DEFAULT_WEEKS})")
    g.add_argument("--launch-date", type=_date, default=DEFAULT_LAUNCH,
                   help=f"AI launch, must match dbt var ai_launch_date (default {DEFAULT_LAUNCH})")
    g.add_argument("--end-at", type=_timestamp, help="shift all timestamps so the newest loaded_at is this (UTC)")
    g.add_argument("--truths", type=Path, help="where to write the truths JSON")
    g.add_argument("--quiet", action="store_true", help="no progress bars")
    plants = p.add_argument_group("experiment plants (experiment_comparison; off by default)")
    plants.add_argument("--srm-treatment-share", type=float, metavar="SHARE",
                        help="assign each conversation's arm on its own, treatment with this probability "
                             "(0.5: a correct split; 0.52: a sample-ratio mismatch); default: the user's arm")
    plants.add_argument("--lift-workflows", type=int, default=0, metavar="K",
                        help="spread conversations over K workflows workflow_000.. with known completion lifts")
    plants.add_argument("--max-workflow-lift", type=float, default=0.15, metavar="LIFT",
                        help="planted lifts are drawn in [-LIFT, LIFT]; 0 plants none (default 0.15)")


def config_from_args(args: argparse.Namespace) -> GenConfig:
    conversations = args.conversations
    if conversations is None and args.events is None:
        conversations = args.default_conversations
    try:
        return GenConfig(
            seed=args.seed, conversations=conversations, events=args.events, start_date=args.start_date,
            weeks=args.weeks, launch_date=args.launch_date, end_at=args.end_at, progress=not args.quiet,
            srm_treatment_share=args.srm_treatment_share, lift_workflows=args.lift_workflows,
            max_workflow_lift=args.max_workflow_lift,
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from exc


def _generate(args: argparse.Namespace) -> GeneratedData:
    cfg = config_from_args(args)
    t0 = time.perf_counter()
    data = generate(cfg)
    # the outcome contracts' planted stories (seed outcome_contracts, initiative_scorecard)
    data.truths["outcome_contracts"] = outcome_truths()
    n = data.tables["ai_events"].num_rows
    print(f"generated {n:,} ai_events rows and {len(data.tables) - 1} other tables in {time.perf_counter() - t0:.1f} s",
          file=sys.stderr)
    return data


def _add_target(p: argparse.ArgumentParser, what: str, targets: tuple[str, ...] = TARGETS) -> None:
    note = "; Postgres reads AI_OPS_PG_*" if "postgres" in targets else ""
    if "spark" in targets:
        note += "; Spark: a local session on --spark-warehouse (install the spark extra: make install-spark)"
    p.add_argument("--target", choices=targets, default=targets[0],
                   help=f"{what}: {' or '.join(targets)} (default {targets[0]}){note}")


def _add_spark_warehouse(p: argparse.ArgumentParser) -> None:
    p.add_argument("--spark-warehouse", type=Path,
                   help="--target spark: the Spark warehouse directory, one Parquet folder per table "
                        "(default AI_OPS_SPARK_WAREHOUSE or warehouse/spark)")


def _add_duckdb_path(p: argparse.ArgumentParser) -> None:
    p.add_argument("--duckdb-path", type=Path,
                   help="DuckDB file (default AI_OPS_DUCKDB_PATH or warehouse/ai_ops.duckdb)")


def _add_raw_schema(p: argparse.ArgumentParser) -> None:
    p.add_argument("--raw-schema", default=DEFAULT_RAW_SCHEMA,
                   help=f"schema of the raw tables, passed to dbt as var raw_schema (default {DEFAULT_RAW_SCHEMA})")


# --- generate -----------------------------------------------------------------------------


def cmd_generate(args: argparse.Namespace) -> int:
    data = _generate(args)
    t0 = time.perf_counter()
    truths_path = write_parquet(data, args.out, args.truths, progress=not args.quiet)
    print(f"wrote {args.out}/<table>.parquet in {time.perf_counter() - t0:.1f} s; truths: {truths_path}")
    return 0


def register_generate(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("generate", help="generate demo raw data as parquet files plus truths.json")
    p.add_argument("--out", type=Path, default=Path("demo_data"), help="output directory (default demo_data)")
    add_generation_options(p)
    p.set_defaults(func=cmd_generate)


# --- load -----------------------------------------------------------------------------------


def _load(target: str, data: GeneratedData | None, from_dir: Path | None, raw_schema: str,
          duckdb_path: Path | None, progress: bool, all_text: bool = False,
          spark_warehouse: Path | None = None) -> dict[str, int]:
    from ai_ops_tools import loader

    if target == "spark":
        from ai_ops_tools import spark_demo

        return spark_demo.load(data.tables if data is not None else None, from_dir, raw_schema, spark_warehouse,
                               progress, all_text)
    if target == "duckdb":
        path = duckdb_path or loader.default_duckdb_path()
        if from_dir is not None and data is None:
            counts = loader.load_duckdb_parquet(from_dir, path, raw_schema, progress, all_text)
        else:
            assert data is not None
            counts = loader.load_duckdb(data.tables, path, raw_schema, progress, all_text)
        print(f"loaded into DuckDB {path} schema {raw_schema}")
        return counts
    tables = data.tables if data is not None else read_parquet_dir(from_dir)  # type: ignore[arg-type]
    try:
        counts = loader.load_postgres(tables, raw_schema, progress=progress, all_text=all_text)
    except ConnectionError as exc:
        raise CliError(str(exc)) from exc
    print(f"loaded into Postgres schema {raw_schema}")
    return counts


def cmd_load(args: argparse.Namespace) -> int:
    data = None
    if args.from_dir is None:
        data = _generate(args)
        if args.truths:
            write_truths(data.truths, args.truths)
    elif not args.from_dir.is_dir():
        raise CliError(f"--from {args.from_dir} is not a directory: run `ai-ops generate --out DIR` first")
    counts = _load(args.target, data, args.from_dir, args.raw_schema, args.duckdb_path, not args.quiet,
                   args.all_text, args.spark_warehouse)
    for name, n in counts.items():
        print(f"  {args.raw_schema}.{name}: {n:,} rows")
    return 0


def register_load(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("load", help="load raw tables into DuckDB, Postgres or Spark (generates them unless --from)")
    _add_target(p, "where to load", LOAD_TARGETS)
    _add_raw_schema(p)
    _add_duckdb_path(p)
    _add_spark_warehouse(p)
    p.add_argument("--from", dest="from_dir", type=Path, help="load parquet files written by `ai-ops generate`")
    p.add_argument("--all-text", action="store_true",
                   help="create every raw column as text, as many loaders land files (staging reads them safely)")
    add_generation_options(p)
    p.set_defaults(func=cmd_load)


# --- load-otlp ---------------------------------------------------------------------------------

# Rejected records printed in full; the rest are counted (all of them go to --rejected FILE).
SHOWN_REJECTIONS = 20


def cmd_load_otlp(args: argparse.Namespace) -> int:
    from ai_ops_tools import loader, otlp, otlp_load

    try:
        files = otlp.input_files(args.paths)
    except FileNotFoundError as exc:
        raise UsageError(str(exc)) from exc
    if args.target == "duckdb":
        path = args.duckdb_path or loader.default_duckdb_path()
        report = otlp_load.load_otlp_duckdb(files, path, args.raw_schema, progress=not args.quiet)
        where = f"DuckDB {path} table {args.raw_schema}.{otlp.OTEL_SPANS_TABLE}"
    else:
        try:
            report = otlp_load.load_otlp_postgres(files, args.raw_schema, progress=not args.quiet)
        except ConnectionError as exc:
            raise CliError(str(exc)) from exc
        where = f"Postgres table {args.raw_schema}.{otlp.OTEL_SPANS_TABLE}"
    print(f"appended {report.spans:,} spans from {report.records:,} requests in {report.files} files to {where}")
    if not report.rejected:
        return 0
    for rejected in report.rejected[:SHOWN_REJECTIONS]:
        print(f"  rejected {rejected}", file=sys.stderr)
    more = len(report.rejected) - SHOWN_REJECTIONS
    if more > 0:
        print(f"  ... and {more} more", file=sys.stderr)
    if args.rejected:
        lines = [json.dumps({"file": r.file, "line": r.line, "error": r.error}) for r in report.rejected]
        args.rejected.write_text("\n".join(lines) + "\n", encoding="utf-8")
    raise CliError(
        f"{len(report.rejected)} records could not be read and were not loaded (the other spans were): "
        "fix them at the file and line shown and load those files again; "
        "a span loaded twice counts once" + (f"; all rejections: {args.rejected}" if args.rejected else "")
    )


def register_load_otlp(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "load-otlp",
        help="append OTLP/JSON trace files (collector file exporter or ExportTraceServiceRequest) to raw.otel_spans",
    )
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH",
                   help="OTLP/JSON files (.json, .jsonl, .json.gz) or folders holding them")
    _add_target(p, "where to load")
    _add_raw_schema(p)
    _add_duckdb_path(p)
    p.add_argument("--rejected", type=Path, metavar="FILE",
                   help="write every rejected record (file, line, error) as JSON lines to FILE")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_load_otlp)


# --- build / demo ------------------------------------------------------------------------------


def _dbt(args: list[str], env: dict[str, str] | None = None, profiles: Path | None = None) -> None:
    from ai_ops_tools.dbt_run import run_dbt, target_held_by_another_run

    outcome = run_dbt(args, env=env, profiles=profiles)
    held = None if outcome.success else target_held_by_another_run(outcome)
    if held:
        raise CliError(held)
    if not outcome.success:
        raise CliError(outcome.summary() + "\nFix the failing nodes above (dbt's log has details) and rerun.")


def cmd_build(args: argparse.Namespace) -> int:
    dbt_args = list(args.dbt_args)
    if dbt_args and dbt_args[0] == "--":
        dbt_args = dbt_args[1:]
    _dbt(dbt_args or ["build"])
    return 0


def register_build(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("build", help="run dbt with the project's profiles dir, e.g. `ai-ops build -- build -s staging`")
    p.add_argument("dbt_args", nargs=argparse.REMAINDER, help="dbt arguments (default: build)")
    p.set_defaults(func=cmd_build)


def cmd_demo(args: argparse.Namespace) -> int:
    from ai_ops_tools import loader
    from ai_ops_tools.dbt_run import project_dir

    if args.target == "spark":
        from ai_ops_tools import spark_demo

        return spark_demo.demo(args, _generate(args), _dbt)
    project = project_dir()
    path = args.duckdb_path or loader.default_duckdb_path()
    if not path.is_absolute():
        path = project / path
    data = _generate(args)
    truths_path = args.truths or path.with_name("truths.json")
    write_truths(data.truths, truths_path)
    loader.load_duckdb(data.tables, path, args.raw_schema, progress=not args.quiet)
    env = {"AI_OPS_TARGET": "duckdb", "AI_OPS_DUCKDB_PATH": str(path)}
    dbt_vars = json.dumps({"raw_schema": args.raw_schema, "ai_launch_date": args.launch_date.isoformat()})
    for command in demo_commands(args):
        _dbt([command, "--target", "duckdb", "--vars", dbt_vars], env=env)
    _print_demo_summary(path, data)
    print(f"truths: {truths_path}")
    return 0


def demo_commands(args: argparse.Namespace) -> tuple[str, str]:
    """dbt seed, then dbt build (models, snapshots and tests), or dbt run (models only) with --skip-tests."""
    return ("seed", "run") if args.skip_tests else ("seed", "build")


def _print_demo_summary(path: Path, data: GeneratedData) -> None:
    import duckdb

    print(f"\nDuckDB database: {path}")
    con = duckdb.connect(str(path))
    try:
        rows = con.execute(
            "select table_schema, count(*) from information_schema.tables group by 1 order by 1"
        ).fetchall()
        for schema, n in rows:
            print(f"  schema {schema}: {n} relations")
        marts = con.execute(
            "select table_schema from information_schema.tables where table_name = 'ops_metrics' limit 1"
        ).fetchone()
        if marts:
            status = con.execute(
                f'select status, count(*) from "{marts[0]}".ops_metrics group by 1 order by 2 desc'
            ).fetchall()
            print("  ops_metrics rows by status: " + ", ".join(f"{s}={n}" for s, n in status))
    finally:
        con.close()
    eff = data.truths["effects"]["control_vs_treatment"]
    print(
        f"  planted: completion control {eff['control']['completion_rate']:.3f} vs treatment "
        f"{eff['treatment']['completion_rate']:.3f}; slow model_version {data.truths['effects']['slow_model_version']}"
    )
    print(f"  open it with: duckdb {path}")


def register_demo(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("demo", help="generate, load into DuckDB (or a local Spark), dbt seed + build, print a summary")
    _add_target(p, "where to build", DEMO_TARGETS)
    _add_raw_schema(p)
    _add_duckdb_path(p)
    _add_spark_warehouse(p)
    p.add_argument("--skip-tests", action="store_true",
                   help="dbt run instead of dbt build: the models only, no data or unit tests and no snapshots "
                        "(the Spark comparison test; a local Spark spends seconds per test)")
    add_generation_options(p, conversations=DEMO_CONVERSATIONS)
    p.set_defaults(func=cmd_demo)


# --- data-quality checks -------------------------------------------------------------------


def cmd_gx(args: argparse.Namespace) -> int:
    import os

    from ai_ops_tools import gx_checks, loader

    schema = args.schema or os.environ.get("AI_OPS_SCHEMA", "analytics")
    marts_schema = args.marts_schema or f"{schema}_marts"
    if args.target == "duckdb":
        path = args.duckdb_path or loader.default_duckdb_path()
        if not Path(path).exists():
            raise CliError(f"no DuckDB file at {path}: run `ai-ops demo` or `dbt build` first, or pass --duckdb-path")
        results = gx_checks.run_duckdb(str(path), marts_schema)
    else:
        results = gx_checks.run_postgres(marts_schema)
    report = gx_checks.report(results)
    if args.output:
        args.output.write_text(report + "\n", encoding="utf-8")
    print(report)
    failed = [r for r in results if not r.success]
    if failed:
        print(f"{len(failed)} of {len(results)} expectations failed on {marts_schema}", file=sys.stderr)
        return 1
    return 0


def register_gx(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "gx", help="run the Great Expectations suite on the published marts (exit 1 when one fails)"
    )
    _add_target(p, "where the marts are")
    p.add_argument("--schema", help="dbt target schema (default AI_OPS_SCHEMA or analytics)")
    p.add_argument("--marts-schema", help="schema of the marts (default <schema>_marts)")
    _add_duckdb_path(p)
    p.add_argument("--output", type=Path, help="also write the JSON report to this file")
    p.set_defaults(func=cmd_gx)


# --- benchmark -------------------------------------------------------------------------------------


def _sizes(text: str) -> list[int]:
    try:
        sizes = [_positive(part.strip()) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r}: give comma-separated event counts, e.g. 1000000,3000000") from exc
    if not sizes:
        raise argparse.ArgumentTypeError("give at least one size")
    return sizes


def cmd_bench(args: argparse.Namespace) -> int:

    from ai_ops_tools import bench

    schema = args.schema or os.environ.get("AI_OPS_SCHEMA", "bench")
    if not schema.startswith("bench"):
        raise UsageError(f"schema {schema!r}: benchmark schemas must start with 'bench' (use --schema)")
    small = [n for n in args.sizes if n < 500]
    if small:
        raise UsageError(f"sizes {small}: the generator needs at least 500 events")
    if args.target == "postgres":
        from ai_ops_tools.loader import PostgresSettings

        try:
            PostgresSettings.from_env().connect(connect_timeout=5).close()
        except ConnectionError as exc:
            raise CliError(str(exc)) from exc
    if args.target == "spark":
        from ai_ops_tools.spark_loader import SparkUnavailable, require_spark

        try:
            require_spark()
        except SparkUnavailable as exc:
            raise CliError(str(exc)) from exc
    out = args.out if args.out is not None else BENCH_REPORTS[args.target]
    cfg = bench.BenchConfig(
        sizes=args.sizes, target=args.target, repeats=args.repeats, out=out, json_path=args.json,
        skip_incremental=args.skip_incremental, skip_full_refresh_check=args.skip_full_refresh_check,
        workdir=args.workdir, schema=schema, seed=args.seed, keep=args.keep, progress=not args.quiet,
        late_weeks=args.late_weeks,
        command=_bench_command(sys.argv[1:]),
    )
    report = bench.run_benchmark(cfg, notes=args.note or [])
    for run in report["runs"]:
        s = run["summary"]
        print(f"{run['events']:>12,} events: build {s['build_s']} s (peak {s['build_peak_rss_mb']} MB), "
              f"floor {s['floor_s']} s (ratio {s['floor_ratio']}), after append {s['incremental_build_s']} s "
              f"(ratio {s['incremental_ratio']}), generator {s['generator_s']} s")
    if out:
        print(f"report: {out}")
    if args.json:
        print(f"json: {args.json}")
    failed = [r["events"] for r in report["runs"] if not r["summary"]["build_success"]]
    if failed:
        print(f"dbt build failed at sizes {failed}: the timings include a failed run (see the logs)", file=sys.stderr)
        return 1
    return 0


# The Markdown report of each target when --out is not given.
BENCH_REPORTS = {"duckdb": Path("docs/benchmarks.md"), "postgres": Path("docs/benchmarks.md"),
                 "spark": Path("docs/benchmarks-spark.md")}


def _bench_command(argv: list[str]) -> str:
    """The command line for the report, without the --note texts (they have their own section)."""
    import shlex

    if argv[:1] != ["bench"]:
        return "ai-ops bench"
    kept: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--note":
            skip = True
        elif not arg.startswith("--note="):
            kept.append(arg)
    return "ai-ops " + shlex.join(kept)


def _late_weeks(text: str) -> tuple[int, int] | None:
    if text == "all":
        return None
    try:
        newest, oldest = (int(part) for part in text.split("-"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected A-B (weeks, e.g. 2-6) or 'all'") from None
    if not 2 <= newest < oldest:
        raise argparse.ArgumentTypeError(f"{text!r}: need 2 <= A < B (a late event is at least two weeks old)")
    return newest, oldest


def register_bench(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("bench", help="benchmark generator, load, dbt build, the floor query and an incremental run")
    p.add_argument("--sizes", type=_sizes, default=[1_000_000, 3_000_000, 10_000_000],
                   help="comma-separated raw ai_events counts (default 1000000,3000000,10000000)")
    _add_target(p, "the warehouse to benchmark", LOAD_TARGETS)
    p.add_argument("--repeats", type=_positive, default=1, help="runs per size; the report shows medians (default 1)")
    p.add_argument("--out", type=Path,
                   help="Markdown report (default docs/benchmarks.md; --target spark: docs/benchmarks-spark.md)")
    p.add_argument("--json", type=Path, help="also write every figure as JSON here")
    p.add_argument("--skip-incremental", action="store_true", help="no append + second build")
    p.add_argument("--skip-full-refresh-check", action="store_true",
                   help="after the incremental run, do not rebuild with --full-refresh to compare the marts")
    p.add_argument("--workdir", type=Path, default=Path(os.environ.get("AI_OPS_BENCH_DIR", "/tmp/ai_ops_bench")),
                   help="parquet files, DuckDB files, dbt target and logs "
                        "(default AI_OPS_BENCH_DIR or /tmp/ai_ops_bench)")
    p.add_argument("--schema", help="dbt target schema, must start with 'bench' (default AI_OPS_SCHEMA or bench)")
    p.add_argument("--late-weeks", type=_late_weeks, default=DEFAULT_LATE_WEEKS, metavar="A-B|all",
                   help="the late events of the increment occurred A to B weeks before the end of the on-time "
                        "history (default 2-6); 'all': anywhere in the history, the worst case")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED,
                   help=f"random seed of the generated data (default {DEFAULT_SEED})")
    p.add_argument("--keep", action="store_true", help="keep the parquet and DuckDB files / Postgres schemas")
    p.add_argument("--note", action="append", help="a line for the report's Notes section (repeatable)")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=cmd_bench)


# --- docs -------------------------------------------------------------------------------------


def cmd_docs(args: argparse.Namespace) -> int:
    from ai_ops_tools import metric_docs
    from ai_ops_tools.dbt_run import project_dir

    project = project_dir()
    traces = metric_docs.trace(project)
    missing = metric_docs.problems(traces)
    if missing:
        raise CliError("the metric catalog points at SQL or unit tests that do not exist:\n  " + "\n  ".join(missing))
    out = project / metric_docs.DOC_FILE
    text = metric_docs.render(traces)
    if args.check:
        if not out.exists() or out.read_text(encoding="utf-8") != text:
            raise CliError(f"{metric_docs.DOC_FILE} is stale: run `ai-ops docs metrics` and commit it")
        print(f"{metric_docs.DOC_FILE} is up to date ({len(traces)} metric keys)")
        return 0
    out.write_text(text, encoding="utf-8")
    print(f"wrote {out} ({len(traces)} metric keys)")
    return 0


def register_docs(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("docs", help="generate docs pages from the project (metrics: docs/METRICS.md)")
    p.add_argument("page", choices=["metrics"], help="metrics: key -> model -> unit test, from the metric catalog")
    p.add_argument("--check", action="store_true", help="fail when the committed page differs, write nothing")
    p.set_defaults(func=cmd_docs)


# --- reports -------------------------------------------------------------------------------


def _month(text: str) -> date:
    from ai_ops_tools.reports.leadership import parse_month

    try:
        return parse_month(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _week(text: str) -> date:
    from ai_ops_tools.reports.operating import parse_week

    try:
        return parse_week(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _write_page(args: argparse.Namespace, reader: Any) -> str:
    """Render the chosen page; the line printed when it is written."""
    from ai_ops_tools.reports import diagnostic, leadership, operating

    if args.page == "leadership":
        files = leadership.write_report(reader, args.month, args.out, pdf=not args.no_pdf)
        state = "" if files.month.complete else " (not complete yet)"
        pdf = f" and {files.pdf}" if files.pdf else ""
        return f"leadership review for {files.month.label}{state}: {files.html}{pdf}"
    if args.page == "operating":
        page = operating.write_report(reader, args.week, args.out, pdf=not args.no_pdf)
    else:
        page = diagnostic.write_report(reader, args.metric, args.out, pdf=not args.no_pdf)
    return f"{page.title}: {page.html}" + (f" and {page.pdf}" if page.pdf else "")


def cmd_report(args: argparse.Namespace) -> int:
    from ai_ops_tools import loader
    from ai_ops_tools.reports import render
    from ai_ops_tools.reports.diagnostic import UnknownMetric
    from ai_ops_tools.reports.marts import MartReader, MartsMissing

    if args.page == "diagnostic" and not args.metric:
        raise UsageError("report diagnostic needs --metric KEY (an ops_metrics metric_key)")
    path = args.duckdb_path or loader.default_duckdb_path()
    try:
        reader = MartReader.open(args.target, args.schema, path if args.target == "duckdb" else None)
    except (MartsMissing, ConnectionError) as exc:
        raise CliError(str(exc)) from exc
    try:
        print(_write_page(args, reader))
    except (MartsMissing, UnknownMetric, render.BrowserMissing, RuntimeError) as exc:
        raise CliError(str(exc)) from exc
    finally:
        reader.close()
    return 0


def register_report(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("report", help="write a report page (HTML + PDF) from the published marts")
    p.add_argument("page", choices=["leadership", "operating", "diagnostic"],
                   help="leadership: the monthly leadership review; operating: the weekly operating page; "
                   "diagnostic: one metric by every segment (--metric)")
    p.add_argument("--month", type=_month, help="leadership: YYYY-MM (default: the newest complete month)")
    p.add_argument("--week", type=_week,
                   help="operating: YYYY-MM-DD, any day of the ISO week (default: the newest complete week)")
    p.add_argument("--metric", help="diagnostic: the ops_metrics metric_key to break down")
    p.add_argument("--out", type=Path, default=Path("reports"), help="output folder (default reports)")
    _add_target(p, "where the marts are")
    p.add_argument("--schema", help="dbt target schema (default AI_OPS_SCHEMA or analytics; marts in <schema>_marts)")
    _add_duckdb_path(p)
    p.add_argument("--no-pdf", action="store_true", help="write the HTML only (no Chromium needed)")
    p.set_defaults(func=cmd_report)


# --- alerts ----------------------------------------------------------------------------------------


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from exc
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text} must be positive")
    return value


def cmd_alerts(args: argparse.Namespace) -> int:
    from ai_ops_tools import alerts, loader

    schema = args.schema or os.environ.get("AI_OPS_SCHEMA", "analytics")
    policy = alerts.RetryPolicy(attempts=args.attempts, backoff_seconds=args.backoff, timeout_seconds=args.timeout)
    path = args.duckdb_path or loader.default_duckdb_path()
    if args.target == "duckdb" and not Path(path).exists():
        raise CliError(f"no DuckDB file at {path}: run `ai-ops demo` or `dbt build` first, or pass --duckdb-path")
    try:
        with alerts.duckdb_warehouse(path) if args.target == "duckdb" else alerts.postgres_warehouse() as wh:
            result = alerts.send_alerts(wh, args.webhook, args.marts_schema or f"{schema}_marts",
                                        f"{schema}_alerting", policy)
    except (alerts.AlertDeliveryError, ConnectionError) as exc:
        raise CliError(str(exc)) from exc
    print(f"{result.sent} alerts sent to {alerts.shown_url(args.webhook)} "
          f"({result.already_sent} of {result.alerts} alerts were sent before)")
    return 0


def register_alerts(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("alerts", help="deliver the ai_metric_alerts mart (send: post new alerts to a webhook)")
    p.add_argument("action", choices=["send"], help="send: post each alert not sent before, once")
    p.add_argument("--webhook", required=True, help="Slack-compatible incoming webhook URL (a secret)")
    _add_target(p, "where the marts are")
    p.add_argument("--schema", help="dbt target schema (default AI_OPS_SCHEMA or analytics); "
                   "sent alerts are recorded in <schema>_alerting")
    p.add_argument("--marts-schema", help="schema of the marts (default <schema>_marts)")
    _add_duckdb_path(p)
    p.add_argument("--attempts", type=_positive, default=4, help="tries per alert (default 4)")
    p.add_argument("--backoff", type=_positive_float, default=1.0,
                   help="seconds before the first retry, doubled each time (default 1.0)")
    p.add_argument("--timeout", type=_positive_float, default=10.0, help="seconds to wait for an answer (default 10.0)")
    p.set_defaults(func=cmd_alerts)


Register = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]
COMMANDS: list[Register] = [register_generate, register_load, register_load_otlp, register_demo, register_build,
                          register_gx, register_bench, register_docs, register_alerts, register_report]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ai-ops", description="Tooling for the ai_ops dbt project.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for register in COMMANDS:
        register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except UsageError as exc:
        print(f"ai-ops {args.command}: error: {exc}\n(see `ai-ops {args.command} --help`)", file=sys.stderr)
        return EXIT_USAGE
    except CliError as exc:
        print(f"ai-ops {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
