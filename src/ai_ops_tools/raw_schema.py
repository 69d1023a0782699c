"""The raw tables of CONTRACT.md section 1: names, columns and SQL types.

One definition serves the loaders (DuckDB and Postgres), the tests that build
raw tables by hand and the documentation, so the three never drift apart.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

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

RAW_TABLES: Final[dict[str, list[tuple[str, str]]]] = {
    "ai_events": [
        ("event_id", TEXT), ("event_name", TEXT), ("occurred_at", TS), ("loaded_at", TS),
        ("conversation_id", TEXT), ("user_id", TEXT), ("session_id", TEXT), ("properties", TEXT),
    ],
    "users": [
        ("user_id", TEXT), ("account_id", TEXT), ("segment", TEXT), ("region", TEXT),
        ("created_at", TS), ("consent_analytics", BOOL), ("loaded_at", TS),
    ],
    "support_tickets": [
        ("ticket_id", TEXT), ("user_id", TEXT), ("conversation_id", TEXT), ("channel", TEXT),
        ("priority", TEXT), ("status", TEXT), ("created_at", TS), ("first_reply_at", TS),
        ("solved_at", TS), ("updated_at", TS), ("handle_minutes", DOUBLE), ("csat_score", INT),
        ("ai_handled", BOOL), ("escalated_from_ai", BOOL), ("loaded_at", TS),
    ],
    "crm_outcomes": [
        ("outcome_id", TEXT), ("account_id", TEXT), ("user_id", TEXT), ("conversation_id", TEXT),
        ("outcome_type", TEXT), ("amount_usd", DOUBLE), ("occurred_at", TS), ("loaded_at", TS),
    ],
    "crm_opportunities": [
        ("opportunity_id", TEXT), ("account_id", TEXT), ("stage", TEXT), ("amount_usd", DOUBLE),
        ("updated_at", TS), ("loaded_at", TS),
    ],
    "agent_runs": [
        ("run_id", TEXT), ("workflow", TEXT), ("agent_id", TEXT), ("conversation_id", TEXT),
        ("started_at", TS), ("finished_at", TS), ("status", TEXT), ("human_rescued", BOOL),
        ("expected_steps", INT), ("loaded_at", TS),
    ],
    "agent_steps": [
        ("span_id", TEXT), ("run_id", TEXT), ("step_index", INT), ("step_name", TEXT),
        ("system", TEXT), ("agent_id", TEXT), ("started_at", TS), ("finished_at", TS),
        ("status", TEXT), ("loaded_at", TS),
    ],
    "agent_decisions": [
        ("decision_id", TEXT), ("run_id", TEXT), ("agent_id", TEXT), ("person_id", TEXT),
        ("account_id", TEXT), ("action", TEXT), ("reason_code", TEXT), ("policy_version", TEXT),
        ("result", TEXT), ("is_sensitive", BOOL), ("cost_usd", DOUBLE), ("kpi_link", TEXT),
        ("decided_at", TS), ("loaded_at", TS),
    ],
    "incidents": [
        ("incident_id", TEXT), ("workflow", TEXT), ("severity", TEXT), ("cause_category", TEXT),
        ("requires_ai_change", BOOL), ("detected_at", TS), ("diagnosed_at", TS),
        ("resolved_at", TS), ("loaded_at", TS),
    ],
    "deployments": [
        ("change_id", TEXT), ("change_type", TEXT), ("workflow", TEXT), ("approved_at", TS),
        ("deployed_at", TS), ("status", TEXT), ("loaded_at", TS),
    ],
    "connector_checks": [
        ("check_id", TEXT), ("connector_id", TEXT), ("is_critical", BOOL), ("checked_at", TS),
        ("auth_ok", BOOL), ("schema_ok", BOOL), ("latency_ok", BOOL), ("error_rate_ok", BOOL),
        ("loaded_at", TS),
    ],
    "model_evaluations": [
        ("evaluation_id", TEXT), ("model_version", TEXT), ("check_type", TEXT),
        ("evaluated_at", TS), ("passed", BOOL), ("alert_raised", BOOL),
        ("alert_triaged_at", TS), ("loaded_at", TS),
    ],
    "controls": [
        ("control_id", TEXT), ("name", TEXT), ("required", BOOL), ("automated_since", DATE),
        ("loaded_at", TS),
    ],
    "ai_initiatives": [
        ("initiative_id", TEXT), ("name", TEXT), ("workflow", TEXT), ("started_at", TS),
        ("promoted_at", TS), ("retired_at", TS), ("loaded_at", TS),
    ],
    "cost_ledger": [
        ("entry_id", TEXT), ("month", DATE), ("workflow", TEXT), ("cost_category", TEXT),
        ("amount_usd", DOUBLE), ("loaded_at", TS),
    ],
}


def create_table_sql(schema: str, table: str, catalog: str | None = None) -> str:
    """DDL for one raw table, valid on DuckDB and Postgres.

    ``catalog`` qualifies the name fully: DuckDB finds "raw"."x" ambiguous when
    the database file itself is called raw.duckdb.
    """
    cols = ",\n    ".join(f'"{name}" {sql_type}' for name, sql_type in RAW_TABLES[table])
    prefix = f'"{catalog}".' if catalog else ""
    return f'create table {prefix}"{schema}"."{table}" (\n    {cols}\n)'


def column_names(table: str) -> list[str]:
    """Column names of one raw table, in DDL order."""
    return [name for name, _ in RAW_TABLES[table]]


def arrow_schema(table: str) -> "pa.Schema":
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
    return pa.schema([(name, arrow_types[sql_type]) for name, sql_type in RAW_TABLES[table]])
