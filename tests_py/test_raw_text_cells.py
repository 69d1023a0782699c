"""Raw tables landed with every column as text (a common loader default) and bad cells in them.

Every raw column is read through a cast that cannot fail (macros/raw_reads.sql): the whole raw
schema loaded as text (``ai-ops load --all-text``) must build the very marts the typed raw tables
build, and a few planted unreadable cells (text in a number, an impossible timestamp or date, a
boolean that is none, an integer out of range) must put their row in quarantine with a reason
naming the column, the reconciliation (raw = valid + duplicates + quarantined) still holding.
Unit tests are left out of the text build: dbt types their fixtures from the real raw table.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from ai_ops_tools.generator import GeneratedData
from ai_ops_tools.raw_schema import RAW_TABLES, arrow_schema
from conftest import NO_UNIT_TESTS, DbtProject
from helpers_rel import comparable_rows, extra_project, seed_and_build
from test_incremental import EVENT_COLUMNS

pytestmark = pytest.mark.slow

# (raw table, id column, id, {column: bad text}, reason, quarantine model)
BAD_CELLS = [
    ("support_tickets", "ticket_id", "bad-cell-minutes", {"handle_minutes": "n/a"},
     "bad_number:handle_minutes", "quarantine_support__support_tickets"),
    ("support_tickets", "ticket_id", "bad-cell-csat", {"csat_score": "99999999999"},
     "bad_integer:csat_score", "quarantine_support__support_tickets"),
    ("ai_events", "event_id", "bad-cell-occurred", {"occurred_at": "2026-02-30 10:00:00"},
     "bad_timestamp:occurred_at", "quarantine_telemetry__ai_events"),
    ("connector_checks", "check_id", "bad-cell-auth", {"auth_ok": "maybe"},
     "bad_boolean:auth_ok", "quarantine_ops__connector_checks"),
    ("cost_ledger", "entry_id", "bad-cell-month", {"month": "2026-13-01"},
     "bad_date:month", "quarantine_finance__cost_ledger"),
]


def _as_text(generated: GeneratedData) -> dict[str, pa.Table]:
    """Every table as text, plus one copy of its first row per planted bad cell (new id, one bad cell)."""
    tables = {name: generated.tables[name].cast(arrow_schema(name)).cast(arrow_schema(name, all_text=True))
              for name in RAW_TABLES}
    for table, id_column, row_id, cells, _, _ in BAD_CELLS:
        first = tables[table].slice(0, 1).to_pylist()[0]
        oldest = pc.min(tables[table].column("loaded_at")).as_py()  # moves no load watermark
        row = {**first, id_column: row_id, "loaded_at": oldest, **cells}
        extra = pa.Table.from_pylist([row], schema=arrow_schema(table, all_text=True))
        tables[table] = pa.concat_tables([tables[table], extra])
    return tables


@pytest.fixture(scope="module", params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def text_project(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
                 generated: GeneratedData, truths: dict[str, Any]) -> Iterator[tuple[DbtProject, DbtProject]]:
    """(the all-text project, the session's typed project) on one target."""
    typed: DbtProject = request.getfixturevalue(f"{request.param}_project")
    pg = request.getfixturevalue("pg_settings") if request.param == "postgres" else None
    workdir = tmp_path_factory.mktemp(f"text_cells_{request.param}")
    with extra_project(request.param, workdir, _as_text(generated), truths, pg=pg, tag="reltext",
                       all_text=True) as project:
        seed_and_build(project, NO_UNIT_TESTS)
        yield project, typed


def _rows(project: DbtProject, relation: str) -> list[tuple[Any, ...]]:
    def key(row: tuple[Any, ...]) -> tuple[str, ...]:
        return tuple(f"{v:.6g}" if isinstance(v, float) else repr(v) for v in row)

    return sorted(comparable_rows(project, relation)[1], key=key)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12) or (math.isnan(a) and math.isnan(b))
    return bool(a == b)


def test_raw_tables_are_all_text(text_project: tuple[DbtProject, DbtProject]) -> None:
    project, _ = text_project
    rows = project.query(
        "select distinct lower(data_type) from information_schema.columns "
        f"where table_schema = {project.placeholder}", [project.raw_schema])
    assert {r[0] for r in rows} <= {"text", "varchar", "character varying"}, rows


def test_text_raw_schema_builds_the_typed_marts(text_project: tuple[DbtProject, DbtProject]) -> None:
    project, typed = text_project
    project.assert_build_ok()
    marts = sorted(name for schema, name in typed.relations() if schema == f"{typed.schema}_marts")
    assert len(marts) >= 9, marts
    for mart in marts:
        expected, got = _rows(typed, typed.relation(mart)), _rows(project, project.relation(mart))
        assert len(got) == len(expected), f"{mart}: {len(got)} rows from text, {len(expected)} from typed"
        assert got, f"{mart} is empty: the comparison would prove nothing"
        for want, have in zip(expected, got, strict=True):
            assert all(_same(w, h) for w, h in zip(want, have, strict=True)), f"{mart}: {have} != {want}"


def test_bad_cells_land_in_quarantine_with_the_column(text_project: tuple[DbtProject, DbtProject]) -> None:
    project, _ = text_project
    project.assert_build_ok()
    for _, id_column, row_id, _, reason, model in BAD_CELLS:
        rows = project.query(f"select quarantine_reason from {project.relation(model)} "
                             f"where {id_column} = {project.placeholder}", [row_id])
        assert rows == [(reason,)], f"{row_id}: {rows}"


def test_reconciliation_holds_with_bad_cells(text_project: tuple[DbtProject, DbtProject]) -> None:
    project, typed = text_project
    for table, _, _, _, _, model in BAD_CELLS:
        base = model.replace("quarantine_", "base_")
        (raw,) = project.query(f"select count(*) from {project.raw(table)}")[0]
        (typed_raw,) = typed.query(f"select count(*) from {typed.raw(table)}")[0]
        (split,) = project.query(
            f"select count(*) filter (where quarantine_reason is null and not is_duplicate), "
            f"count(*) filter (where is_duplicate), count(*) filter (where quarantine_reason is not null) "
            f"from {project.relation(base)}")
        planted = sum(1 for bad in BAD_CELLS if bad[0] == table)
        assert raw == typed_raw + planted
        assert sum(split) == raw, (table, split, raw)


def _text_loads(project: DbtProject) -> list[str]:
    """Loads into the text raw ai_events: ties at the watermark and a backfill (spelled another way
    than the loader's text), keyless rows (two identical), a row whose loaded_at is unreadable."""
    events = project.raw("ai_events")
    base = project.relation("base_telemetry__ai_events")
    (watermark,) = project.query(f"select max(loaded_at) from {base}")[0]
    tie = watermark.strftime("%Y-%m-%dT%H:%M:%S.%fZ")  # the same instant as the stored timestamp
    backfill = (watermark - timedelta(days=10)).strftime("%Y-%m-%d %H:%M")
    conversations = [r[0] for r in project.query(
        f"select distinct conversation_id from {events} where conversation_id is not null "
        "order by conversation_id limit 3")]

    def copies(conversation: str, suffix: str, loaded_at: str) -> str:
        return f"""insert into {events} ({EVENT_COLUMNS})
            select event_id || '{suffix}', event_name, occurred_at, '{loaded_at}', conversation_id || '{suffix}',
                   user_id, session_id, properties
            from {events} where conversation_id = '{conversation}'"""

    keyless = f"""insert into {events} ({EVENT_COLUMNS})
        select null, event_name, occurred_at, '{tie}', conversation_id, user_id, session_id, properties
        from {events} where conversation_id = '{conversations[0]}' and event_id is not null"""
    return [
        copies(conversations[0], "_ttie", tie),
        copies(conversations[1], "_tbf", backfill),
        keyless,
        keyless,
        copies(conversations[2], "_tbad", "n/a"),
    ]


def _base_rows(project: DbtProject) -> list[tuple[Any, ...]]:
    return _rows(project, project.relation("base_telemetry__ai_events"))


def test_incremental_run_on_text_raw_equals_a_full_refresh(text_project: tuple[DbtProject, DbtProject]) -> None:
    """Last in this module: it lands rows into the text raw ai_events. The incremental selection
    reads loaded_at (and the keyless rows' columns) through the casts staging uses."""
    project, _ = text_project
    project.assert_build_ok()
    for sql in _text_loads(project):
        project.query(sql)
    run = project.dbt(["run", "--select", "base_telemetry__ai_events"])
    assert run.success, run.summary()
    (n_raw,) = project.query(f"select count(*) from {project.raw('ai_events')}")[0]
    (n_base,) = project.query(f"select count(*) from {project.relation('base_telemetry__ai_events')}")[0]
    assert n_base == n_raw, f"base holds {n_base} rows for {n_raw} raw rows"
    check = project.dbt(["test", "--select", "assert_base_telemetry__ai_events_keeps_every_raw_row"])
    assert check.success, check.summary()
    again = project.dbt(["run", "--select", "base_telemetry__ai_events"])  # nothing new: no row added
    assert again.success, again.summary()
    incremental = _base_rows(project)
    assert len(incremental) == n_raw
    full = project.dbt(["run", "--select", "base_telemetry__ai_events", "--full-refresh"])
    assert full.success, full.summary()
    assert incremental == _base_rows(project)
