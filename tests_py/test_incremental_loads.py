"""Incremental runs cannot get stuck, whatever order loads arrive in (docs/INCREMENTAL.md).

Per warehouse: build the small generated data set, then land raw ai_events the way real loaders
do, one load at a time, each followed by an incremental run and the reconciliation test (every raw
row in base_telemetry__ai_events exactly once), in one ``dbt build``. The runs after the loads
but the last take the incremental models and the models they read: the only ones whose result
depends on the runs before (every other model is a view or a table rebuilt whole from them, as the
last run does for all of them):

- ties: new conversations loaded at exactly the newest loaded_at already processed;
- a backfill: new conversations loaded ten days before it, and earlier copies of loaded events
  (with an earlier occurred_at: the backfilled copy wins the dedupe and moves its conversation);
- a late file of an old batch: new conversations stamped with an old batch's loaded_at;
- a retried load: the tie batch and an old conversation's rows landed again, identical;
- loads in shuffled order: a batch loaded two hours after the watermark, then (next run) one
  loaded one hour after it and one three days before it;
- latest-state rows at or before the marts' watermark: a users row tied with the user's kept row
  (same loaded_at) that wins the tie and opts the user out, a ticket and a CRM outcome backfilled
  ten days before it, and an older version of a ticket (earlier updated_at) loaded after it.

Then a ``--full-refresh`` of the same raw data into another DuckDB file / Postgres schema: every
mart and every model of the incremental chain must equal it row for row (test_incremental's
comparison), and one more incremental run without new data must change nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ai_ops_tools import loader
from ai_ops_tools.dbt_run import DbtOutcome
from ai_ops_tools.generator import GeneratedData
from conftest import BUILD_NO_UNIT_TESTS, DbtProject
from test_incremental import (
    EVENT_COLUMNS,
    TICKET_COLUMNS,
    USER_COLUMNS,
    assert_equals_full_refresh,
    duckdb_pair,
    postgres_pair,
)

RECONCILIATION = "assert_base_telemetry__ai_events_keeps_every_raw_row"
# `dbt run` of the selection and `dbt test` of the reconciliation in one invocation (no other test)
_STEP = ["build", "--indirect-selection", "empty", "--select", RECONCILIATION]
CHAIN_RUN = [*_STEP, "+config.materialized:incremental"]
FULL_RUN = [*_STEP, "resource_type:model"]


def _ids(ids: list[str]) -> str:
    return "(" + ", ".join(f"'{i}'" for i in ids) + ")"


def _copies(project: DbtProject, conversations: list[str], suffix: str, loaded_at: str) -> str:
    """Copies of the conversations' raw events under new ids, landed at `loaded_at`."""
    events = project.raw("ai_events")
    return f"""insert into {events} ({EVENT_COLUMNS})
        select event_id || '{suffix}', event_name, occurred_at, {loaded_at}, conversation_id || '{suffix}',
               user_id, session_id, properties
        from {events} where conversation_id in {_ids(conversations)}"""


def load_steps(project: DbtProject) -> list[tuple[str, list[str]]]:
    """(name, statements) of each load, in landing order; each is followed by one run."""
    events = project.raw("ai_events")
    (watermark,) = project.query(f"select max(loaded_at) from {events}")[0]
    w = f"cast('{watermark.isoformat(sep=' ')}' as timestamp)"
    conversations = project.relation("int_conversations_assembled")
    c = [r[0] for r in project.query(
        f"select conversation_id from {conversations} order by conversation_id limit 12")]
    assert len(c) == 12
    (old_batch,) = project.query(
        f"select min(loaded_at) from {events} where conversation_id = '{c[7]}'")[0]
    old = f"cast('{old_batch.isoformat(sep=' ')}' as timestamp)"
    return [
        ("ties", [_copies(project, c[0:2], "_tie", w)]),
        ("backfill", [
            _copies(project, c[2:4], "_bf", f"{w} - interval '10 days'"),
            f"""insert into {events} ({EVENT_COLUMNS})
                select event_id, event_name, occurred_at - interval '1 hour', loaded_at - interval '1 day',
                       conversation_id, user_id, session_id, properties
                from {events} where conversation_id = '{c[4]}'""",
        ]),
        ("late file of an old batch", [_copies(project, c[5:7], "_late", old)]),
        ("retried load", [
            _copies(project, c[0:2], "_tie", w),
            f"""insert into {events} ({EVENT_COLUMNS})
                select {EVENT_COLUMNS} from {events} where conversation_id = '{c[8]}'""",
        ]),
        ("shuffled: the later batch first", [_copies(project, [c[9]], "_s2", f"{w} + interval '2 hours'")]),
        ("shuffled: then an earlier one and a backfill", [
            _copies(project, [c[10]], "_s1", f"{w} + interval '1 hour'"),
            _copies(project, [c[11]], "_s0", f"{w} - interval '3 days'"),
        ]),
        ("latest-state rows at or before the watermark", latest_state_loads(project, w, c)),
    ]


def latest_state_loads(project: DbtProject, watermark: str, touched: list[str]) -> list[str]:
    """Users, ticket and outcome rows landed at or before the marts' watermark (and one after it
    that loses the latest-state dedupe): each changes a stored mart row but the first three have
    a loaded_at no later than the newest one the marts stored."""
    users, tickets, outcomes = (project.raw(t) for t in ("users", "support_tickets", "crm_outcomes"))
    conversations = project.relation("int_conversations_assembled")
    (opt_out_user,) = project.query(
        f"select user_id from {project.relation('int_users_consented')} where not is_opted_out and is_known_user "
        f"and user_id in (select user_id from {project.relation('int_ai_responses_priced')}) "
        f"and user_id not in (select user_id from {conversations} where user_id is not null "
        f"and conversation_id in {_ids(touched)}) order by user_id limit 1")[0]
    (conversation, owner, started_at) = project.query(
        f"select conversation_id, user_id, started_at from {conversations} where is_deflected "
        f"and conversation_id not in {_ids(touched)} order by conversation_id limit 1")[0]
    started = f"cast('{started_at.isoformat(sep=' ')}' as timestamp)"
    outcome_columns = ("outcome_id, account_id, user_id, conversation_id, outcome_type, amount_usd, occurred_at, "
                       "loaded_at")
    return [
        # the tie: same loaded_at as the user's kept row; consent false sorts first among ties
        f"""insert into {users} ({USER_COLUMNS})
            select user_id, account_id, segment, region, created_at, false, loaded_at
            from {users} where user_id = '{opt_out_user}' order by loaded_at desc limit 1""",
        f"""insert into {tickets} ({TICKET_COLUMNS})
            select 'bf_ticket_1', '{owner}', '{conversation}', channel, priority, 'open',
                   {started} + interval '1 hour', null, null, {started} + interval '1 hour',
                   handle_minutes, null, false, false, {watermark} - interval '10 days'
            from {tickets} where handle_minutes is not null and handle_minutes >= 0
            order by ticket_id limit 1""",
        f"""insert into {outcomes} ({outcome_columns})
            select outcome_id || '_bf', account_id, user_id, conversation_id, outcome_type, amount_usd,
                   occurred_at, {watermark} - interval '10 days'
            from {outcomes} where conversation_id in (select conversation_id from {conversations})
            order by outcome_id limit 1""",
        f"""insert into {tickets} ({TICKET_COLUMNS})
            select ticket_id, user_id, conversation_id, channel, priority, 'open', created_at, first_reply_at,
                   solved_at, updated_at - interval '1 day', handle_minutes, csat_score, ai_handled,
                   escalated_from_ai, {watermark} + interval '1 hour'
            from {tickets} where updated_at is not null order by ticket_id limit 1""",
    ]


def expected_raw_rows(project: DbtProject) -> int:
    (n,) = project.query(f"select count(*) from {project.raw('ai_events')}")[0]
    return int(n)


def ran_nodes(outcome: DbtOutcome) -> set[str]:
    return {str(getattr(getattr(r, "node", None), "name", "")) for r in getattr(outcome.result, "results", None) or []}


def run_loads(incremental: DbtProject, full: DbtProject, prepare_full: Callable[[], None]) -> None:
    first = incremental.dbt(BUILD_NO_UNIT_TESTS)
    assert first.success, first.summary()
    base = incremental.relation("base_telemetry__ai_events")
    steps = load_steps(incremental)
    for i, (name, statements) in enumerate(steps):
        for sql in statements:
            incremental.query(sql)
        run = incremental.dbt(FULL_RUN if i == len(steps) - 1 else CHAIN_RUN)
        assert run.success, f"{name}: {run.summary()}"
        assert RECONCILIATION in ran_nodes(run), f"{name}: the reconciliation test did not run"
        # every raw row is in base exactly once (counted here, independently of the dbt test)
        (n_base,) = incremental.query(f"select count(*) from {base}")[0]
        assert n_base == expected_raw_rows(incremental), f"{name}: base holds {n_base} rows"

    assert_equals_full_refresh(incremental, full, prepare_full, [["seed"], ["run", "--full-refresh"]],
                               "incremental loads vs full refresh", rerun=["run"])


def test_loads_in_any_order_duckdb(tmp_path: Path, generated: GeneratedData, truths: dict[str, Any]) -> None:
    run_loads(*duckdb_pair(tmp_path, generated, truths, "loads_test"))


def test_loads_in_any_order_postgres(tmp_path: Path, generated: GeneratedData, truths: dict[str, Any],
                                     pg_schemas: tuple[loader.PostgresSettings, str]) -> None:
    run_loads(*postgres_pair(tmp_path, generated, truths, pg_schemas))
