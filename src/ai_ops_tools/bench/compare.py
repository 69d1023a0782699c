"""Marts after the incremental run against a full refresh of the same data, row by row."""

from __future__ import annotations

import math
from typing import Any

from ai_ops_tools.bench.warehouse import Warehouse


def snapshot_marts(wh: Warehouse, cmp_schema: str) -> list[str]:
    """Copy every table of the marts schema into cmp_schema; returns the table names."""
    with wh.connect() as run:
        tables = [r[0] for r in run(
            "select table_name from information_schema.tables where table_schema = "
            + ("?" if wh.target == "duckdb" else "%s") + " and table_type = 'BASE TABLE' order by 1",
            [wh.marts_schema()])]
        run(f'drop schema if exists "{cmp_schema}" cascade')
        run(f'create schema "{cmp_schema}"')
        for t in tables:
            run(f'create table "{cmp_schema}"."{t}" as select * from "{wh.marts_schema()}"."{t}"')
    return tables


FLOAT_REL_TOL = 1e-9
_FLOAT_TYPES = ("double", "float", "real", "numeric", "decimal")


def _rows_match(a: tuple[Any, ...], b: tuple[Any, ...], floats: list[int]) -> bool:
    for i in floats:
        x, y = a[i], b[i]
        if x is None or y is None:
            if x is not y:
                return False
        elif not (math.isclose(float(x), float(y), rel_tol=FLOAT_REL_TOL, abs_tol=1e-12)
                  or (math.isnan(float(x)) and math.isnan(float(y)))):
            return False
    return True


def unmatched_rows(only_a: list[tuple[Any, ...]], only_b: list[tuple[Any, ...]],
                   floats: list[int]) -> tuple[int, int]:
    """Pair rows that differ only in float columns within FLOAT_REL_TOL; count the rest.

    A rebuild of the same data already differs in the last bits of parallel float sums, and
    rounding cannot hide that (money sums often sit exactly on a rounding boundary), so rows
    are matched on their other columns and compared with a relative tolerance.
    """
    floats_set = set(floats)
    pool: dict[tuple[Any, ...], list[tuple[Any, ...]]] = {}
    for row in only_b:
        pool.setdefault(tuple(v for i, v in enumerate(row) if i not in floats_set), []).append(row)
    left = 0
    for row in only_a:
        candidates = pool.get(tuple(v for i, v in enumerate(row) if i not in floats_set), [])
        hit = next((k for k, cand in enumerate(candidates) if _rows_match(row, cand, floats)), None)
        if hit is None:
            left += 1
        else:
            candidates.pop(hit)
    return left, sum(len(v) for v in pool.values())


def compare_marts(wh: Warehouse, cmp_schema: str, tables: list[str],
                  max_diff_rows: int = 200_000) -> dict[str, dict[str, int]]:
    """Per mart: rows only in the incremental copy / only in the full refresh (see ``compare_relations``)."""
    placeholder = "?" if wh.target == "duckdb" else "%s"
    with wh.connect() as run:
        out = compare_relations(run, placeholder, cmp_schema, wh.marts_schema(), tables, max_diff_rows)
        run(f'drop schema if exists "{cmp_schema}" cascade')
    return out


# Columns that hold the time of the run that wrote the row (the incremental watermarks): a full refresh
# writes its own run's time, so they are left out of the comparison (every other column is compared).
WRITE_TIME_COLUMNS = frozenset({"processed_at", "max_processed_at", "inputs_max_processed_at"})


def compare_relations(run: Any, placeholder: str, incremental_schema: str, full_schema: str, tables: list[str],
                      max_diff_rows: int = 200_000) -> dict[str, dict[str, int]]:
    """Per table: rows only in ``incremental_schema`` / only in ``full_schema``, on every column but the write times.

    ``exact_*``: EXCEPT ALL both ways, every bit. ``only_*``: the rows left after pairing the
    exact differences that differ only in float columns by at most FLOAT_REL_TOL (relative).
    """
    out: dict[str, dict[str, int]] = {}
    for t in tables:
        cols = [(name, dtype) for name, dtype in run(
            "select column_name, lower(data_type) from information_schema.columns where table_schema = "
            f"{placeholder} and table_name = {placeholder} order by ordinal_position", [full_schema, t])
            if name not in WRITE_TIME_COLUMNS]
        floats = [i for i, (_, dtype) in enumerate(cols) if dtype.startswith(_FLOAT_TYPES)]
        select = "select " + ", ".join(f'"{name}"' for name, _ in cols)
        a, b = f'{select} from "{incremental_schema}"."{t}"', f'{select} from "{full_schema}"."{t}"'
        only_a = run(f"{a} except all {b} limit {max_diff_rows}")
        only_b = run(f"{b} except all {a} limit {max_diff_rows}")
        left_a, left_b = unmatched_rows(only_a, only_b, floats)
        out[t] = {
            "rows": int(run(f'select count(*) from "{full_schema}"."{t}"')[0][0]),
            "only_incremental": left_a,
            "only_full_refresh": left_b,
            "exact_only_incremental": len(only_a),
            "exact_only_full_refresh": len(only_b),
        }
    return out


# --- one size ---------------------------------------------------------------------------------------
