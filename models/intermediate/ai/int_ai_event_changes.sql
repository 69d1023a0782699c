-- One row per processed raw ai_events row (every copy, valid or quarantined) and per event made
-- from an OpenTelemetry span: the keys a model downstream of the events recomputes when the
-- row was processed after the model's own newest processed_at
-- (processed_ai_events_since, docs/INCREMENTAL.md). A view: it is read for a few new rows per
-- run.
with

base_events as (
    select * from {{ ref('base_telemetry__ai_events') }}
),

otel_events as (
    select * from {{ ref('int_otel_ai_events') }}
),

telemetry_changes as (
    select
        -- ids
        event_id,
        conversation_id,
        user_id,
        -- timestamps
        occurred_at,
        processed_at
    from base_events
),

otel_changes as (
    -- an event's processed_at is the newest of its conversation's spans (int_otel_ai_events)
    select
        -- ids
        event_id,
        conversation_id,
        user_id,
        -- timestamps
        occurred_at,
        processed_at
    from otel_events
),

final as (
    select * from telemetry_changes
    union all
    select * from otel_changes
)

select * from final
