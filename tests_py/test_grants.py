"""Postgres access: role bi_reader reads the published marts and nothing behind them.

A superuser session takes the role with ``set role bi_reader`` (the role is
created NOLOGIN by the project's on-run-start hook, granted SELECT on the marts
by dbt ``grants`` and USAGE on the marts schema by the on-run-end hook).
DuckDB has no access control, so there is no DuckDB counterpart.
"""

from __future__ import annotations

from typing import Any

import pytest

from ai_ops_tools.contract import PUBLISHED_MARTS

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

ROLE = "bi_reader"
FORBIDDEN_SUFFIXES = ("_staging", "_intermediate", "_quarantine", "_raw")


def _select_as_role(project: Any, relation: str) -> str | None:
    """None when `select` as ROLE works, else the Postgres error code and message."""
    import psycopg2

    conn = project.pg.connect()
    try:
        with conn.cursor() as cur:
            cur.execute(f'set role "{ROLE}"')
            try:
                cur.execute(f"select * from {relation} limit 1")
                cur.fetchall()
                return None
            except psycopg2.Error as exc:
                return f"{exc.pgcode}: {str(exc).strip().splitlines()[0]}"
    finally:
        conn.rollback()
        conn.close()


def test_postgres_bi_reader_reads_published_marts(postgres_project: Any) -> None:
    postgres_project.assert_build_ok()
    errors = {m: e for m in PUBLISHED_MARTS if (e := _select_as_role(postgres_project, postgres_project.relation(m)))}
    assert not errors, errors


def test_postgres_bi_reader_denied_behind_the_marts(postgres_project: Any) -> None:
    postgres_project.assert_build_ok()
    project = postgres_project
    rows = project.query("select table_schema, table_name from information_schema.tables "
                         "where table_schema = %s or table_schema like %s",
                         [project.raw_schema, project.schema.replace("_", r"\_") + r"\_%"])
    forbidden = sorted((s, t) for s, t in rows if s.endswith(FORBIDDEN_SUFFIXES) or s == project.raw_schema)
    checked_schemas = {s for s, _ in forbidden}
    for suffix in FORBIDDEN_SUFFIXES:
        assert any(s.endswith(suffix) for s in checked_schemas), f"no {suffix} schema to check: {checked_schemas}"
    allowed = []
    wrong_error = []
    for schema, table in forbidden:
        err = _select_as_role(project, f'"{schema}"."{table}"')
        if err is None:
            allowed.append(f"{schema}.{table}")
        elif not err.startswith("42501"):  # insufficient_privilege: "permission denied for ..."
            wrong_error.append(f"{schema}.{table}: {err}")
        else:
            assert "permission denied" in err, err
    assert not allowed, f"{ROLE} can read: {allowed}"
    assert not wrong_error, wrong_error
