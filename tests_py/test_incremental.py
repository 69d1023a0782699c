"""Incremental runs equal a full refresh of the same raw data (docs/INCREMENTAL.md).

Per warehouse: load the small generated data set, ``dbt build`` (first run: full), append to
the raw tables new events, late events (occurred weeks before, loaded now), redelivered copies
of loaded events, an invalid event, an event without loaded_at, a new ticket that takes
the deflection away from an old conversation, a users row that opts an AI user out, routing
log rows of the late events (and redelivered ones), and reviews made weeks ago or redelivered,
``dbt build`` again (incremental), then build a full refresh of the same raw data into another
DuckDB file / Postgres schema and compare every mart (and the incremental models themselves)
row for row. A further incremental run without new data must change nothing. The unit tests run
in the session builds (conftest.py); the data tests in the two incremental builds, not in the full
refresh and the further run, whose relations are compared with the second one.

The Postgres half needs a server: it skips when none is reachable, except under CI=true,
where it fails (conftest.postgres_settings_or_skip).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ai_ops_tools import loader
from ai_ops_tools.generator import GeneratedData
from ai_ops_tools.raw_schema import RAW_TABLES
from conftest import BUILD_NO_UNIT_TESTS, MODELS_ONLY, DbtProject, _profiles_dir
from helpers_rel import comparable_rows

# The incremental models and what reads them: compared besides every mart.
INCREMENTAL_MODELS = [
    "base_telemetry__ai_events",
    "stg_telemetry__ai_events",
    "int_ai_responses_priced",
    "int_conversation_event_rollups",
    "int_conversation_starts",
    "int_conversations_assembled",
    "int_metrics__ai_events",
    "int_metrics__conversations",
]
CONTRACTED_MARTS = ["ops_metrics", "experiment_comparison", "roi_monthly"]
REL_TOL = 1e-9

EVENT_COLUMNS = "event_id, event_name, occurred_at, loaded_at, conversation_id, user_id, session_id, properties"
USER_COLUMNS = "user_id, account_id, segment, region, created_at, consent_analytics, loaded_at"
TICKET_COLUMNS = (
    "ticket_id, user_id, conversation_id, channel, priority, status, created_at, first_reply_at, "
    "solved_at, updated_at, handle_minutes, csat_score, ai_handled, escalated_from_ai, loaded_at"
)

DELIVERY_COLUMNS = (
    "delivery_id, event_id, destination, destination_class, payload_kind, requires_consent, outcome, "
    "block_reason, policy_version, routed_at, loaded_at"
)
REVIEW_COLUMNS = (
    "review_id, event_id, conversation_id, workflow, reviewer_type, rubric, passed, score, is_override, "
    "error_category, reviewed_at, loaded_at"
)

# -- comparing relations --------------------------------------------------------------------------
def _normalize(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return value


def _sort_key(row: tuple[Any, ...]) -> tuple[Any, ...]:
    key: list[tuple[int, Any]] = []
    for value in row:
        if value is None:
            key.append((1, 0))
        elif isinstance(value, float):
            # rounded, so that sums that differ in the last bits sort alike
            key.append((0, float(f"{value:.6g}") if math.isfinite(value) else str(value)))
        elif isinstance(value, (datetime, date)):
            key.append((0, value.isoformat()))
        else:
            key.append((0, value))
    return tuple(key)


def _values_equal(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=1e-12)
    return bool(a == b)


# A relation read for comparison: column names and rows sorted by _sort_key.
Relation = tuple[list[str], list[tuple[Any, ...]]]


def fetch(project: DbtProject, name: str) -> Relation:
    """Columns and sorted rows of a built relation, without the write-time columns (an incremental
    run legitimately differs from a full refresh there)."""
    names, rows = comparable_rows(project, project.relation(name))
    normalized = [tuple(_normalize(v) for v in row) for row in rows]
    return names, sorted(normalized, key=_sort_key)


def assert_same_relation(name: str, left: Relation, right: Relation, what: str) -> None:
    (lcols, lrows), (rcols, rrows) = left, right
    assert lcols == rcols, f"{name}: columns differ ({what}): {lcols} != {rcols}"
    assert len(lrows) == len(rrows), f"{name}: {len(lrows)} rows != {len(rrows)} rows ({what})"
    for i, (a, b) in enumerate(zip(lrows, rrows, strict=True)):
        if len(a) != len(b) or not all(_values_equal(x, y) for x, y in zip(a, b, strict=True)):
            diff = {c: (x, y) for c, x, y in zip(lcols, a, b, strict=True) if not _values_equal(x, y)}
            pytest.fail(f"{name}: row {i} differs ({what}): {diff}\n  left:  {a}\n  right: {b}", pytrace=False)


def compared_relations(project: DbtProject) -> list[str]:
    """Every relation of the marts schema (contracted and BI marts) plus the incremental chain."""
    marts_schema = f"{project.schema}_marts"
    marts = sorted(name for schema, name in project.relations() if schema == marts_schema)
    assert set(CONTRACTED_MARTS) <= set(marts), f"missing marts in {marts_schema}: {marts}"
    return marts + INCREMENTAL_MODELS


def snapshot(project: DbtProject, names: list[str]) -> dict[str, Relation]:
    return {name: fetch(project, name) for name in names}


# -- the new raw data -----------------------------------------------------------------------------
def _in_list(ids: list[str]) -> str:
    return "(" + ", ".join(f"'{i}'" for i in ids) + ")"


def append_raw_rows(project: DbtProject) -> dict[str, Any]:
    """New, late, duplicate, invalid and null-loaded_at events and a deflection-changing ticket."""
    (max_loaded,) = project.query(f"select max(loaded_at) from {project.raw('ai_events')}")[0]
    assert max_loaded is not None
    now = f"cast('{max_loaded.isoformat(sep=' ')}' as timestamp) + interval '6 hours'"

    # conversations to touch, deterministically: valid ones from the first (full) run
    some = [r[0] for r in project.query(
        f"select conversation_id from {project.relation('int_conversations_assembled')} "
        "order by conversation_id limit 40")]
    assert len(some) == 40
    late_src = some[10:25]
    _append_events(project, now, some)
    conv_id = _append_deflecting_ticket(project, now, some)
    opt_out_key = _append_opt_out(project, now, some)
    append_late_deliveries_and_reviews(project, now)
    return {"deflected_conversation": conv_id, "late_conversations": late_src, "opt_out_key": opt_out_key}


def _append_events(project: DbtProject, now: str, some: list[str]) -> None:
    """Copies of the events of ``some`` conversations as new, late and duplicate events, plus an
    invalid event and one without loaded_at."""
    events = project.raw("ai_events")
    new_src, late_src, dup_src = some[:10], some[10:25], some[25:40]
    stmts = [
        # brand-new conversations: copies of 10 conversations under new ids, loaded now
        f"""insert into {events} ({EVENT_COLUMNS})
            select event_id || '_new', event_name, occurred_at, {now}, conversation_id || '_new',
                   user_id, session_id, properties
            from {events} where conversation_id in {_in_list(new_src)}""",
        # late events: new prompt/response/action events of 15 old conversations that
        # happened three weeks before the conversation, loaded only now
        f"""insert into {events} ({EVENT_COLUMNS})
            select event_id || '_late', event_name, occurred_at - interval '21 days', {now},
                   conversation_id, user_id, session_id, properties
            from {events} where conversation_id in {_in_list(late_src)}""",
        # at-least-once delivery: the events of 15 conversations arrive a second time
        f"""insert into {events} ({EVENT_COLUMNS})
            select event_id, event_name, occurred_at, {now} + interval '1 hour', conversation_id,
                   user_id, session_id, properties
            from {events} where conversation_id in {_in_list(dup_src)}""",
        # an invalid new event (quarantined) and a valid event whose loaded_at is missing
        f"""insert into {events} ({EVENT_COLUMNS}) values
            ('inc_bad_1', 'ai_user_action', {now} - interval '1 hour', {now}, '{some[0]}', null, null, '[1]'),
            ('inc_null_loaded_1', 'ai_user_prompt_created',
             cast('2026-03-10 12:00:00' as timestamp), null, 'inc_conv_null_loaded', null, null,
             '{{"workflow": "sales_assistant", "prompt_number": 1}}')""",
    ]
    for sql in stmts:
        project.query(sql)


def _append_deflecting_ticket(project: DbtProject, now: str, some: list[str]) -> str:
    """A ticket that takes the deflection away from an old, deflected support conversation (not
    one of ``some``); returns that conversation's id."""
    tickets = project.raw("support_tickets")
    conversations = project.relation("int_conversations_assembled")
    placeholder = project.placeholder
    deflected = project.query(
        f"select conversation_id, user_id, started_at from {conversations} "
        f"where is_deflected and conversation_id not in {_in_list(some)} "
        "order by conversation_id limit 1")
    assert deflected, "the data set has no deflected support_automation conversation"
    conv_id, user_id, started_at = deflected[0]
    project.query(
        f"""insert into {tickets} ({TICKET_COLUMNS})
            select 'inc_ticket_1', {placeholder}, {placeholder}, channel, priority, 'open',
                   cast({placeholder} as timestamp) + interval '1 hour', null, null,
                   cast({placeholder} as timestamp) + interval '1 hour', handle_minutes, null,
                   false, false, {now}
            from {tickets} where handle_minutes is not null and handle_minutes >= 0
            order by ticket_id limit 1""",
        [user_id, conv_id, started_at, started_at],
    )
    return str(conv_id)


def _append_opt_out(project: DbtProject, now: str, some: list[str]) -> Any:
    """A consenting AI user with responses, untouched by the new events, opts out through a new
    users row (the incremental fct_ai_responses must null the key on the user's old responses);
    returns the user's key."""
    conversations = project.relation("int_conversations_assembled")
    placeholder = project.placeholder
    users = project.relation("int_users_consented")
    responses = project.relation("int_ai_responses_priced")
    opting_out = project.query(
        f"select user_id, user_key from {users} where not is_opted_out and is_known_user and user_id in "
        f"(select user_id from {responses}) and user_id not in "
        f"(select user_id from {conversations} where user_id is not null and conversation_id in {_in_list(some)}) "
        "order by user_id limit 1")
    assert opting_out, "the data set has no consenting AI user outside the touched conversations"
    opt_out_user, opt_out_key = opting_out[0]
    project.query(
        f"""insert into {project.raw("users")} ({USER_COLUMNS})
            select user_id, account_id, segment, region, created_at, false, {now}
            from {project.raw("users")} where user_id = {placeholder}
            order by loaded_at desc limit 1""",
        [opt_out_user],
    )
    return opt_out_key


def append_late_deliveries_and_reviews(project: DbtProject, now: str) -> None:
    """Routing log rows of the late events, redelivered routing rows, late and redelivered reviews."""
    deliveries, reviews = project.raw("event_deliveries"), project.raw("quality_reviews")
    stmts = [
        # the late events are routed when they happened, the log row lands only now (a raw leak too)
        f"""insert into {deliveries} ({DELIVERY_COLUMNS})
            select 'inc_dlv_' || event_id, event_id, 'observability_vendor', 'external', 'raw', false,
                   'delivered', null, 'route-v2', occurred_at, {now}
            from {project.raw("ai_events")} where event_id like '%_late'""",
        # at-least-once delivery of the routing log itself: the earlier copy must win
        f"""insert into {deliveries} ({DELIVERY_COLUMNS})
            select {DELIVERY_COLUMNS.replace("loaded_at", now)} from {deliveries}
            where delivery_id in (select delivery_id from {deliveries} where delivery_id is not null
                                  order by delivery_id limit 20)""",
        # reviews made weeks ago of old responses, landing now; and redelivered reviews
        f"""insert into {reviews} ({REVIEW_COLUMNS})
            select 'inc_' || review_id, event_id, conversation_id, workflow, reviewer_type, rubric,
                   not passed, score, is_override, error_category, reviewed_at - interval '21 days', {now}
            from {reviews} where review_id in (select review_id from {reviews} where review_id is not null
                                               and passed is not null order by review_id limit 30)""",
        f"""insert into {reviews} ({REVIEW_COLUMNS})
            select {REVIEW_COLUMNS.replace("loaded_at", now)} from {reviews}
            where review_id in (select review_id from {reviews} where review_id is not null
                                order by review_id desc limit 10)""",
    ]
    for sql in stmts:
        project.query(sql)


# -- the scenario ---------------------------------------------------------------------------------
def run_scenario(incremental: DbtProject, full: DbtProject, prepare_full: Callable[[], None]) -> None:
    first = incremental.dbt(BUILD_NO_UNIT_TESTS)
    assert first.success, first.summary()

    before = snapshot(incremental, ["int_conversations_assembled"])
    appended = append_raw_rows(incremental)
    fct_responses = incremental.relation("fct_ai_responses")
    placeholder = incremental.placeholder
    keyed = f"select count(*) from {fct_responses} where user_key = {placeholder}"
    assert incremental.query(keyed, [appended["opt_out_key"]])[0][0] > 0

    second = incremental.dbt(BUILD_NO_UNIT_TESTS)
    assert second.success, second.summary()

    # the incremental run did the work: the ticket flipped the old conversation, late events
    # moved the starts of their conversations three weeks back
    conversations = incremental.relation("int_conversations_assembled")
    (is_deflected,) = incremental.query(
        f"select is_deflected from {conversations} where conversation_id = {placeholder}",
        [appended["deflected_conversation"]])[0]
    assert is_deflected is False
    old_starts = {r[0]: r[-2] for r in before["int_conversations_assembled"][1]}
    for conv in appended["late_conversations"][:3]:
        (started_at,) = incremental.query(
            f"select started_at from {conversations} where conversation_id = {placeholder}", [conv])[0]
        assert (old_starts[conv] - started_at).days == 21, conv
    # the opt-out reached the user's old responses
    assert incremental.query(keyed, [appended["opt_out_key"]])[0][0] == 0
    # the late routing rows and reviews reached the staging models
    for model, key, prefix in (("stg_pipeline__event_deliveries", "delivery_id", "inc_dlv_"),
                               ("stg_quality__reviews", "review_id", "inc_")):
        (n_late,) = incremental.query(
            f"select count(*) from {incremental.relation(model)} where {key} like '{prefix}%'")[0]
        assert n_late > 0, model

    # the data tests ran on the incremental build: the reference and the rerun are compared with it
    assert_equals_full_refresh(incremental, full, prepare_full, [[*MODELS_ONLY, "--full-refresh"]],
                               "incremental vs full refresh", rerun=MODELS_ONLY)


def assert_equals_full_refresh(incremental: DbtProject, full: DbtProject, prepare_full: Callable[[], None],
                               commands: list[list[str]], what: str, rerun: list[str] | None = None) -> None:
    """Build the same raw data from scratch (`commands` on `full`) and compare every mart and model of
    the incremental chain row for row; with `rerun`, one more incremental run must change nothing."""
    prepare_full()
    for command in commands:
        outcome = full.dbt(command)
        assert outcome.success, outcome.summary()
    names = compared_relations(incremental)
    after_incremental = snapshot(incremental, names)
    expected = snapshot(full, names)
    for name in names:
        assert_same_relation(name, after_incremental[name], expected[name], what)
    if rerun is None:
        return
    again_run = incremental.dbt(rerun)
    assert again_run.success, again_run.summary()
    again = snapshot(incremental, names)
    for name in names:
        assert_same_relation(name, again[name], after_incremental[name], "a further incremental run without new data")


def _project(target: str, schema: str, raw_schema: str, workdir: Path, truths: dict[str, Any],
             env: dict[str, str], duckdb_path: Path | None = None,
             pg: loader.PostgresSettings | None = None) -> DbtProject:
    _profiles_dir(workdir)
    return DbtProject(target=target, schema=schema, raw_schema=raw_schema, truths=truths, workdir=workdir,
                      env=env, duckdb_path=duckdb_path, pg=pg)


def copy_duckdb_raw(source_path: Path, target_path: Path) -> None:
    """The same raw data, copied table by table into a fresh file (through the source file's
    connection: dbt keeps that file open in this process)."""
    import duckdb

    con = duckdb.connect(str(source_path))
    try:
        con.execute(f"attach '{target_path}' as full_refresh")
        con.execute('create schema if not exists full_refresh."raw"')
        for table in RAW_TABLES:
            con.execute(f'create table full_refresh."raw"."{table}" as '
                        f'select * from "{source_path.stem}"."raw"."{table}"')
        con.execute("detach full_refresh")
    finally:
        con.close()


# A pair of projects on the same raw data: built incrementally, built from scratch, and what copies the
# raw data to the second before its build.
ProjectPair = tuple[DbtProject, DbtProject, Callable[[], None]]


def duckdb_pair(tmp_path: Path, generated: GeneratedData, truths: dict[str, Any], schema: str) -> ProjectPair:
    inc_path, full_path = tmp_path / "incremental.duckdb", tmp_path / "full_refresh.duckdb"
    loader.load_duckdb(generated.tables, inc_path, "raw", progress=False)

    def project(name: str, path: Path) -> DbtProject:
        return _project("duckdb", schema, "raw", tmp_path / name, truths,
                        {"AI_OPS_TARGET": "duckdb", "AI_OPS_DUCKDB_PATH": str(path), "AI_OPS_SCHEMA": schema},
                        duckdb_path=path)

    return project("inc", inc_path), project("full", full_path), lambda: copy_duckdb_raw(inc_path, full_path)


def postgres_pair(tmp_path: Path, generated: GeneratedData, truths: dict[str, Any],
                  pg_schemas: tuple[loader.PostgresSettings, str]) -> ProjectPair:
    settings, prefix = pg_schemas
    raw_schema = f"{prefix}_raw"
    loader.load_postgres(generated.tables, raw_schema, settings, progress=False)

    def project(name: str, schema: str) -> DbtProject:
        return _project("postgres", schema, raw_schema, tmp_path / name, truths,
                        {"AI_OPS_TARGET": "postgres", "AI_OPS_SCHEMA": schema}, pg=settings)

    return project("inc", f"{prefix}_i"), project("full", f"{prefix}_f"), lambda: None


def test_incremental_equals_full_refresh_duckdb(tmp_path: Path, generated: GeneratedData,
                                                truths: dict[str, Any]) -> None:
    run_scenario(*duckdb_pair(tmp_path, generated, truths, "inc_test"))


def test_incremental_equals_full_refresh_postgres(tmp_path: Path, generated: GeneratedData,
                                                  truths: dict[str, Any],
                                                  pg_schemas: tuple[loader.PostgresSettings, str]) -> None:
    run_scenario(*postgres_pair(tmp_path, generated, truths, pg_schemas))
