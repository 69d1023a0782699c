"""The raw tables on Apache Spark: Parquet-backed tables in the raw database of a local Spark session.

dbt-spark's ``session`` method runs Spark inside the Python process and gets its session with
``SparkSession.builder.enableHiveSupport()`` plus the profile's ``server_side_parameters`` and
``getOrCreate()``. This loader opens the session with the very same settings, read from the
``spark`` target of the profiles.yml dbt uses, so both agree on the warehouse directory (where
the Parquet folders land) and on the Hive metastore (an embedded Derby database in
``<warehouse>/metastore_db``, which one process opens at a time). Run in the same process as dbt
(``ai-ops demo --target spark``), dbt's ``getOrCreate()`` finds this session and reuses it; run
alone (``ai-ops load --target spark``), it stops the session so that dbt can open the metastore
afterwards.

Each raw table is created with the types of its dbt source declaration (CONTRACT.md section 1)
and filled from Parquet files with one ``insert overwrite ... select cast(...)`` per table: no
rows pass through Python, no pandas.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from tqdm import tqdm

from ai_ops_tools.raw_schema import BIGINT, BOOL, DATE, DOUBLE, INT, RAW_TABLES, TEXT, TS

WAREHOUSE_ENV = "AI_OPS_SPARK_WAREHOUSE"
DEFAULT_WAREHOUSE = Path("warehouse/spark")
PROFILE_NAME = "ai_ops"
SPARK_TARGET = "spark"

# The contract's portable SQL types as Spark SQL spells them (timestamps: the session's time zone is
# UTC, set in the profile, so a Spark `timestamp` holds the UTC wall clock the contract means).
SPARK_TYPES: dict[str, str] = {
    TEXT: "string",
    TS: "timestamp",
    DATE: "date",
    BOOL: "boolean",
    INT: "int",
    BIGINT: "bigint",
    DOUBLE: "double",
}


class SparkUnavailable(RuntimeError):
    """pyspark (the `spark` extra) or Java is missing."""


def default_warehouse(project: Path | None = None) -> Path:
    """AI_OPS_SPARK_WAREHOUSE, else warehouse/spark; relative paths from ``project`` (else the cwd)."""
    path = Path(os.environ.get(WAREHOUSE_ENV, str(DEFAULT_WAREHOUSE)))
    if not path.is_absolute() and project is not None:
        path = project / path
    return path.resolve()


def spark_type(sql_type: str, all_text: bool = False) -> str:
    return SPARK_TYPES[TEXT] if all_text else SPARK_TYPES[sql_type]


def create_table_sql(database: str, table: str, parquet_path: Path, all_text: bool = False) -> str:
    """One raw table as a managed Parquet table in ``database``, filled from a Parquet file.

    Every column is cast to the type of its dbt source declaration, so the table has exactly the
    contract's columns and types whatever the file holds (one statement: the metastore, not the
    data, is what costs time on a small load).
    """
    return f"create table `{database}`.`{table}` using parquet as {_cast_select(table, parquet_path, all_text)}"


def insert_sql(database: str, table: str, parquet_path: Path, all_text: bool = False) -> str:
    """Append the rows of a Parquet file to a raw table, cast as ``create_table_sql`` casts them."""
    return f"insert into `{database}`.`{table}` {_cast_select(table, parquet_path, all_text)}"


def _cast_select(table: str, parquet_path: Path, all_text: bool) -> str:
    """``select`` of the raw table's columns, each cast to its contract type, from a Parquet file."""
    cols = ",\n    ".join(f"cast(`{name}` as {spark_type(sql_type, all_text)}) as `{name}`"
                          for name, sql_type in RAW_TABLES[table])
    location = str(parquet_path).replace("`", "``")
    return f"select\n    {cols}\nfrom parquet.`{location}`"


def session_settings(warehouse: Path, profiles_dir: Path) -> dict[str, str]:
    """The ``server_side_parameters`` of the profile's spark target, rendered with ``warehouse``.

    Rendered by dbt's own profile renderer, with AI_OPS_SPARK_WAREHOUSE set to ``warehouse``, so
    the values are exactly those dbt will use; plus ``spark.sql.ansi.enabled=false``, which
    dbt-spark always adds.
    """
    import yaml
    from dbt.config.renderer import ProfileRenderer
    from dbt_common.context import set_invocation_context

    from ai_ops_tools.dbt_run import env_overrides

    path = profiles_dir / "profiles.yml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    output = ((doc.get(PROFILE_NAME) or {}).get("outputs") or {}).get(SPARK_TARGET)
    if not output:
        raise SparkUnavailable(f"{path} has no `{SPARK_TARGET}` target in profile {PROFILE_NAME}: "
                               "copy it from profiles.yml.example")
    if str(output.get("method", "")) != "session":
        raise SparkUnavailable(f"the {SPARK_TARGET} target of {path} is not `method: session`: the loader "
                               "writes into a local Spark only; load a cluster with your own pipeline")
    with env_overrides({WAREHOUSE_ENV: str(warehouse)}):
        set_invocation_context(dict(os.environ))
        rendered = ProfileRenderer({}).render_data(output.get("server_side_parameters") or {})
    settings = {str(k): str(v) for k, v in rendered.items()}
    settings["spark.sql.ansi.enabled"] = "false"
    return settings


def require_spark() -> None:
    """Raise SparkUnavailable, saying what to install, unless pyspark (the `spark` extra) and Java are here."""
    import importlib.util

    if importlib.util.find_spec("pyspark") is None:
        raise SparkUnavailable(
            "pyspark is not installed: `make install-spark` (or pip install -e '.[spark]') installs "
            "dbt-spark[session]"
        )
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        raise SparkUnavailable("Spark needs Java 17 or newer: install a JDK (e.g. openjdk-17-jre-headless) "
                               "or set JAVA_HOME")


def get_session(settings: Mapping[str, str]) -> Any:
    """The process's SparkSession with Hive support and ``settings`` (as dbt-spark's session method opens it)."""
    require_spark()
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.enableHiveSupport()
    for key, value in settings.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


@contextmanager
def spark_session(warehouse: Path, profiles_dir: Path, stop: bool) -> Iterator[Any]:
    """A session on ``warehouse``; stopped on exit when ``stop`` (frees the Derby metastore for another process)."""
    warehouse.mkdir(parents=True, exist_ok=True)
    session = get_session(session_settings(warehouse, profiles_dir))
    configured = Path(session.conf.get("spark.sql.warehouse.dir").removeprefix("file:")).resolve()
    if configured != warehouse.resolve():
        raise SparkUnavailable(f"this process's Spark session already uses warehouse {configured}, not {warehouse}: "
                               "one Spark session per process; run the other warehouse in its own process")
    try:
        yield session
    finally:
        if stop:
            session.stop()


def _write_parquet(tables: Mapping[str, pa.Table], out: Path) -> dict[str, Path]:
    files: dict[str, Path] = {}
    for name in RAW_TABLES:
        if name not in tables:
            raise ValueError(f"no data for raw table {name}: regenerate the data with this version")
        files[name] = out / f"{name}.parquet"
        pq.write_table(tables[name], files[name])
    return files


def load_spark(tables: Mapping[str, pa.Table] | None, warehouse: Path, profiles_dir: Path,
               raw_schema: str = "raw", progress: bool = True, all_text: bool = False,
               from_dir: Path | None = None, stop: bool = True) -> dict[str, int]:
    """(Re)create every raw table as a Parquet table in database ``raw_schema``; rows per table.

    The rows come from ``tables`` (written to a temporary Parquet file each) or from the Parquet
    files of ``ai-ops generate`` in ``from_dir``. ``stop=False`` keeps the session for a dbt run
    in this process.
    """
    with tempfile.TemporaryDirectory(prefix="ai_ops_spark_load_") as tmp:
        if tables is not None:
            files = _write_parquet(tables, Path(tmp))
        elif from_dir is not None:
            files = {name: from_dir / f"{name}.parquet" for name in RAW_TABLES}
            missing = [str(f) for f in files.values() if not f.exists()]
            if missing:
                raise FileNotFoundError(f"{missing[0]} is missing: run `ai-ops generate --out {from_dir}` first")
        else:
            raise ValueError("give the tables or a directory of Parquet files")
        with spark_session(warehouse, profiles_dir, stop) as spark:
            return _load_tables(spark, files, raw_schema, progress, all_text)


def append_spark(table: str, parquet_file: Path, warehouse: Path, profiles_dir: Path,
                 raw_schema: str = "raw") -> int:
    """Append the rows of a Parquet file to raw table ``table`` (a new load); stops the session. Rows appended."""
    with spark_session(warehouse, profiles_dir, stop=True) as spark:
        spark.sql(insert_sql(raw_schema, table, parquet_file.resolve()))
    return int(pq.ParquetFile(parquet_file).metadata.num_rows)


def _load_tables(spark: Any, files: Mapping[str, Path], raw_schema: str, progress: bool,
                 all_text: bool) -> dict[str, int]:
    spark.sql(f"create database if not exists `{raw_schema}`")
    location = spark.sql(f"describe database `{raw_schema}`").filter("info_name = 'Location'").collect()
    database_dir = Path(str(location[0][1]).removeprefix("file:")) if location else None
    counts: dict[str, int] = {}
    for name in tqdm(RAW_TABLES, desc=f"load spark {raw_schema}", unit="table", disable=not progress):
        spark.sql(f"drop table if exists `{raw_schema}`.`{name}`")
        if database_dir is not None and (database_dir / name).is_dir():
            # a folder the metastore no longer knows (metastore_db deleted): Spark refuses to create over it
            shutil.rmtree(database_dir / name)
        spark.sql(create_table_sql(raw_schema, name, files[name].resolve(), all_text))
        counts[name] = pq.ParquetFile(files[name]).metadata.num_rows
    return counts


def table_folders(warehouse: Path, schema: str) -> dict[str, Path]:
    """{table: its Parquet folder} of one database (schema) of the warehouse: <warehouse>/<schema>.db/<table>/."""
    folder = warehouse / f"{schema}.db"
    if not folder.is_dir():
        return {}
    return {p.name: p for p in sorted(folder.iterdir())
            if p.is_dir() and any(f.suffix == ".parquet" for f in p.rglob("*.parquet"))}


# --- one load in a process of its own (the benchmark: dbt opens the metastore after it exits) ---


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m ai_ops_tools.spark_loader load|append``: one load in a process of its own (the benchmark's)."""
    import argparse

    from ai_ops_tools.dbt_run import profiles_dir

    p = argparse.ArgumentParser(prog="python -m ai_ops_tools.spark_loader",
                                description="the benchmark's Spark loads, one process at a time")
    p.add_argument("action", choices=("load", "append"))
    p.add_argument("path", type=Path, help="load: the generator's Parquet dir; append: one ai_events Parquet file")
    p.add_argument("--warehouse", type=Path, required=True)
    p.add_argument("--raw-schema", required=True)
    args = p.parse_args(argv)
    if args.action == "load":
        counts = load_spark(None, args.warehouse, profiles_dir(), args.raw_schema, progress=False,
                            from_dir=args.path, stop=True)
        print(f"loaded {sum(counts.values()):,} rows into {len(counts)} tables")
    else:
        n = append_spark("ai_events", args.path, args.warehouse, profiles_dir(), args.raw_schema)
        print(f"appended {n:,} rows to {args.raw_schema}.ai_events")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
