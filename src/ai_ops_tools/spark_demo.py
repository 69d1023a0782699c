"""`ai-ops load --target spark` and `ai-ops demo --target spark`: the main job on a local Spark.

The demo runs the loader and dbt in ONE process: the loader opens the Spark session with the
settings of the profile's spark target and keeps it; dbt-spark's session method then finds it
(``getOrCreate``) instead of starting a second Spark, and the embedded Derby metastore, which
one process opens at a time, is only ever opened once. The session stops when the demo ends.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path

import pyarrow as pa

from ai_ops_tools.generator import GeneratedData, write_truths

DbtCall = Callable[..., None]


def _cli_error(message: str) -> Exception:
    from ai_ops_tools.cli import CliError

    return CliError(message)


def resolve_warehouse(explicit: Path | None) -> Path:
    """--spark-warehouse, else AI_OPS_SPARK_WAREHOUSE, else warehouse/spark; relative to the project."""
    from ai_ops_tools.dbt_run import project_dir
    from ai_ops_tools.spark_loader import default_warehouse

    project = project_dir()
    if explicit is None:
        return default_warehouse(project)
    return (explicit if explicit.is_absolute() else project / explicit).resolve()


def load(tables: Mapping[str, pa.Table] | None, from_dir: Path | None, raw_schema: str, warehouse: Path | None,
         progress: bool, all_text: bool = False, stop: bool = True) -> dict[str, int]:
    """Load the raw tables into the local Spark warehouse; rows per table."""
    from ai_ops_tools import spark_loader
    from ai_ops_tools.dbt_run import profiles_dir

    where = resolve_warehouse(warehouse)
    try:
        counts = spark_loader.load_spark(tables, where, profiles_dir(), raw_schema, progress, all_text,
                                         from_dir=from_dir, stop=stop)
    except (spark_loader.SparkUnavailable, FileNotFoundError) as exc:
        raise _cli_error(str(exc)) from exc
    print(f"loaded into Spark warehouse {where} database {raw_schema} (Parquet: {where}/{raw_schema}.db/<table>/)")
    return counts


def demo(args: argparse.Namespace, data: GeneratedData, dbt: DbtCall) -> int:
    """Load ``data`` into a local Spark, dbt seed + build on the spark target, print the marts' folders."""
    from ai_ops_tools.dbt_run import profiles_dir
    from ai_ops_tools.spark_loader import WAREHOUSE_ENV

    warehouse = resolve_warehouse(args.spark_warehouse)
    truths_path = args.truths or warehouse / "truths.json"
    write_truths(data.truths, truths_path)
    profiles = profiles_dir()
    load(data.tables, None, args.raw_schema, warehouse, not args.quiet, stop=False)
    try:
        env = {"AI_OPS_TARGET": "spark", WAREHOUSE_ENV: str(warehouse)}
        dbt_vars = json.dumps({"raw_schema": args.raw_schema, "ai_launch_date": args.launch_date.isoformat()})
        from ai_ops_tools.cli import demo_commands

        for command in demo_commands(args):
            dbt([command, "--target", "spark", "--vars", dbt_vars], env=env, profiles=profiles)
        print_marts(warehouse, os.environ.get("AI_OPS_SCHEMA", "analytics"))
    finally:
        _stop_session()
    print(f"truths: {truths_path}")
    return 0


def mart_folders(warehouse: Path, schema: str) -> dict[str, Path]:
    """{published mart: its Parquet folder}: the tables of the dbt marts schema ``<schema>_marts``."""
    from ai_ops_tools.spark_loader import table_folders

    return table_folders(warehouse, f"{schema}_marts")


def print_marts(warehouse: Path, schema: str) -> None:
    folders = mart_folders(warehouse, schema)
    if not folders:
        raise _cli_error(f"no mart tables under {warehouse}/{schema}_marts.db: did dbt build them?")
    print(f"\nSpark warehouse: {warehouse}")
    print(f"  published marts ({len(folders)}), one folder of Parquet files each:")
    for name, folder in folders.items():
        print(f"  {name}: {folder}/")
    example = next(iter(folders.values()))
    print(f"  read one with any Parquet reader, e.g. duckdb -c \"select * from read_parquet('{example}/*.parquet')\"")


def _stop_session() -> None:
    from pyspark.sql import SparkSession

    session = SparkSession.getActiveSession()
    if session is not None:
        session.stop()


