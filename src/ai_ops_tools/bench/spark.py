"""The benchmark on a local Spark (issue 17): load and append in a subprocess, marts read as Parquet.

The local Spark's Hive metastore is an embedded Derby database that ONE process opens at a time,
and every dbt run is a process of its own: so the raw tables are loaded, and the increment
appended, by a short subprocess (``python -m ai_ops_tools.spark_loader``) that exits before dbt
starts. Its peak memory is that of its process tree: the JVM is a child of the Python process.
The marts are folders of Parquet files (``<warehouse>/<schema>_marts.db/<table>/``): the
full-refresh check copies them after the incremental run and reads both copies with DuckDB's
Parquet reader, an independent reader, with the same comparison as on DuckDB and Postgres.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from ai_ops_tools.bench.compare import compare_relations
from ai_ops_tools.bench.config import MB
from ai_ops_tools.bench.warehouse import Warehouse


def _warehouse_dir(wh: Warehouse) -> Path:
    if wh.spark_warehouse is None:
        raise ValueError("not a spark benchmark warehouse (no spark_warehouse)")
    return wh.spark_warehouse


def _subprocess(wh: Warehouse, args: Sequence[str], label: str, progress: bool) -> dict[str, Any]:
    """``python -m ai_ops_tools.spark_loader ARGS`` with the warehouse's env; wall time and peak RSS (JVM included)."""
    command = [sys.executable, "-m", "ai_ops_tools.spark_loader", *args,
               "--warehouse", str(_warehouse_dir(wh)), "--raw-schema", wh.raw_schema]
    wall, peak, returncode, log_path = wh.run_sampled(command, f"spark_{label}", f"spark {label}", progress)
    if returncode != 0:
        tail = "\n".join(log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-20:])
        raise RuntimeError(f"spark {label} failed (exit {returncode}; log {log_path}):\n{tail}")
    return {"wall_s": round(wall, 3), "peak_rss_bytes": peak, "peak_rss_mb": round(peak / MB, 1),
            "log": str(log_path)}


def load_raw(wh: Warehouse, parquet_dir: Path, progress: bool) -> tuple[dict[str, int], dict[str, Any]]:
    """Every raw table from the generator's Parquet files into the Spark warehouse; (rows per table, the process)."""
    from ai_ops_tools.raw_schema import RAW_TABLES

    proc = _subprocess(wh, ["load", str(parquet_dir.resolve())], "load", progress)
    counts = {name: int(pq.ParquetFile(parquet_dir / f"{name}.parquet").metadata.num_rows) for name in RAW_TABLES}
    return counts, proc


def append_raw(wh: Warehouse, rows: pa.Table, progress: bool = False) -> dict[str, Any]:
    """Append ``rows`` to the raw ai_events table (written to a Parquet file first); the process's figures."""
    path = wh.workdir / "increment" / "ai_events.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(rows, path)
    return _subprocess(wh, ["append", str(path.resolve())], "append", progress)


def snapshot_marts(wh: Warehouse, cmp_dir: Path) -> list[str]:
    """Copy every table folder of the marts database to ``cmp_dir``; returns the table names."""
    source = _warehouse_dir(wh) / f"{wh.marts_schema()}.db"
    if cmp_dir.exists():
        shutil.rmtree(cmp_dir)
    cmp_dir.mkdir(parents=True)
    tables = sorted(p.name for p in source.iterdir() if p.is_dir()) if source.is_dir() else []
    for t in tables:
        shutil.copytree(source / t, cmp_dir / t)
    return tables


def compare_folders(incremental_dir: Path, full_dir: Path, tables: list[str],
                    max_diff_rows: int = 200_000) -> dict[str, dict[str, int]]:
    """Per table: rows only in ``incremental_dir/<t>`` / only in ``full_dir/<t>`` (folders of Parquet files).

    Both are read by DuckDB (``read_parquet``, hive partitions as columns) and compared as on
    DuckDB and Postgres (``compare_relations``). A table missing from either side, or a folder
    without Parquet files (Spark may write none for an empty table), counts as an empty table.
    """
    import duckdb

    full_tables = [p.name for p in full_dir.iterdir() if p.is_dir()] if full_dir.is_dir() else []
    names = sorted(set(tables) | set(full_tables))
    con = duckdb.connect(":memory:")
    readable: list[str] = []
    try:
        con.execute("set TimeZone = 'UTC'")
        sides = {"incremental": incremental_dir, "full_refresh": full_dir}
        for schema in sides:
            con.execute(f"create schema {schema}")
        for name in names:
            files = {schema: _parquet_pattern(root / name) for schema, root in sides.items()}
            shape = next((f for f in files.values() if f), None)
            if shape is None:
                continue  # empty on both sides
            readable.append(name)
            for schema, pattern in files.items():
                con.execute(f'create view {schema}."{name}" as select * from '
                            f"read_parquet('{_sql_string(pattern or shape)}', hive_partitioning = true)"
                            + ("" if pattern else " where false"))
        out = compare_relations(lambda sql, params=None: con.execute(sql, params or []).fetchall(), "?",
                                "incremental", "full_refresh", readable, max_diff_rows)
    finally:
        con.close()
    empty = {"rows": 0, "only_incremental": 0, "only_full_refresh": 0,
             "exact_only_incremental": 0, "exact_only_full_refresh": 0}
    return {name: out.get(name, dict(empty)) for name in names}


def _parquet_pattern(folder: Path) -> str | None:
    """A read_parquet glob of the folder's Parquet files, None when it has none (or does not exist)."""
    if not folder.is_dir() or not any(folder.rglob("*.parquet")):
        return None
    return str(folder / "**" / "*.parquet")


def _sql_string(text: str) -> str:
    return text.replace("'", "''")


def compare_marts(wh: Warehouse, cmp_dir: Path, tables: list[str]) -> dict[str, dict[str, int]]:
    """The incremental run's marts (copied to ``cmp_dir``) against the marts database now (the full refresh)."""
    try:
        return compare_folders(cmp_dir, _warehouse_dir(wh) / f"{wh.marts_schema()}.db", tables)
    finally:
        shutil.rmtree(cmp_dir, ignore_errors=True)
