"""The raw tables of CONTRACT.md section 1: names, columns and SQL types.

They are declared once, in the dbt sources of the project
(``models/staging/<source>/_<source>__sources.yml``: every table with its
columns and their ``data_type``). This module reads that declaration so the
loaders (DuckDB and Postgres), the generator and the tests that build raw
tables by hand use the very names and types dbt checks against.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import yaml

if TYPE_CHECKING:
    import pyarrow as pa

# Portable SQL types: both DuckDB and Postgres accept these spellings.
TEXT: Final = "text"
TS: Final = "timestamp"
DATE: Final = "date"
BOOL: Final = "boolean"
INT: Final = "integer"
BIGINT: Final = "bigint"
DOUBLE: Final = "double precision"
SQL_TYPES: Final = (TEXT, TS, DATE, BOOL, INT, BIGINT, DOUBLE)


def _project_root() -> Path:
    """The dbt project this package belongs to: AI_OPS_PROJECT_DIR, else the package's own checkout."""
    env = os.environ.get("AI_OPS_PROJECT_DIR")
    candidates = [Path(env)] if env else []
    candidates += list(Path(__file__).resolve().parents)
    for candidate in candidates:
        if (candidate / "dbt_project.yml").exists():
            return candidate
    raise FileNotFoundError(
        "the ai_ops dbt project (dbt_project.yml) was not found above the ai_ops_tools package: "
        "install it from a checkout (pip install -e .) or set AI_OPS_PROJECT_DIR"
    )


def _table_columns(path: Path, table: dict[str, Any]) -> list[tuple[str, str]]:
    columns: list[tuple[str, str]] = []
    for column in table.get("columns") or []:
        sql_type = str(column.get("data_type", "")).lower()
        if sql_type not in SQL_TYPES:
            raise ValueError(
                f"{path}: raw column {table['name']}.{column['name']} has data_type {sql_type or 'none'!r}; "
                f"give it one of {', '.join(SQL_TYPES)} (the loaders create the raw tables with it)"
            )
        columns.append((str(column["name"]), sql_type))
    return columns


def read_raw_tables(models_dir: Path) -> dict[str, list[tuple[str, str]]]:
    """{raw table: [(column, sql type), ...]} from the dbt sources declared under ``models_dir``."""
    tables: dict[str, list[tuple[str, str]]] = {}
    for path in sorted(models_dir.rglob("*sources.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for source in doc.get("sources") or []:
            for table in source.get("tables") or []:
                tables[str(table.get("identifier") or table["name"])] = _table_columns(path, table)
    if not tables:
        raise FileNotFoundError(f"no dbt source tables declared in {models_dir}/**/*sources.yml")
    return tables


RAW_TABLES: Final[dict[str, list[tuple[str, str]]]] = read_raw_tables(_project_root() / "models")


def create_table_sql(schema: str, table: str, catalog: str | None = None, all_text: bool = False) -> str:
    """DDL for one raw table, valid on DuckDB and Postgres.

    ``catalog`` qualifies the name fully: DuckDB finds "raw"."x" ambiguous when
    the database file itself is called raw.duckdb. ``all_text`` makes every
    column text, as many loaders land files.
    """
    cols = ",\n    ".join(
        f'"{name}" {TEXT if all_text else sql_type}' for name, sql_type in RAW_TABLES[table]
    )
    prefix = f'"{catalog}".' if catalog else ""
    return f'create table {prefix}"{schema}"."{table}" (\n    {cols}\n)'


def column_names(table: str) -> list[str]:
    """Column names of one raw table, in DDL order."""
    return [name for name, _ in RAW_TABLES[table]]


def arrow_schema(table: str, all_text: bool = False) -> pa.Schema:
    """The Arrow schema matching the DDL, so generated frames load without casts."""
    import pyarrow as pa  # local import: the DDL helpers above must not need pyarrow

    arrow_types = {
        TEXT: pa.string(),
        TS: pa.timestamp("us"),
        DATE: pa.date32(),
        BOOL: pa.bool_(),
        INT: pa.int32(),
        BIGINT: pa.int64(),
        DOUBLE: pa.float64(),
    }
    return pa.schema([
        (name, pa.string() if all_text else arrow_types[sql_type]) for name, sql_type in RAW_TABLES[table]
    ])
