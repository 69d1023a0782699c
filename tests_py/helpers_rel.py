"""Helpers for the freshness, privacy, grants, GX and bad-input tests.

Most tests reuse the session-built projects of conftest.py. The few that need
different raw data (freshness, bad input, empty or missing raw tables) build a
small extra project with ``extra_project``: its own DuckDB file or Postgres
schemas, dropped again afterwards.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ai_ops_tools import loader
from ai_ops_tools.bench.compare import WRITE_TIME_COLUMNS
from ai_ops_tools.raw_schema import RAW_TABLES, arrow_schema
from conftest import PROJECT_DIR, DbtProject

# Text-like column types as information_schema spells them on each warehouse.
TEXT_TYPES = {"text", "character varying", "varchar", "character", "json", "jsonb"}


# --- raw data -----------------------------------------------------------------------------


def shift_each_table(tables: dict[str, pa.Table], newest_loaded_at: datetime) -> dict[str, pa.Table]:
    """A copy where EVERY table's newest loaded_at is ``newest_loaded_at``.

    ``ai-ops generate --end-at`` moves all tables by one delta, so only the
    newest table ends at that moment; freshness is per table, hence one shift
    per table here (all timestamp columns of a table move together).
    """
    out: dict[str, pa.Table] = {}
    for name, table in tables.items():
        newest = pc.max(table.column("loaded_at")).as_py()
        if newest is None:
            out[name] = table
            continue
        shift = pa.scalar(newest_loaded_at - newest, pa.duration("us"))
        for i, (col, sql_type) in enumerate(RAW_TABLES[name]):
            if sql_type == "timestamp":
                table = table.set_column(i, col, pc.add(table.column(col), shift).cast(pa.timestamp("us")))
        out[name] = table
    return out


def duckdb_copy(project: DbtProject, dest_dir: Path) -> Path:
    """A copy of the project's DuckDB file (and its WAL) in ``dest_dir``, under the same name.

    This process's dbt-duckdb keeps the session file open, and DuckDB lets one process hold a
    file, so a subprocess (sqlfluff, a script, another DuckDB version) works on a copy. The name
    stays: it is the catalog name the views were created with.
    """
    assert project.duckdb_path is not None
    dest_dir.mkdir(parents=True, exist_ok=True)
    dest = dest_dir / project.duckdb_path.name
    shutil.copy(project.duckdb_path, dest)
    wal = project.duckdb_path.with_name(project.duckdb_path.name + ".wal")
    if wal.exists():
        shutil.copy(wal, dest.with_name(dest.name + ".wal"))
    return dest


def utc_now() -> datetime:
    """Naive UTC now (raw timestamps are UTC without time zone)."""
    return datetime.utcnow().replace(microsecond=0)  # noqa: DTZ003 - naive UTC on purpose


def rows_table(name: str, rows: list[dict[str, Any]]) -> pa.Table:
    """A raw table from dicts (missing columns are null), typed like the loader's DDL."""
    schema = arrow_schema(name)
    return pa.Table.from_pylist([{c: r.get(c) for c in schema.names} for r in rows], schema=schema)


def append_rows(tables: dict[str, pa.Table], name: str, rows: list[dict[str, Any]]) -> dict[str, pa.Table]:
    out = dict(tables)
    out[name] = pa.concat_tables([tables[name].cast(arrow_schema(name)), rows_table(name, rows)])
    return out


def empty_tables() -> dict[str, pa.Table]:
    return {name: arrow_schema(name).empty_table() for name in RAW_TABLES}


# --- extra projects -------------------------------------------------------------------------


def _profiles(workdir: Path) -> None:
    target = workdir / "profiles"
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(PROJECT_DIR / "profiles.yml.example", target / "profiles.yml")


@contextlib.contextmanager
def extra_project(target: str, workdir: Path, tables: dict[str, pa.Table] | None, truths: dict[str, Any],
                  pg: loader.PostgresSettings | None = None, tag: str = "rel",
                  all_text: bool = False) -> Iterator[DbtProject]:
    """A project with its own raw data (``tables``; None = load nothing) and its own target.

    DuckDB: a new file in ``workdir``. Postgres: schema ``<tag>_<random>`` plus
    its raw schema ``<tag>_<random>_raw``, all dropped on exit. ``all_text``
    creates every raw column as text (``ai-ops load --all-text``).
    """
    workdir.mkdir(parents=True, exist_ok=True)
    _profiles(workdir)
    if target == "duckdb":
        path = workdir / "ai_ops.duckdb"
        if tables is not None:
            loader.load_duckdb(tables, path, "raw", progress=False, all_text=all_text)
        yield DbtProject(
            target="duckdb", schema="pytest", raw_schema="raw", truths=truths, workdir=workdir,
            env={"AI_OPS_TARGET": "duckdb", "AI_OPS_DUCKDB_PATH": str(path), "AI_OPS_SCHEMA": "pytest"},
            duckdb_path=path,
        )
        return
    assert pg is not None
    schema = f"{tag}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    raw_schema = f"{schema}_raw"
    try:
        if tables is not None:
            loader.load_postgres(tables, raw_schema, pg, progress=False, all_text=all_text)
        yield DbtProject(
            target="postgres", schema=schema, raw_schema=raw_schema, truths=truths, workdir=workdir,
            env={"AI_OPS_TARGET": "postgres", "AI_OPS_SCHEMA": schema}, pg=pg,
        )
    finally:
        loader.drop_postgres_schemas(schema, pg)


def seed_and_build(project: DbtProject, build_args: Iterable[str] = ()) -> Any:
    """dbt seed then dbt build; returns the build outcome (or the failed seed outcome)."""
    seed = project.dbt(["seed"])
    if not seed.success:
        return seed
    return project.dbt(["build", *build_args])


# --- warehouse scans ------------------------------------------------------------------------


def columns_of(project: DbtProject, schemas: Iterable[str]) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """{(schema, relation): [(column, data_type), ...]} for every relation in ``schemas``."""
    wanted = set(schemas)
    rows = project.query(
        "select table_schema, table_name, column_name, data_type from information_schema.columns "
        "order by table_schema, table_name, ordinal_position"
    )
    out: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for schema, table, column, data_type in rows:
        if schema in wanted:
            out.setdefault((schema, table), []).append((column, str(data_type).lower()))
    return out


def comparable_columns(names: Iterable[str]) -> list[str]:
    """The columns two builds of the same data must agree on: all but WRITE_TIME_COLUMNS, in order."""
    return [n for n in names if n not in WRITE_TIME_COLUMNS]


def comparable_rows(project: DbtProject, relation: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """(columns, rows) of ``relation`` (`"schema"."name"`, as DbtProject.relation gives it), unsorted,
    without the write-time columns."""
    schema, name = (part.strip('"') for part in relation.split(".")[-2:])
    names = comparable_columns(c for (c,) in project.query(
        "select column_name from information_schema.columns "
        f"where table_schema = {project.placeholder} and table_name = {project.placeholder} "
        "order by ordinal_position",
        [schema, name],
    ))
    assert names, f"{relation}: no columns found"
    quoted = ", ".join(f'"{n}"' for n in names)
    return names, [tuple(row) for row in project.query(f"select {quoted} from {relation}")]


def frame(project: DbtProject, sql: str) -> pd.DataFrame:
    """A query's rows as a DataFrame (a fresh connection, closed after)."""
    if project.target == "duckdb":
        import duckdb

        con = duckdb.connect(str(project.duckdb_path))
        try:
            return con.execute(sql).df()
        finally:
            con.close()
    assert project.pg is not None
    conn = project.pg.connect()
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            return pd.DataFrame(cur.fetchall(), columns=[d[0] for d in cur.description])
    finally:
        conn.close()


def project_schemas(project: DbtProject) -> list[str]:
    """Every schema this project's dbt build wrote (raw excluded)."""
    return sorted({s for s, _ in project.relations() if s != project.raw_schema})


def text_values(project: DbtProject, schema: str, relation: str, columns: list[str]) -> list[str]:
    """All non-null values of the given columns, as text."""
    if not columns:
        return []
    parts = " union all ".join(
        f'select cast("{c}" as text) as v from "{schema}"."{relation}" where "{c}" is not null' for c in columns
    )
    return [r[0] for r in project.query(f"select distinct v from ({parts}) as t")]


def find_strings(haystack: Iterable[str], needles: Iterable[str]) -> set[str]:
    """The needles that occur as a substring of any haystack value."""
    blob = "\x00".join(haystack)
    return {n for n in needles if n and n in blob}


def log_text(project: DbtProject) -> str:
    logs = project.workdir / "logs"
    return "\n".join(p.read_text(errors="replace") for p in sorted(logs.rglob("*.log"))) if logs.exists() else ""


def utc_hours_ago(hours: float) -> datetime:
    return utc_now() - timedelta(hours=hours)
