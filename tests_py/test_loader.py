"""Loaders: every generated row arrives, with the raw_schema column names and types."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from ai_ops_tools import loader
from ai_ops_tools.generator import GeneratedData, write_parquet
from ai_ops_tools.raw_schema import RAW_TABLES

# How each warehouse reports the portable DDL types of raw_schema.
DUCKDB_TYPES = {"text": "VARCHAR", "timestamp": "TIMESTAMP", "date": "DATE", "boolean": "BOOLEAN",
                "integer": "INTEGER", "bigint": "BIGINT", "double precision": "DOUBLE"}
POSTGRES_TYPES = {"text": "text", "timestamp": "timestamp without time zone", "date": "date",
                  "boolean": "boolean", "integer": "integer", "bigint": "bigint",
                  "double precision": "double precision"}


def _duckdb_rows(path: Path, sql: str) -> list[tuple]:  # type: ignore[type-arg]
    import duckdb

    con = duckdb.connect(str(path))
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _check_duckdb(path: Path, schema: str, generated: GeneratedData) -> None:
    for name, columns in RAW_TABLES.items():
        (count,) = _duckdb_rows(path, f'select count(*) from "{schema}"."{name}"')[0]
        assert count == generated.tables[name].num_rows, name
        got = _duckdb_rows(
            path,
            f"select column_name, data_type from information_schema.columns "
            f"where table_schema = '{schema}' and table_name = '{name}' order by ordinal_position",
        )
        assert got == [(c, DUCKDB_TYPES[t]) for c, t in columns], name


def test_duckdb_from_arrow(tmp_path: Path, generated: GeneratedData) -> None:
    path = tmp_path / "warehouse.duckdb"
    counts = loader.load_duckdb(generated.tables, path, "raw_test", progress=False)
    assert counts == {n: t.num_rows for n, t in generated.tables.items()}
    _check_duckdb(path, "raw_test", generated)
    # loading again replaces the tables instead of appending
    loader.load_duckdb(generated.tables, path, "raw_test", progress=False)
    _check_duckdb(path, "raw_test", generated)


def test_duckdb_from_parquet(tmp_path: Path, generated: GeneratedData) -> None:
    write_parquet(generated, tmp_path / "data", progress=False)
    path = tmp_path / "warehouse.duckdb"
    counts = loader.load_duckdb_parquet(tmp_path / "data", path, "raw", progress=False)
    assert counts == {n: t.num_rows for n, t in generated.tables.items()}
    _check_duckdb(path, "raw", generated)


def test_duckdb_keeps_nulls_and_text_exactly(tmp_path: Path, generated: GeneratedData) -> None:
    path = tmp_path / "warehouse.duckdb"
    loader.load_duckdb(generated.tables, path, "raw", progress=False)
    props = generated.tables["ai_events"].column("properties").to_pylist()
    loaded = [r[0] for r in _duckdb_rows(path, "select properties from raw.ai_events")]
    assert sorted(p for p in props if p is not None) == sorted(p for p in loaded if p is not None)
    assert loaded.count(None) == props.count(None) >= 2


@pytest.mark.postgres
def test_postgres_copy(generated: GeneratedData, pg_settings: loader.PostgresSettings) -> None:
    schema = f"pytest_loader_{uuid.uuid4().hex[:8]}"
    try:
        counts = loader.load_postgres(generated.tables, schema, pg_settings, progress=False, batch_rows=500)
        assert counts == {n: t.num_rows for n, t in generated.tables.items()}
        conn = pg_settings.connect()
        try:
            with conn, conn.cursor() as cur:
                for name, columns in RAW_TABLES.items():
                    cur.execute(f'select count(*) from "{schema}"."{name}"')
                    assert cur.fetchone()[0] == generated.tables[name].num_rows, name
                    cur.execute(
                        "select column_name, data_type from information_schema.columns "
                        "where table_schema = %s and table_name = %s order by ordinal_position",
                        (schema, name),
                    )
                    assert cur.fetchall() == [(c, POSTGRES_TYPES[t]) for c, t in columns], name
                # NULL stays NULL and free text with quotes, newlines and unicode survives CSV COPY
                props = generated.tables["ai_events"].column("properties").to_pylist()
                cur.execute(f'select properties from "{schema}".ai_events')
                loaded = [r[0] for r in cur.fetchall()]
                assert sorted(p for p in props if p is not None) == sorted(p for p in loaded if p is not None)
                assert loaded.count(None) == props.count(None)
                ts = generated.tables["ai_events"].column("occurred_at").to_pylist()
                cur.execute(f'select occurred_at from "{schema}".ai_events')
                assert sorted(t for t in ts if t) == sorted(r[0] for r in cur.fetchall() if r[0])
        finally:
            conn.close()
    finally:
        assert schema in loader.drop_postgres_schemas(schema, pg_settings)
