"""Bulk loaders for the raw tables: DuckDB from Arrow, Postgres through COPY.

Both drop and recreate the raw tables with ``raw_schema.create_table_sql`` so
a load always yields exactly the generated rows, and neither ever inserts row
by row (a million single INSERTs into Postgres take hours, COPY takes seconds).
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pa_csv
from tqdm import tqdm

from ai_ops_tools.raw_schema import RAW_TABLES, arrow_schema, column_names, create_table_sql

COPY_BATCH_ROWS = 200_000


@dataclass(frozen=True)
class PostgresSettings:
    """Connection settings read from the same variables as profiles.yml.example."""

    host: str = "127.0.0.1"
    port: int = 5432
    user: str = "postgres"
    password: str = ""
    dbname: str = "postgres"

    @classmethod
    def from_env(cls) -> PostgresSettings:
        return cls(
            host=os.environ.get("AI_OPS_PG_HOST", "127.0.0.1"),
            port=int(os.environ.get("AI_OPS_PG_PORT", "5432")),
            user=os.environ.get("AI_OPS_PG_USER", "postgres"),
            password=os.environ.get("AI_OPS_PG_PASSWORD", ""),
            dbname=os.environ.get("AI_OPS_PG_DATABASE", "postgres"),
        )

    def connect(self, connect_timeout: int = 10) -> Any:
        import psycopg2

        try:
            return psycopg2.connect(
                host=self.host, port=self.port, user=self.user, password=self.password or None,
                dbname=self.dbname, connect_timeout=connect_timeout,
            )
        except psycopg2.OperationalError as exc:
            raise ConnectionError(
                f"cannot connect to Postgres at {self.host}:{self.port} as {self.user} (db {self.dbname}): "
                f"{str(exc).strip()}. Start the server or set AI_OPS_PG_HOST/PORT/USER/PASSWORD/DATABASE."
            ) from exc


def default_duckdb_path() -> Path:
    return Path(os.environ.get("AI_OPS_DUCKDB_PATH", "warehouse/ai_ops.duckdb"))


def _conform(table_name: str, table: pa.Table, all_text: bool = False) -> pa.Table:
    """Order and type the columns as the DDL says; fail loudly on a mismatch."""
    schema = arrow_schema(table_name, all_text)
    missing = [c for c in schema.names if c not in table.column_names]
    if missing:
        raise ValueError(f"table {table_name} lacks columns {missing}: regenerate the data with this version")
    return table.select(schema.names).cast(schema)


def load_duckdb(tables: dict[str, pa.Table], path: Path | str, raw_schema: str = "raw",
                progress: bool = True, all_text: bool = False) -> dict[str, int]:
    """Create the raw tables in a DuckDB file and fill them (``all_text``: every column text); rows per table."""

    def rows_of(con: Any, name: str) -> tuple[str, list[Any]]:
        con.register("arrow_table", _conform(name, tables[name], all_text))
        return "arrow_table", []

    return _load_duckdb_tables(path, raw_schema, progress, rows_of, all_text)


def load_duckdb_parquet(in_dir: Path, path: Path | str, raw_schema: str = "raw",
                        progress: bool = True, all_text: bool = False) -> dict[str, int]:
    """Like load_duckdb but lets DuckDB read the parquet files itself (no Python copy)."""

    def rows_of(con: Any, name: str) -> tuple[str, list[Any]]:
        file = in_dir / f"{name}.parquet"
        if not file.exists():
            raise FileNotFoundError(f"{file} is missing: run `ai-ops generate --out {in_dir}` first")
        return "read_parquet(?)", [str(file)]

    return _load_duckdb_tables(path, raw_schema, progress, rows_of, all_text)


def _load_duckdb_tables(path: Path | str, raw_schema: str, progress: bool,
                        rows_of: Callable[[Any, str], tuple[str, list[Any]]],
                        all_text: bool = False) -> dict[str, int]:
    """(Re)create every raw table in a DuckDB file and insert ``select <columns> from <rows_of(con, name)>``.

    ``rows_of`` returns the relation to read (and its parameters); it runs before the table is
    dropped, so a missing input leaves that table as it was. Returns the rows per table.
    """
    import duckdb

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    con = duckdb.connect(str(path))
    try:
        catalog = _duckdb_catalog(con, raw_schema)
        for name in tqdm(RAW_TABLES, desc=f"load duckdb {raw_schema}", unit="table", disable=not progress):
            relation, params = rows_of(con, name)
            qualified = f'"{catalog}"."{raw_schema}"."{name}"'
            con.execute(f"drop table if exists {qualified}").fetchall()
            con.execute(create_table_sql(raw_schema, name, catalog, all_text)).fetchall()
            cols = ", ".join(f'"{c}"' for c in column_names(name))
            con.execute(f"insert into {qualified} ({cols}) select {cols} from {relation}", params).fetchall()
            # every result fetched to the end: DuckDB 2.0 refuses register() while one is unfinished
            counts[name] = int(con.execute(f"select count(*) from {qualified}").fetchall()[0][0])
    finally:
        con.close()
    return counts


def _duckdb_catalog(con: Any, raw_schema: str) -> str:
    """Create the schema and return the file's catalog name for fully qualified names."""
    catalog = con.execute("select current_database()").fetchall()[0][0]  # always one row
    con.execute(f'create schema if not exists "{catalog}"."{raw_schema}"').fetchall()
    return str(catalog)


def _csv_batches(table: pa.Table, batch_rows: int) -> Iterator[tuple[int, bytes]]:
    # pyarrow writes NULL as an empty field and '' as "", which is exactly how
    # Postgres CSV COPY tells NULL from the empty string.
    options = pa_csv.WriteOptions(include_header=False)
    for batch in table.to_batches(max_chunksize=batch_rows):
        buf = io.BytesIO()
        pa_csv.write_csv(pa.Table.from_batches([batch]), buf, options)
        yield batch.num_rows, buf.getvalue()


def load_postgres(tables: dict[str, pa.Table], raw_schema: str = "raw", settings: PostgresSettings | None = None,
                  progress: bool = True, batch_rows: int = COPY_BATCH_ROWS, all_text: bool = False) -> dict[str, int]:
    """Create the raw tables in Postgres and COPY the rows in (``all_text``: every column text); rows per table."""
    settings = settings or PostgresSettings.from_env()
    total = sum(tables[name].num_rows for name in RAW_TABLES)
    counts: dict[str, int] = {}
    conn = settings.connect()
    try:
        with conn, conn.cursor() as cur, tqdm(total=total, desc=f"load postgres {raw_schema}", unit="row",
                                               unit_scale=True, disable=not progress) as bar:
            cur.execute(f'create schema if not exists "{raw_schema}"')
            for name in RAW_TABLES:
                table = _conform(name, tables[name], all_text)
                cur.execute(f'drop table if exists "{raw_schema}"."{name}"')
                cur.execute(create_table_sql(raw_schema, name, all_text=all_text))
                cols = ", ".join(f'"{c}"' for c in column_names(name))
                sql = f'copy "{raw_schema}"."{name}" ({cols}) from stdin with (format csv)'
                for n_rows, payload in _csv_batches(table, batch_rows):
                    cur.copy_expert(sql, io.BytesIO(payload))
                    bar.update(n_rows)
                counts[name] = table.num_rows
    finally:
        conn.close()
    return counts


def drop_postgres_schemas(prefix: str, settings: PostgresSettings | None = None) -> list[str]:
    """Drop a schema and every schema named prefix_* (dbt's custom schemas)."""
    settings = settings or PostgresSettings.from_env()
    conn = settings.connect()
    dropped: list[str] = []
    try:
        with conn, conn.cursor() as cur:
            cur.execute(
                "select nspname from pg_namespace where nspname = %s or nspname like %s",
                (prefix, prefix.replace("_", r"\_") + r"\_%"),
            )
            for (schema,) in cur.fetchall():
                cur.execute(f'drop schema "{schema}" cascade')
                dropped.append(schema)
    finally:
        conn.close()
    return dropped
