"""``ai-ops load-otlp``: OTLP/JSON trace files appended to ``raw.otel_spans``, in bulk.

DuckDB takes Arrow batches, Postgres a COPY per batch; the whole load is one transaction, so
an interrupted run leaves the table as it was. The table is created when it is missing (with
the columns the dbt source declares) and never dropped: spans are append-only, and a span
loaded twice is deduplicated by staging (the earliest ``loaded_at`` wins).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.csv as pa_csv
from tqdm import tqdm

from ai_ops_tools.otlp import OTEL_SPANS_COLUMNS, OTEL_SPANS_TABLE, Rejected, Row, _Progress, parse_file, utc_now
from ai_ops_tools.raw_schema import RAW_TABLES

BATCH_ROWS = 50_000
_ARROW_TYPES = {"text": pa.string(), "timestamp": pa.timestamp("us"), "bigint": pa.int64()}


@dataclass
class OtlpLoadReport:
    """What one load read, wrote and left out."""

    files: int = 0
    records: int = 0
    spans: int = 0
    rejected: list[Rejected] = field(default_factory=list)


def otel_columns() -> list[tuple[str, str]]:
    """The columns of raw.otel_spans: the dbt source's declaration, which must be the contract's."""
    declared = RAW_TABLES.get(OTEL_SPANS_TABLE)
    if declared is None:
        return list(OTEL_SPANS_COLUMNS)
    if {name for name, _ in declared} != {name for name, _ in OTEL_SPANS_COLUMNS}:
        raise ValueError(
            f"the dbt source declares {OTEL_SPANS_TABLE} with columns {[n for n, _ in declared]}, "
            f"CONTRACT.md with {[n for n, _ in OTEL_SPANS_COLUMNS]}: make them agree"
        )
    return declared


def create_sql(schema: str, catalog: str | None = None) -> str:
    cols = ",\n    ".join(f'"{name}" {sql_type}' for name, sql_type in otel_columns())
    prefix = f'"{catalog}".' if catalog else ""
    return f'create table if not exists {prefix}"{schema}"."{OTEL_SPANS_TABLE}" (\n    {cols}\n)'


def arrow_batch(rows: list[Row]) -> pa.Table:
    schema = pa.schema([(name, _ARROW_TYPES.get(sql_type, pa.string())) for name, sql_type in otel_columns()])
    return pa.Table.from_pylist(rows, schema=schema)


class _Writer(Protocol):
    def write(self, table: pa.Table) -> None: ...


class _DuckDBWriter:
    def __init__(self, con: Any, raw_schema: str) -> None:
        catalog = con.execute("select current_database()").fetchall()[0][0]
        con.execute(f'create schema if not exists "{catalog}"."{raw_schema}"').fetchall()
        con.execute(create_sql(raw_schema, catalog)).fetchall()
        self.con = con
        self.qualified = f'"{catalog}"."{raw_schema}"."{OTEL_SPANS_TABLE}"'

    def write(self, table: pa.Table) -> None:
        cols = ", ".join(f'"{c}"' for c in table.column_names)
        self.con.register("otlp_batch", table)
        try:
            self.con.execute(f"insert into {self.qualified} ({cols}) select {cols} from otlp_batch").fetchall()
        finally:
            self.con.unregister("otlp_batch")


class _PostgresWriter:
    def __init__(self, cur: Any, raw_schema: str) -> None:
        cur.execute(f'create schema if not exists "{raw_schema}"')
        cur.execute(create_sql(raw_schema))
        self.cur = cur
        self.qualified = f'"{raw_schema}"."{OTEL_SPANS_TABLE}"'

    def write(self, table: pa.Table) -> None:
        # pyarrow writes NULL as an empty field and '' as "": how CSV COPY tells them apart
        buf = io.BytesIO()
        pa_csv.write_csv(table, buf, pa_csv.WriteOptions(include_header=False))
        cols = ", ".join(f'"{c}"' for c in table.column_names)
        self.cur.copy_expert(f"copy {self.qualified} ({cols}) from stdin with (format csv)", io.BytesIO(buf.getvalue()))


def _stream(files: list[Path], loaded_at: datetime, report: OtlpLoadReport,
            bar: tqdm[Any]) -> Iterator[Row]:
    for path in files:
        report.files += 1
        for item, size in parse_file(path, loaded_at):
            if isinstance(item, Rejected):
                report.rejected.append(item)
            elif isinstance(item, _Progress):
                report.records += 1
            else:
                report.spans += 1
                yield item
            bar.update(size)


def _write_all(writer: _Writer, files: list[Path], loaded_at: datetime, report: OtlpLoadReport,
               progress: bool, batch_rows: int) -> None:
    total = None if any(p.suffix == ".gz" for p in files) else sum(p.stat().st_size for p in files)
    with tqdm(total=total, desc="load-otlp", unit="B", unit_scale=True, disable=not progress) as bar:
        batch: list[Row] = []
        for row in _stream(files, loaded_at, report, bar):
            batch.append(row)
            if len(batch) >= batch_rows:
                writer.write(arrow_batch(batch))
                batch = []
        if batch:
            writer.write(arrow_batch(batch))


def load_otlp_duckdb(files: list[Path], path: Path | str, raw_schema: str = "raw", progress: bool = True,
                     loaded_at: datetime | None = None, batch_rows: int = BATCH_ROWS) -> OtlpLoadReport:
    """Append the spans of the files to raw_schema.otel_spans in a DuckDB file (created when missing)."""
    import duckdb

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    report = OtlpLoadReport()
    con = duckdb.connect(str(path))
    try:
        con.execute("begin transaction").fetchall()
        _write_all(_DuckDBWriter(con, raw_schema), files, loaded_at or utc_now(), report, progress, batch_rows)
        con.execute("commit").fetchall()
    finally:
        con.close()
    return report


def load_otlp_postgres(files: list[Path], raw_schema: str = "raw", settings: Any = None, progress: bool = True,
                       loaded_at: datetime | None = None, batch_rows: int = BATCH_ROWS) -> OtlpLoadReport:
    """Append the spans of the files to raw_schema.otel_spans in Postgres (AI_OPS_PG_* settings)."""
    from ai_ops_tools.loader import PostgresSettings

    settings = settings or PostgresSettings.from_env()
    report = OtlpLoadReport()
    conn = settings.connect()
    try:
        with conn, conn.cursor() as cur:  # one transaction: committed on success, rolled back on error
            _write_all(_PostgresWriter(cur, raw_schema), files, loaded_at or utc_now(), report, progress, batch_rows)
    finally:
        conn.close()
    return report
