{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='event_id',
        on_schema_change='fail',
        schema='quarantine',
    )
}}

{#-
    Every raw ai_events row: read, parsed once, typed, flagged (macros/ai_event_rules.sql),
    deduplicated, redacted once; stg_telemetry__ai_events is a view of its valid, non-duplicate
    rows (the reasons: docs/DESIGN.md, "Model notes").

    Incremental (delete+insert on event_id, docs/INCREMENTAL.md): a run reprocesses every raw
    row of each event_id that has a raw row not processed yet, whatever its loaded_at, so the
    duplicate flags of an event_id are always computed from all its copies, as in a full refresh;
    `processed_at` says which run wrote a row, and the downstream models select by it.

    The CTEs up to quarantine_rules are `not_materialized()`: both copy branches read them, and
    inlined, every row is still parsed once (stored, DuckDB cost 25 s of CPU at 10 M events).
-#}

{%- set raw_columns = ['event_id', 'event_name', 'occurred_at', 'loaded_at', 'conversation_id',
    'user_id', 'session_id', 'properties'] -%}

with

source as {{ not_materialized() }} (

    -- incremental: every raw row of an event_id with a raw row not processed yet, whatever its
    -- loaded_at (ties, backfills, late files, retried loads); docs/INCREMENTAL.md
    {{ unprocessed_raw_rows(source('telemetry', 'ai_events'), raw_columns) }}

),

event_ids_with_copies as (

    -- only event_ids with more than one raw row can hold a duplicate: the dedupe window runs on
    -- their rows alone instead of sorting every event. An incremental run reads every raw row
    -- of the event_ids it reprocesses, so counting `source` counts the whole raw table.
    select event_id
    from source
    group by event_id
    having count(*) > 1

),

flagged_source as {{ not_materialized() }} (

    select
        source.*,
        event_ids_with_copies.event_id is not null as has_copies
    from source
    left join event_ids_with_copies
        on source.event_id = event_ids_with_copies.event_id

),

parsed as {{ not_materialized() }} (

    -- the only JSON parse: all keys at once, one list of text (null when not a JSON object);
    -- the barrier keeps Postgres from copying the parse into each of the 20 keys read below
    select
        *,
        {{ json_extract_fields('properties', ai_event_keys('all')) }} as property_values
    from flagged_source
    {{ inline_barrier() }}

),

typed as {{ not_materialized() }} (

    select
        ---------- raw columns through casts that cannot fail (an unreadable cell: bad_cell_reason)
        {{ read_raw_columns('telemetry', 'ai_events') }},
        has_copies,
        property_values is not null as is_properties_object,
        ---------- the properties typed (macros/ai_event_rules.sql)
        {{ ai_event_typed_properties(fields='property_values', event_name='event_name') }}
    from parsed
    {{ inline_barrier() }}  -- the numbers are read by several rules: cast once on Postgres too

),

quarantine_rules as {{ not_materialized() }} (

    -- first failing rule wins (macros/ai_event_rules.sql; order in doc ai_quarantine_reason)
    select
        *,
        {{ quarantine_reason(ai_event_quarantine_rules(event_name='event_name_normalized')) }}
            as quarantine_reason,
        {{ quarantine_reason(ai_event_parse_warning_rules(number_suffix='_number')) }}
            as parse_warning
    from typed

),

single_copies as (

    select
        *,
        false as is_duplicate
    from quarantine_rules
    where not has_copies

),

multiple_copies as (

    -- among valid rows of one event_id the earliest loaded_at wins; ties broken deterministically
    -- (an incremental run holds every raw row of the event_ids it reprocesses)
    select
        *,
        quarantine_reason is null
        and (
            row_number() over (
                partition by event_id, quarantine_reason is null
                order by
                    loaded_at asc nulls last,
                    occurred_at asc nulls last,
                    conversation_id asc nulls last,
                    user_id asc nulls last,
                    session_id asc nulls last,
                    event_name asc nulls last,
                    properties asc nulls last
            ) > 1
        ) as is_duplicate
    from quarantine_rules
    where has_copies

),

deduplicated as (

    select * from single_copies
    union all
    select * from multiple_copies

),

redacted as (

    -- each text redacted once (the chain runs only where has_pii matches); the barrier keeps
    -- Postgres from running each redaction twice (text and flag)
    select
        *,
        {{ redact_pii('prompt_text') }} as redacted_prompt_text,
        {{ redact_pii('response_text') }} as redacted_response_text,
        {{ redact_pii('feedback') }} as redacted_feedback
    from deduplicated
    {{ inline_barrier() }}

),

final as (

    select
        ---------- ids
        event_id,
        conversation_id,
        user_id,
        session_id,
        ---------- raw text (properties only where a quarantine model shows it or loaded_at is null)
        event_name,
        case
            when quarantine_reason is not null or parse_warning is not null or loaded_at is null
                then properties
        end as properties,
        ---------- strings
        event_name_normalized,
        workflow,
        model_version,
        prompt_version,
        feature_flag_state,
        intent_label,
        model_used,
        response_status,
        error_type,
        action_type,
        redacted_prompt_text as prompt_text,
        redacted_response_text as response_text,
        redacted_feedback as feedback,
        ---------- numerics
        prompt_number,
        latency_ms_number as latency_ms,
        input_tokens,
        output_tokens,
        cost_usd_number as cost_usd,
        rating,
        ---------- booleans
        consent_analytics,
        conversion_flag,
        is_duplicate,
        coalesce(redacted_prompt_text <> prompt_text, false) as is_prompt_text_redacted,
        coalesce(redacted_response_text <> response_text, false) as is_response_text_redacted,
        coalesce(redacted_feedback <> feedback, false) as is_feedback_redacted,
        ---------- timestamps
        occurred_at,
        loaded_at,
        {{ processed_at() }} as processed_at,

        ---------- quarantine
        quarantine_reason,
        parse_warning

    from redacted

)

select * from final
